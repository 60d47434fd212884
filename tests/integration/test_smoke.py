def test_submit_and_track(api):
    created = api.submit()
    assert created["status"] == "submitted"
    status, body = api.get(f"/reports/{created['tracking_id']}", headers={"X-Access-Code": created["access_code"]})
    assert status == 200, body
