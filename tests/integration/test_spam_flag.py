"""A report that scores as spam is filed but flagged: it waits for the central admin even when it
names an agency, shows as flagged to staff, and is published nowhere until verified."""
from __future__ import annotations

from tests.integration.open311_schemas.support import V2, Open311

SPAM = ("SLOT GACOR MAXWIN hari ini, daftar sekarang di https://bit.ly/gacor88 bonus new member 100%, "
        "deposit pulsa tanpa potongan. WA 0812 3456 7890")


def published_everywhere(api, tid: str) -> dict[str, bool]:
    o311 = Open311(api)
    return {
        "tracking_page": api.get(f"/reports/{tid}")[0] == 200,
        "open311": tid in [r["service_request_id"] for r in o311.get(f"{V2}/requests.json")[1]],
    }


def test_a_spam_report_naming_an_agency_waits_flagged_for_the_central_admin_and_is_never_published(api):
    created = api.submit(title="Promo slot gacor maxwin", description=SPAM, agency_id="pemkot-medan")
    tid = created["tracking_id"]
    assert created["status"] == "submitted"  # not sent to the agency it named
    _, view = api.get(f"/staff/reports/{tid}", user="admin.pusat")
    assert view["spam_flagged"] is True and view["spam_score"] >= 5 and view["published"] is False
    assert view["requested_agency_id"] == "pemkot-medan"
    items = api.get("/staff/reports?status=submitted", user="admin.pusat")[1]["items"]
    assert [i["spam_flagged"] for i in items if i["tracking_id"] == tid] == [True]
    assert api.get("/staff/reports", user="admin.medan")[1]["items"] == []  # the agency never sees it
    assert not any(published_everywhere(api, tid).values())
    api.act(tid, "admin.pusat", "archive", reason="spam")  # as today
    assert not any(published_everywhere(api, tid).values())


def test_a_flagged_report_the_central_admin_verifies_is_published_like_any_other(api):
    tid = api.submit(title="Promo slot gacor maxwin", description=SPAM)["tracking_id"]
    assert not any(published_everywhere(api, tid).values())
    api.act(tid, "admin.pusat", "dispatch", agency_id="pemkot-medan")
    assert published_everywhere(api, tid)["tracking_page"] and published_everywhere(api, tid)["open311"]


def test_an_ordinary_report_naming_an_agency_goes_straight_to_it_unflagged(api):
    created = api.submit(agency_id="pemkot-medan")
    assert created["status"] == "dispatched"
    assert api.get(f"/staff/reports/{created['tracking_id']}", user="admin.pusat")[1]["spam_flagged"] is False
