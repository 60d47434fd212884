"""The reporter's side of data protection (issue 15) through the real handlers against moto: a lost
access code recovered through the contact on file (the same answer for any tracking number), and
the rights of access, correction and erasure proven with the access code."""
from __future__ import annotations

import json
import time

import boto3
import pytest
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from moto.sns.models import sns_backends

from chalicelib.config import settings
from chalicelib.services import limits, reporter_rights
from tests.integration.conftest import START
from tests.integration.test_attachments import attach, object_exists
from tests.support import report_body, start_platform

REGION = "ap-southeast-3"
UNKNOWN = "ZZZZ-ZZZZ"
CENTRAL, MEDAN, DISHUB = "admin.pusat", "admin.medan", "penghubung.dishub.medan"


@pytest.fixture(scope="module")
def _shared_platform():
    with mock_aws():
        platform = start_platform(START)
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=settings().attachments_bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
        yield platform, s3


@pytest.fixture
def platform(_shared_platform, monkeypatch):
    shared, _ = _shared_platform
    shared.clock.set(START)
    monkeypatch.setattr(reporter_rights, "RECOVERY_ANSWER_SECONDS", 0.0)  # the timing test sets its own
    return shared


@pytest.fixture
def s3(_shared_platform, platform):
    return _shared_platform[1]


def mails_to(address: str) -> list[str]:
    return [m.body for m in ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages if address in m.destinations["ToAddresses"]]


def sms_to(number: str) -> list[str]:
    return [text for phone, text, *_ in sns_backends[DEFAULT_ACCOUNT_ID][REGION].sms_messages.values() if phone == number]


def code_in(text: str) -> str:
    import re

    return re.search(r"kode akses baru:? (?:<strong>)?([0-9A-Z]{10})", text, re.I).group(1)


def recover(api, tid):
    return api.post(f"/reports/{tid}/access-code/recover", None, raw="")


def track(api, tid, code):
    return api.get(f"/reports/{tid}", headers={"X-Access-Code": code})


def with_code(code):
    return {"X-Access-Code": code}


_ADDRESSES = iter(range(1, 250))


@pytest.fixture
def from_address(monkeypatch):
    from chalice.local import LambdaEventConverter

    return lambda ip: monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", ip)


@pytest.fixture(autouse=True)
def fresh_address(from_address):
    """Each test asks from its own client address: the per-client limits stay the test's own."""
    from_address(f"198.51.100.{next(_ADDRESSES)}")


# ---- a lost access code -------------------------------------------------------------------------------
def test_a_recovered_code_reaches_the_contact_on_file_and_the_old_one_stops_at_once(api):
    email, phone = "lupa.kode@example.com", "+6281260009876"
    created = api.submit(confidential=True, reporter={"name": "Lupa Kode", "email": email, "phone": "0812-6000-9876"})
    tid, old = created["tracking_id"], created["access_code"]
    status, answer = recover(api, tid)
    assert status == 202 and answer == reporter_rights.RECOVERY_ANSWER
    (mail,) = [m for m in mails_to(email) if "kode akses baru" in m.lower()]
    (sms,) = [s for s in sms_to(phone) if "kode akses baru" in s]
    new = code_in(mail)
    assert new in sms and new != old
    assert track(api, tid, new)[0] == 200
    assert track(api, tid, old)[0] == 404  # revoked in the same write that stored the new one
    _, view = track(api, tid, new)
    assert [i["action"] for i in view["timeline"]][-1] == "reissue_access_code"  # the reporter sees it happened


def test_the_answer_is_the_same_for_an_unknown_id_a_report_without_contact_and_a_real_one(api):
    tid = api.submit()["tracking_id"]
    erased = api.submit()
    assert api.client.http.delete(f"/reports/{erased['tracking_id']}/my-data",
                                  headers=with_code(erased["access_code"])).status_code == 200
    sent_before = len(ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages)
    answers = {name: recover(api, t) for name, t in
               (("real", tid), ("unknown", UNKNOWN), ("no contact", erased["tracking_id"]), ("malformed", "x!"))}
    assert all(a == (202, reporter_rights.RECOVERY_ANSWER) for a in answers.values()), answers
    assert len(ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages) == sent_before + 1  # only the real one


def test_the_answer_takes_as_long_whether_or_not_a_code_is_sent(api, monkeypatch):
    monkeypatch.setattr(reporter_rights, "RECOVERY_ANSWER_SECONDS", 0.6)
    tid = api.submit()["tracking_id"]
    took = {}
    for name, target in (("real", tid), ("unknown", UNKNOWN)):
        started = time.monotonic()
        assert recover(api, target)[0] == 202
        took[name] = time.monotonic() - started
    assert all(0.6 <= t < 1.2 for t in took.values()), took
    assert abs(took["real"] - took["unknown"]) < 0.3, took


def test_recoveries_are_limited_per_report_and_per_client_for_any_id(api, from_address):
    from_address("203.0.113.50")
    tid = api.submit()["tracking_id"]
    for attempt in range(limits.RECOVERIES + 1):
        from_address(f"203.0.113.{60 + attempt}")  # spread over clients: the report's day counter fills
        expected = 202 if attempt < limits.RECOVERIES else 429
        assert recover(api, tid)[0] == expected
        assert recover(api, "YYYY-YYYY")[0] == expected  # an unknown id is limited the same way
    from_address("203.0.113.99")
    for attempt in range(limits.CLIENT_RECOVERIES):
        assert recover(api, f"AAAA-{attempt:04d}".replace("0", "A"))[0] == 202
    status, body = recover(api, "BBBB-BBBB")
    assert status == 429 and body["error"]["code"] == "too_many_attempts"
    assert "coba lagi" in body["error"]["message_id"] and "try again" in body["error"]["message_en"]


def test_the_new_code_is_owed_by_the_reports_own_change_so_a_crash_cannot_lose_it(api, monkeypatch):
    """Everything after the commit fails: the sweep still sends the new code."""
    phone = "+6281260004321"
    tid = api.submit(reporter={"name": "Crash", "phone": phone})["tracking_id"]
    from chalicelib.adapters import outbox

    monkeypatch.setattr(outbox.DynamoOutbox, "apply", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("crash")))
    assert recover(api, tid)[0] == 202
    assert [s for s in sms_to(phone) if "kode akses baru" in s] == []
    monkeypatch.undo()
    monkeypatch.setattr(reporter_rights, "RECOVERY_ANSWER_SECONDS", 0.0)
    from scheduled.sweep import run_sweep

    api.platform.clock.advance(minutes=15)
    run_sweep(api.platform.clock())
    (sms,) = [s for s in sms_to(phone) if "kode akses baru" in s]
    assert track(api, tid, code_in(sms))[0] == 200


# ---- access, correction, erasure with the access code ------------------------------------------------------
def walked_with_a_photo(api, s3, **reporter):
    """A named report with one kept photo, dispatched, answered and replied to: something of each kind."""
    created = api.submit(reporter=reporter or {"name": "Siti Rahmawati", "email": "siti@example.com",
                                                  "phone": "0812-6000-1234"})
    tid, code = created["tracking_id"], created["access_code"]
    photo = attach(api, tid, code)
    api.act(tid, CENTRAL, "dispatch", agency_id="pemkot-medan")
    api.act(tid, MEDAN, "assign", unit_id="pemkot-medan.dishub")
    api.act(tid, DISHUB, "respond", message="Petugas meninjau lokasi.")
    api.reply(tid, code, message="Lokasinya di depan pasar.")
    return tid, code, photo


def test_my_data_holds_everything_stored_about_the_reporter_and_nothing_staff_only(api, s3):
    tid, code, photo = walked_with_a_photo(api, s3)
    api.act(tid, DISHUB, "set_field_inspection", required=True)  # a staff-only event
    status, mine = api.get(f"/reports/{tid}/my-data", headers=with_code(code))
    assert status == 200, mine
    assert mine["identity"]["name"] == "Siti Rahmawati" and mine["identity"]["erased_at"] is None
    assert mine["contact"] == {"email": "siti@example.com", "phone": "+6281260001234"}
    assert mine["channel"] == "api" and mine["received_at"].startswith("2024-12-20")
    assert mine["report"]["title"] == report_body()["title"] and mine["report"]["location"]["regency_code"] == "12.71"
    assert [(m["action"], m["message"]) for m in mine["messages"]] == [
        ("submit", None), ("reply", "Lokasinya di depan pasar.")]
    assert [a["message"] for a in mine["answers_seen"]] == ["Petugas meninjau lokasi."]
    (kept,) = mine["attachments"]
    assert (kept["id"], kept["filename"], kept["content_type"], kept["state"]) == (
        photo["id"], "foto.png", "image/png", "stored")
    text = json.dumps(mine)
    assert "set_field_inspection" not in text and "penghubung" not in text and "access_code_hash" not in text


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_each_right_needs_the_code_and_a_wrong_one_is_an_unknown_id(api, method):
    created = api.submit(confidential=True)
    tid = created["tracking_id"]

    def call(target, headers):
        path = f"/reports/{target}/my-data" + ("/contact" if method == "PUT" else "")
        h = {"Content-Type": "application/json", **headers}
        response = getattr(api.client.http, method.lower())(path, headers=h, body=json.dumps({"email": "a@example.com"}))
        return response.status_code, json.loads(response.body)

    without = call(tid, {})
    assert without[0] == 403 and "X-Access-Code" in without[1]["error"]["message_en"]
    assert "kode akses wajib" in without[1]["error"]["message_id"].lower()
    assert call(tid, with_code("0000000000")) == call(UNKNOWN, with_code("0000000000"))
    assert call(tid, with_code("0000000000"))[0] == 404
    staff = call(tid, {"Authorization": api.platform.headers(CENTRAL)["Authorization"]})
    assert staff[0] == 403  # a staff token is no reporter's proof
    assert api.get(f"/reports/{tid}", headers=with_code(created["access_code"]))[0] == 200  # nothing changed


def test_the_contact_is_corrected_as_intake_checks_it_and_recorded_without_its_values(api):
    created = api.submit(reporter={"name": "Budi", "email": "budi.lama@example.com"})
    tid, code = created["tracking_id"], created["access_code"]
    status, body = api.client.http.put(f"/reports/{tid}/my-data/contact", headers={
        "Content-Type": "application/json", **with_code(code)}, body=json.dumps({"email": "bukan-email", "phone": "12"})), None
    answer = json.loads(status.body)
    assert status.status_code == 400 and set(answer["error"]["fields"]) == {"email", "phone"}
    assert " / " in answer["error"]["fields"]["phone"]  # both languages
    put = api.client.http.put(f"/reports/{tid}/my-data/contact", headers={"Content-Type": "application/json", **with_code(code)},
                              body=json.dumps({"phone": "0812-6000-5555"}))
    assert put.status_code == 200, put.body
    assert json.loads(put.body)["changed"] == ["email", "phone"]
    _, mine = api.get(f"/reports/{tid}/my-data", headers=with_code(code))
    assert mine["contact"] == {"email": None, "phone": "+6281260005555"}
    _, staff = api.get(f"/staff/reports/{tid}", user=CENTRAL)
    event = staff["history"][-1]
    assert event["action"] == "correct_contact" and event["data"] == {"fields": ["email", "phone"]}
    assert "6281260005555" not in json.dumps(staff["history"]) and "budi.lama" not in json.dumps(staff["history"])
    empty = api.client.http.put(f"/reports/{tid}/my-data/contact", headers={"Content-Type": "application/json",
                                                                            **with_code(code)}, body="{}")
    assert empty.status_code == 400  # one way to reach the reporter stays, as at intake


def test_erasure_removes_the_identity_and_the_files_keeps_the_report_and_its_statistics(api, s3):
    from chalicelib.adapters.counters import CounterModel

    def counters():
        return sorted((c.scope, c.key, json.dumps(c.attribute_values, sort_keys=True, default=str))
                      for c in CounterModel.scan())

    tid, code, photo = walked_with_a_photo(api, s3)
    from chalicelib.adapters.attachments import DynamoAttachments

    (kept,) = DynamoAttachments().list(tid)
    assert object_exists(s3, kept.stored_key)
    before = counters()
    status, answer = api.client.http.delete(f"/reports/{tid}/my-data", headers=with_code(code)).status_code, None
    assert status == 200
    assert counters() == before  # counters carry no identity: nothing moved
    assert not object_exists(s3, kept.stored_key) and DynamoAttachments().list(tid) == []
    _, staff = api.get(f"/staff/reports/{tid}", user=CENTRAL)
    assert staff["reporter"] == {"name": "Anonim", "email": None, "phone": None}
    assert staff["status"] == "in_progress" and [h for h in staff["history"] if h["action"] != "identity_read"][-1]["action"] == "erase_identity"
    status, mine = api.get(f"/reports/{tid}/my-data", headers=with_code(code))  # the code keeps working
    assert status == 200 and mine["contact"] == {"email": None, "phone": None} and mine["attachments"] == []
    assert mine["identity"]["erased_at"] is not None
    again = api.client.http.delete(f"/reports/{tid}/my-data", headers=with_code(code))
    assert again.status_code == 200 and json.loads(again.body)["erased"] is False  # idempotent
    api.reply(tid, code, message="Masih menunggu.")  # the reporter can still follow and answer
    corrected = api.client.http.put(f"/reports/{tid}/my-data/contact", headers={"Content-Type": "application/json",
                                                                                **with_code(code)},
                                    body=json.dumps({"email": "baru@example.com"}))
    assert corrected.status_code == 409  # consent withdrawn: no contact comes back through this door
    api.act(tid, DISHUB, "respond", message="Sedang dikerjakan.")  # officers go on: nobody is told


def test_a_tracking_number_longer_than_the_document_allows_is_refused_before_anything(api):
    status, body = recover(api, "0" * 65)
    assert status == 400 and set(body["error"]["fields"]) == {"tid"}
    assert recover(api, "0" * 64)[0] == 202
