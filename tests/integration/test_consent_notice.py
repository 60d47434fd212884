"""Consent and notice (UU PDP): every door records the consent version in force with the report and
shows it to staff; the intake answers carry the notice (what for, who sees, how long, rights) and
the privacy page's address; /privacy states the same retention settings the retention job reads."""
from __future__ import annotations

import pytest

from tests.integration.open311_schemas.support import Open311
from tests.integration.test_inbound_sms import deliver, filed  # noqa: F401 (fixture)
from tests.support import report_body

CENTRAL = "admin.pusat"


def _version(api, tid: str) -> str | None:
    status, view = api.get(f"/staff/reports/{tid}", user=CENTRAL)
    assert status == 200, view
    return view["consent_version"]


def test_a_web_report_answers_with_the_notice_and_keeps_the_consent_version(api):
    created = api.submit()
    notice = created["privacy_notice"]
    assert notice["consent_version"] == "2026-12" and notice["url"].endswith("/privacy")
    assert "24 bulan" in notice["id"] and "24 months" in notice["en"]
    assert "menghapus" in notice["id"] and "erase" in notice["en"]  # the rights
    assert _version(api, created["tracking_id"]) == "2026-12"


def test_the_version_is_the_one_in_force_when_the_report_arrives(api, monkeypatch):
    from chalicelib import config

    first = api.submit()["tracking_id"]
    monkeypatch.setenv("CONSENT_VERSION", "2027-06")
    monkeypatch.setenv("RETENTION_MONTHS_AFTER_CLOSING", "18")
    config.settings.cache_clear()
    try:
        created = api.submit()
        assert created["privacy_notice"]["consent_version"] == "2027-06" and "18 months" in created["privacy_notice"]["en"]
        assert (_version(api, first), _version(api, created["tracking_id"])) == ("2026-12", "2027-06")
    finally:
        monkeypatch.undo()
        config.settings.cache_clear()


def test_a_manual_entry_records_the_version_too(api):
    body = report_body(channel="call_centre", received_at="2024-12-19T09:00:00+07:00")
    status, created = api.post("/staff/reports", body, user=CENTRAL)
    assert status == 201 and created["privacy_notice"]["consent_version"] == "2026-12"
    assert _version(api, created["tracking_id"]) == "2026-12"


def test_an_open311_request_answers_with_the_notice_and_records_the_version(api):
    o311 = Open311(api)
    status, created = o311.post(o311.form())
    assert status == 200, created
    assert "/privacy" in created[0]["service_notice"] and "2026-12" in created[0]["service_notice"]
    assert _version(api, created[0]["service_request_id"]) == "2026-12"
    discovery = api.get("/open311/discovery.json")[1]
    assert "/privacy" in discovery["contact"]


def test_an_sms_report_records_the_version(api, deliver):  # noqa: F811 (fixture)
    tid, _code = filed(deliver)
    assert _version(api, tid) == "2026-12"


@pytest.mark.parametrize("path", ["/", "/track", "/privacy"])
def test_every_public_page_links_the_privacy_notice_in_its_footer(client, path):
    response = client.http.get(path)
    body = response.body.decode() if isinstance(response.body, bytes) else response.body
    footer = body.split('<footer class="site-footer">')[1]
    assert 'href="privacy"' in footer and "{{" not in body


def test_the_privacy_page_and_the_form_state_the_retention_settings(client, monkeypatch):
    from chalicelib import config

    monkeypatch.setenv("RETENTION_MONTHS_AFTER_CLOSING", "36")
    monkeypatch.setenv("SPAM_RETENTION_DAYS", "60")
    config.settings.cache_clear()
    try:
        for path in ("/privacy", "/"):
            response = client.http.get(path)
            body = response.body.decode() if isinstance(response.body, bytes) else response.body
            assert "<span>36</span>" in body or '<span id="retention-months">36</span>' in body, path
            assert "60</span>" in body and "2026-12" in body
            assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    finally:
        monkeypatch.undo()
        config.settings.cache_clear()
