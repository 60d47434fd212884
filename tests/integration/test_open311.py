"""Open311 GeoReport v2: services, filing, reading, and what never shows."""
from __future__ import annotations

import datetime as dt
import json
from urllib.parse import urlencode

import pytest

from tests.integration.open311_schemas.support import V2, Open311, validate


@pytest.fixture
def o311(api):
    return Open311(api)


def walk_to_completed(api, message="Juru parkir liar sudah ditertibkan.") -> str:
    """A report filed on the web, dispatched straight to Medan, answered and accepted."""
    created = api.submit(agency_id="pemkot-medan")
    tid = created["tracking_id"]
    api.act(tid, "admin.medan", "assign", unit_id="pemkot-medan.dishub")
    api.act(tid, "penghubung.dishub.medan", "respond", message="Petugas sudah meninjau lokasi.")
    api.act(tid, "penghubung.dishub.medan", "final_answer", message=message)
    api.reply(tid, created["access_code"], accept=True, rating=5)
    return tid


def ids(requests) -> list[str]:
    return [r["service_request_id"] for r in requests]


def published_at(o311, moment: dt.datetime) -> str:
    """A report filed through Open311 and dispatched (so published) at that moment."""
    o311.api.platform.clock.set(moment)
    tid = o311.file()
    o311.publish(tid)
    return tid


# ---- POST requests ---------------------------------------------------------------------------
def test_a_client_files_a_report_through_the_api_channel(o311, api):
    status, created = o311.post(o311.form())
    assert status == 200
    validate("service_request_created", created)
    tid = created[0]["service_request_id"]
    assert created[0]["account_id"] is None and "token" not in created[0]
    assert tid in created[0]["service_notice"] and "2024-12-27" in created[0]["service_notice"]
    _, report = api.get(f"/staff/reports/{tid}", user="admin.pusat")
    assert report["channel"] == "api" and report["status"] == "submitted"
    assert report["reporter"] == {"name": "Siti Rahmawati", "email": "siti@example.com", "phone": "+6281260001234"}
    assert report["category"]["id"] == "illegal-parking" and report["kind"] == "complaint"
    assert report["location"] == {"province_code": "12", "province_name": "Sumatera Utara", "regency_code": "12.71",
                                  "regency_name": "Kota Medan", "address": "Jl. Gatot Subroto depan Pasar Petisah",
                                  "lat": 3.5952, "lon": 98.6722}
    assert report["title"].startswith("Juru parkir liar: Juru parkir liar memungut")
    assert report["anonymous"] is False and report["confidential"] is False


def test_a_report_without_a_name_is_anonymous_but_needs_a_contact(o311, api):
    status, errors = o311.post(o311.form(first_name=None, last_name=None, email=None, phone=None))
    assert status == 400
    validate("errors", errors)
    assert "email/phone" in errors[0]["description"]
    tid = o311.file(first_name=None, last_name=None, phone=None)
    _, report = api.get(f"/staff/reports/{tid}", user="admin.pusat")
    assert report["anonymous"] is True and report["reporter"]["name"] == "Anonim"
    assert report["reporter"]["email"] == "siti@example.com"


def test_attributes_set_kind_title_agency_and_anonymity(o311, api):
    tid = o311.file(**{"attribute[kind]": "information_request", "attribute[title]": "Jadwal penertiban parkir",
                       "attribute[agency_id]": "pemkot-medan", "attribute[anonymous]": "true"})
    _, report = api.get(f"/staff/reports/{tid}", user="admin.pusat")
    assert (report["kind"], report["title"], report["status"]) == (
        "information_request", "Jadwal penertiban parkir", "dispatched")
    assert report["anonymous"] is True and report["reporter"]["name"] == "Siti Rahmawati"


def test_a_report_naming_an_agency_is_dispatched_and_its_notice_says_when_it_is_due(o311):
    status, created = o311.post(o311.form(**{"attribute[agency_id]": "pemkot-medan",
                                              "attribute[kind]": "information_request"}))
    assert status == 200
    # DOMAIN.md: an information request dispatched on Friday 2024-12-20 is due 2024-12-31.
    assert "Pemerintah Kota Medan" in created[0]["service_notice"] and "2024-12-31" in created[0]["service_notice"]


def test_a_regency_code_alone_gives_the_province(o311, api):
    tid = o311.file(**{"attribute[province_code]": None, "attribute[regency_code]": "35.72"})
    _, report = api.get(f"/staff/reports/{tid}", user="admin.pusat")
    assert (report["location"]["province_code"], report["location"]["regency_code"]) == ("35", "35.72")


def test_a_media_url_is_kept_with_the_description(o311, api):
    tid = o311.file(media_url="https://foto.example.org/parkir.jpg")
    _, report = api.get(f"/staff/reports/{tid}", user="admin.pusat")
    assert report["description"].endswith("\n\nMedia: https://foto.example.org/parkir.jpg")


def test_the_api_key_may_come_in_the_query_string(o311):
    form = o311.form(api_key=None)
    response = o311.raw("post", f"{V2}/requests.json?api_key={o311.key}", urlencode(form),
                        {"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 200, response.body


def test_a_filing_answers_in_xml(o311):
    status, root = o311.post(o311.form(), fmt="xml")
    assert status == 200 and root.tag == "service_requests"
    assert root.find("request/service_request_id").text
    assert root.find("request/account_id").text is None


# ---- GET requests: what shows ----------------------------------------------------------------
def test_requests_appear_once_dispatched_and_never_when_confidential(o311, api):
    waiting = o311.file()
    published = o311.file()
    o311.publish(published)
    secret = api.submit(agency_id="pemkot-medan", confidential=True)["tracking_id"]
    status, requests = o311.get(f"{V2}/requests.json")
    assert status == 200
    validate("service_requests", requests)
    assert ids(requests) == [published]
    for tid in (waiting, secret):
        assert o311.get(f"{V2}/requests/{tid}.json")[0] == 404
        assert o311.get(f"{V2}/tokens/{tid}.json")[0] == 404
        assert o311.get(f"{V2}/requests.json", service_request_id=tid)[1] == []


def test_a_report_made_confidential_later_disappears(o311, api):
    tid = o311.file()
    o311.publish(tid)
    api.act(tid, "admin.pusat", "correct", confidential=True)
    assert o311.get(f"{V2}/requests.json")[1] == []
    assert o311.get(f"{V2}/requests/{tid}.json", api_key=o311.key)[0] == 404


def test_no_reporter_identity_ever_appears(o311, api):
    named = o311.file()
    anonymous = o311.file(first_name=None, last_name=None)
    for tid in (named, anonymous):
        o311.publish(tid)
    for path in (f"{V2}/requests.json", f"{V2}/requests.xml", f"{V2}/requests/{named}.json",
                 f"{V2}/requests/{anonymous}.xml"):
        body = o311.raw("get", f"{path}?extensions=true").body.decode()
        for secret in ("Siti", "Rahmawati", "siti@example.com", "6281260001234", "Anonim"):
            assert secret not in body, (path, secret)


def test_the_filing_client_may_read_its_request_before_publication(o311):
    tid = o311.file()
    other = o311.issue_key("Aplikasi Warga")["api_key"]
    assert o311.get(f"{V2}/requests/{tid}.json")[0] == 404
    assert o311.get(f"{V2}/requests/{tid}.json", api_key=other)[0] == 404
    status, body = o311.get(f"{V2}/requests/{tid}.json", api_key=o311.key)
    assert status == 200 and body[0]["status"] == "open" and body[0]["agency_responsible"] is None
    assert o311.get(f"{V2}/tokens/{tid}.json", api_key=o311.key)[1] == [{"service_request_id": tid, "token": tid}]
    assert o311.get(f"{V2}/requests/{tid}.json", api_key="bogus")[0] == 403


def test_a_request_maps_lifecycle_agency_deadline_and_latest_public_follow_up(o311, api):
    tid = o311.file(**{"attribute[kind]": "information_request"})
    api.act(tid, "admin.pusat", "dispatch", agency_id="pemkot-medan", message="Mohon segera (internal)")
    api.act(tid, "admin.medan", "assign", unit_id="pemkot-medan.dishub")
    api.platform.clock.advance(hours=1)
    api.act(tid, "penghubung.dishub.medan", "reroute", message="Bukan wewenang Dishub (internal)")
    api.act(tid, "admin.medan", "assign", unit_id="pemkot-medan.dishub")
    api.platform.clock.advance(hours=3)
    api.act(tid, "penghubung.dishub.medan", "respond", message="Petugas akan meninjau lokasi besok pagi.")
    status, body = o311.get(f"{V2}/requests/{tid}.json")
    assert status == 200
    validate("service_requests", body)
    request = body[0]
    assert request == {
        "service_request_id": tid, "status": "open",
        "status_notes": "Petugas akan meninjau lokasi besok pagi.",
        "service_name": "Juru parkir liar", "service_code": "illegal-parking",
        "description": "Juru parkir liar memungut Rp5.000 di depan pasar setiap sore.",
        "agency_responsible": "Pemerintah Kota Medan",
        "service_notice": "Ditindaklanjuti / In progress",
        "requested_datetime": "2024-12-20T10:00:00+07:00",
        "updated_datetime": "2024-12-20T14:00:00+07:00",
        "expected_datetime": "2024-12-31T23:59:59+07:00",
        "address": "Jl. Gatot Subroto depan Pasar Petisah, Kota Medan, Sumatera Utara",
        "lat": 3.5952, "long": 98.6722,
    }


def test_a_completed_report_is_closed_and_updated_when_it_closed(o311, api):
    tid = walk_to_completed(api)
    api.platform.clock.advance(days=1)
    request = o311.get(f"{V2}/requests/{tid}.json")[1][0]
    assert request["status"] == "closed"
    assert request["status_notes"] == "Juru parkir liar sudah ditertibkan."
    assert request["updated_datetime"] == "2024-12-20T10:00:00+07:00"
    assert request["address"] == "Jl. Gatot Subroto, Medan, Kota Medan, Sumatera Utara" and "lat" not in request


def test_notes_extension_carries_the_public_timeline_only(o311, api):
    tid = o311.file()
    api.act(tid, "admin.pusat", "dispatch", agency_id="pemkot-medan", message="Catatan internal")
    api.act(tid, "admin.medan", "assign", unit_id="pemkot-medan.dishub")
    api.act(tid, "penghubung.dishub.medan", "respond", message="Sedang kami tindak lanjuti.")
    request = o311.get(f"{V2}/requests/{tid}.json", extensions="true")[1][0]
    validate("service_requests", [request])
    assert [(n["type"], n["description"]) for n in request["notes"]] == [
        ("submit", "Belum terverifikasi / Not yet verified"),
        ("dispatch", "Terdisposisi ke instansi / Dispatched to agency"),
        ("assign", "Terdisposisi ke unit / Assigned to unit"),
        ("respond", "Sedang kami tindak lanjuti."),
    ]
    assert request["extended_attributes"]["lifecycle_status"] == "in_progress"
    assert "notes" not in o311.get(f"{V2}/requests/{tid}.json")[1][0]


# ---- GET requests: filters -------------------------------------------------------------------
def test_status_filter_splits_open_from_closed(o311, api):
    closed = walk_to_completed(api)
    opened = o311.file()
    o311.publish(opened)
    assert ids(o311.get(f"{V2}/requests.json", status="open")[1]) == [opened]
    assert ids(o311.get(f"{V2}/requests.json", status="closed")[1]) == [closed]
    assert set(ids(o311.get(f"{V2}/requests.json", status="open,closed")[1])) == {opened, closed}
    assert o311.get(f"{V2}/requests.json", status="pending")[0] == 400


def test_service_code_filter_takes_one_or_several_codes(o311):
    parking = o311.file()
    lights = o311.file(service_code="street-lighting")
    trees = o311.file(service_code="trees")
    for tid in (parking, lights, trees):
        o311.publish(tid)
    assert ids(o311.get(f"{V2}/requests.json", service_code="trees")[1]) == [trees]
    both = o311.get(f"{V2}/requests.json", service_code="trees,illegal-parking")[1]
    assert set(ids(both)) == {trees, parking}
    assert o311.get(f"{V2}/requests.json", service_code=["trees", "street-lighting"], status="open")[0] == 200


def test_service_request_ids_override_every_other_filter(o311):
    first, second = o311.file(), o311.file()
    unpublished = o311.file()
    for tid in (first, second):
        o311.publish(tid)
    answer = o311.get(f"{V2}/requests.json", service_request_id=f"{second},{unpublished},NOPE,{first.lower()}",
                      status="closed", start_date="2020-01-01T00:00:00Z")[1]
    assert ids(answer) == [second, first]


def test_the_default_window_is_the_last_90_days(o311, api):
    clock = api.platform.clock
    now = clock.moment
    old = published_at(o311, now - dt.timedelta(days=91))
    recent = published_at(o311, now - dt.timedelta(days=89))
    clock.set(now)
    assert ids(o311.get(f"{V2}/requests.json")[1]) == [recent]
    start = (now - dt.timedelta(days=100)).isoformat()
    assert ids(o311.get(f"{V2}/requests.json", start_date=start)[1]) == [recent, old]
    assert ids(o311.get(f"{V2}/requests.json", end_date=(now - dt.timedelta(days=90)).isoformat())[1]) == [old]


def test_the_date_range_is_inclusive_and_takes_any_offset(o311, api):
    tid = o311.file()
    o311.publish(tid)
    at = "2024-12-20T10:00:00+07:00"
    assert ids(o311.get(f"{V2}/requests.json", start_date=at, end_date=at)[1]) == [tid]
    assert ids(o311.get(f"{V2}/requests.json", start_date="2024-12-20T03:00:00Z", end_date="2024-12-20T03:00:00Z")[1]) == [tid]
    assert o311.get(f"{V2}/requests.json", start_date="2024-12-20T03:00:01Z")[1] == []
    # An unencoded "+" arrives as a space; we read it as the offset it was.
    response = o311.raw("get", f"{V2}/requests.json?end_date=2024-12-20T10:00:00+07:00")
    assert [r["service_request_id"] for r in json.loads(response.body)] == [tid]


def test_pages_walk_newest_first(o311, api):
    filed = []
    for _ in range(5):
        tid = o311.file()
        o311.publish(tid)
        filed.append(tid)
        api.platform.clock.advance(minutes=1)
    newest_first = filed[::-1]
    pages = [ids(o311.get(f"{V2}/requests.json", page=p, page_size=2)[1]) for p in (1, 2, 3, 4)]
    assert pages == [newest_first[:2], newest_first[2:4], newest_first[4:], []]
    assert ids(o311.get(f"{V2}/requests.json")[1]) == newest_first


def test_updated_after_finds_what_changed_publicly_however_old_most_recent_change_first(o311, api):
    clock = api.platform.clock
    now = clock.moment
    old = published_at(o311, now - dt.timedelta(days=200))  # received long before any default window
    quiet = published_at(o311, now - dt.timedelta(days=10))
    clock.set(now)
    assert ids(o311.get(f"{V2}/requests.json", updated_after=(now - dt.timedelta(days=1)).isoformat())[1]) == []
    api.act(old, "admin.medan", "assign", unit_id="pemkot-medan.dishub")  # a public change of status
    clock.advance(minutes=5)
    since = (now - dt.timedelta(hours=1)).isoformat()
    answer = o311.get(f"{V2}/requests.json", updated_after=since)[1]
    validate("service_requests", answer)
    assert ids(answer) == [old]
    assert answer[0]["updated_datetime"] == o311.get(f"{V2}/requests/{old}.json")[1][0]["updated_datetime"]
    clock.advance(minutes=5)
    api.act(quiet, "admin.medan", "assign", unit_id="pemkot-medan.dlh")
    assert ids(o311.get(f"{V2}/requests.json", updated_after=since)[1]) == [quiet, old]
    # the other filters still apply on top; updated_before bounds the window
    assert ids(o311.get(f"{V2}/requests.json", updated_after=since, status="closed")[1]) == []
    assert ids(o311.get(f"{V2}/requests.json", updated_after=since, service_code="trees")[1]) == []
    assert ids(o311.get(f"{V2}/requests.json", updated_after=since,
                        updated_before=(now + dt.timedelta(minutes=1)).isoformat())[1]) == [old]
    assert ids(o311.get(f"{V2}/requests.json", updated_after=since, page=2, page_size=1)[1]) == [old]
    assert ids(o311.get(f"{V2}/requests.json", updated_after=since,
                        start_date=(now - dt.timedelta(days=11)).isoformat())[1]) == [quiet]


def test_a_change_staff_alone_see_does_not_count_as_an_update(o311, api):
    tid = o311.file()
    o311.publish(tid)
    api.platform.clock.advance(hours=1)
    since = api.platform.clock.moment.isoformat()
    api.platform.clock.advance(minutes=1)
    api.act(tid, "admin.pusat", "correct", title="Parkir liar di depan Pasar Petisah")
    assert ids(o311.get(f"{V2}/requests.json", updated_after=since)[1]) == []


def test_a_report_made_confidential_leaves_the_updates_too(o311, api):
    tid = o311.file()
    o311.publish(tid)
    since = (api.platform.clock.moment - dt.timedelta(hours=1)).isoformat()
    assert ids(o311.get(f"{V2}/requests.json", updated_after=since)[1]) == [tid]
    api.act(tid, "admin.pusat", "correct", confidential=True)
    assert ids(o311.get(f"{V2}/requests.json", updated_after=since)[1]) == []


def test_unknown_parameters_such_as_jurisdiction_id_are_ignored(o311):
    tid = o311.file()
    o311.publish(tid)
    assert ids(o311.get(f"{V2}/requests.json", jurisdiction_id="lapor.go.id", foo="bar")[1]) == [tid]


def test_listing_queries_indexes_and_never_scans(o311, monkeypatch):
    from pynamodb.connection.base import Connection

    tid = o311.file(service_code="trees")
    o311.publish(tid)

    def refuse(*args, **kwargs):
        raise AssertionError("a Scan on a request path")

    monkeypatch.setattr(Connection, "scan", refuse)
    for params in ({}, {"status": "open"}, {"service_code": "trees,roads"}, {"service_request_id": tid},
                   {"updated_after": "2024-12-01T00:00:00Z", "status": "open", "service_code": "trees"}):
        assert o311.get(f"{V2}/requests.json", **params)[0] == 200
    assert o311.get(f"{V2}/requests/{tid}.xml", "xml")[0] == 200


def test_tokens_resolve_to_the_request_created_in_realtime(o311):
    tid = o311.file()
    o311.publish(tid)
    status, body = o311.get(f"{V2}/tokens/{tid}.json")
    assert status == 200
    validate("token", body)
    assert body == [{"service_request_id": tid, "token": tid}]
    assert o311.get(f"{V2}/tokens/ZZZZ-ZZZZ.json")[0] == 404
    assert o311.get(f"{V2}/requests/not-an-id.json")[0] == 404
