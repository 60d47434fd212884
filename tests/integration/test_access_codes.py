"""Access codes (issue 11, item 12): a wrong code looks exactly like an unknown tracking id; wrong
codes are limited per report and per client without ever locking out the right code; codes are
stored keyed and salted, older unsalted ones still open; the idempotency table keeps no code."""
from __future__ import annotations

import json

import boto3
import pytest
from chalice.local import LambdaEventConverter

from chalicelib import config, wiring
from chalicelib.domain.errors import NotFound, TooManyAttempts
from chalicelib.domain.ids import hash_access_code
from chalicelib.services import limits, reports
from tests.support import report_body

WRONG = "0000000000"
UNKNOWN = "ZZZZ-ZZZZ"
CENTRAL = "admin.pusat"


def track(api, tid, code=None):
    return api.get(f"/reports/{tid}", headers={"X-Access-Code": code} if code else {})


def load(tid, code, client):
    return reports.load_for_reporter(wiring.deps(), tid, code, wiring.now(), client=client)


@pytest.fixture
def from_address(monkeypatch):
    """Requests through the test client come from this source address."""
    return lambda ip: monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", ip)


# ---- a wrong code is an unknown id -------------------------------------------------------------------
@pytest.mark.parametrize("flags", [{"confidential": True}, {}], ids=["confidential", "not yet published"])
def test_a_wrong_code_answers_exactly_what_an_unknown_id_answers(api, flags):
    tid = api.submit(**flags)["tracking_id"]
    unknown_without, unknown_with = track(api, UNKNOWN), track(api, UNKNOWN, WRONG)
    assert unknown_without[0] == unknown_with[0] == 404
    assert track(api, tid, WRONG) == unknown_with == unknown_without
    assert track(api, tid) == unknown_without


def test_a_wrong_code_on_a_published_report_is_404_too(api):
    tid = api.submit()["tracking_id"]
    api.act(tid, CENTRAL, "dispatch", agency_id="pemkot-medan")
    assert track(api, tid)[0] == 200
    assert track(api, tid, WRONG) == track(api, UNKNOWN, WRONG)


def test_a_reply_with_a_wrong_code_is_404_like_an_unknown_id(api):
    tid = api.submit(confidential=True)["tracking_id"]
    wrong = api.post(f"/reports/{tid}/replies", {"message": "halo"}, headers={"X-Access-Code": WRONG})
    unknown = api.post(f"/reports/{UNKNOWN}/replies", {"message": "halo"}, headers={"X-Access-Code": WRONG})
    assert wrong == unknown and wrong[0] == 404


# ---- limits: per report and per client, never against the right code -----------------------------------
def test_a_stranger_cannot_lock_the_reporter_out(api, from_address):
    created = api.submit(confidential=True)
    tid, code = created["tracking_id"], created["access_code"]
    for attempt in range(limits.CODE_ATTEMPTS + 3):
        from_address(f"203.0.113.{attempt}")  # spread over clients: only the report's counter fills
        assert track(api, tid, WRONG)[0] == (404 if attempt < limits.CODE_ATTEMPTS else 429)
    from_address("198.51.100.7")
    assert track(api, tid, WRONG)[0] == 429  # the report's counter stops guessing from anywhere
    assert track(api, tid, code)[0] == 200  # ...but never its reporter
    assert api.post(f"/reports/{tid}/replies", {"message": "Lokasi tepatnya di depan pasar."},
                    headers={"X-Access-Code": code})[0] == 409  # reached the lifecycle, not the limiter


def test_the_right_code_works_from_a_locked_client_too(api):
    created = api.submit(confidential=True)
    for _ in range(limits.CODE_ATTEMPTS + 1):
        with pytest.raises((NotFound, TooManyAttempts)):
            load(created["tracking_id"], WRONG, "203.0.113.9")
    with pytest.raises(TooManyAttempts):
        load(created["tracking_id"], WRONG, "203.0.113.9")
    report, as_reporter = load(created["tracking_id"], created["access_code"], "203.0.113.9")
    assert as_reporter and report.tracking_id == created["tracking_id"]


def test_one_client_guessing_across_many_reports_is_stopped(api):
    victims = [api.submit(confidential=True)["tracking_id"] for _ in range(limits.CLIENT_CODE_ATTEMPTS + 1)]
    for tid in victims[:-1]:  # one guess per report: no report's own counter is anywhere near its limit
        with pytest.raises(NotFound):
            load(tid, WRONG, "203.0.113.50")
    with pytest.raises(TooManyAttempts):
        load(victims[-1], WRONG, "203.0.113.50")
    with pytest.raises(NotFound):
        load(victims[-1], WRONG, "198.51.100.60")  # another client is not affected


def test_unknown_ids_fill_the_counters_like_real_ones(api, from_address):
    """Otherwise the 429 after ten wrong codes would tell which tracking ids exist."""
    real = api.submit(confidential=True)["tracking_id"]
    answers = {}
    for tid, address in ((real, "203.0.113.1"), (UNKNOWN, "203.0.113.2")):  # one client each: their own limit
        from_address(address)
        answers[tid] = [track(api, tid, WRONG)[0] for _ in range(limits.CODE_ATTEMPTS + 1)]
    assert answers[real] == answers[UNKNOWN] == [404] * limits.CODE_ATTEMPTS + [429]


def test_the_tracking_route_counts_wrong_codes_per_source_address(api, from_address):
    """The route passes the caller's address (the per-client limit above, through HTTP)."""
    victims = [api.submit(confidential=True)["tracking_id"] for _ in range(limits.CLIENT_CODE_ATTEMPTS + 1)]
    from_address("203.0.113.77")
    assert [track(api, tid, WRONG)[0] for tid in victims] == [404] * limits.CLIENT_CODE_ATTEMPTS + [429]
    from_address("198.51.100.78")
    assert track(api, victims[-1], WRONG)[0] == 404


# ---- storage ----------------------------------------------------------------------------------------------
def _stored_body(tid) -> dict:
    from chalicelib.adapters.store import ReportModel

    return ReportModel.get(tid).body.as_dict()


def test_a_new_reports_code_is_stored_keyed_and_salted(api):
    created = api.submit()
    stored = _stored_body(created["tracking_id"])["access_code_hash"]
    assert stored.startswith("hmac-sha256$") and created["access_code"] not in stored
    assert hash_access_code(created["access_code"]) not in stored


def test_a_code_stored_with_the_old_unsalted_hash_still_opens_its_report(api):
    from chalicelib.adapters.store import ReportModel

    created = api.submit(confidential=True)
    model = ReportModel.get(created["tracking_id"])
    model.body["access_code_hash"] = hash_access_code(created["access_code"])
    model.save()
    assert track(api, created["tracking_id"], created["access_code"])[0] == 200
    assert track(api, created["tracking_id"], WRONG)[0] == 404


def _idempotency_items() -> list[dict]:
    table = boto3.resource("dynamodb", region_name="ap-southeast-3").Table(config.settings().table("idempotency"))
    return table.scan()["Items"]


def test_the_idempotency_table_keeps_no_access_code_and_a_replay_returns_the_same_one(api):
    headers = {"Idempotency-Key": "formulir-7f3a9c"}
    first = api.post("/reports", report_body(), headers=headers)
    again = api.post("/reports", report_body(), headers=headers)
    assert first[0] == again[0] == 201 and first[1] == again[1]
    code = first[1]["access_code"]
    stored = json.dumps(_idempotency_items(), default=str)
    assert first[1]["tracking_id"] in stored and code not in stored and code.lower() not in stored


def test_an_answer_sealed_for_one_idempotency_key_does_not_open_with_another(api):
    from cryptography.exceptions import InvalidTag

    from chalicelib.adapters.idempotency import open_answer, seal_answer

    sealed = seal_answer({"tracking_id": "AB12-CD34", "access_code": "ABCDEFGH12"}, "key-one")
    assert "ABCDEFGH12" not in json.dumps(sealed)
    assert open_answer(sealed, "key-one") == {"tracking_id": "AB12-CD34", "access_code": "ABCDEFGH12"}
    with pytest.raises(InvalidTag):
        open_answer(sealed, "key-two")


# ---- the key ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("stage,key,ok", [
    ("test", "", True), ("local", "", True), ("dev", "", True),
    ("prod", "", False), ("staging", "", False), ("prod", "short", False), ("prod", "k" * 32, True),
])
def test_only_local_and_dev_stages_may_run_without_an_access_code_key(monkeypatch, stage, key, ok):
    monkeypatch.setenv("STAGE", stage)
    monkeypatch.setenv("ACCESS_CODE_KEY", key)
    config.settings.cache_clear()
    try:
        if ok:
            assert len(config.settings().access_code_key) >= 32
        else:
            with pytest.raises(RuntimeError, match="ACCESS_CODE_KEY"):
                config.settings().access_code_key
    finally:
        config.settings.cache_clear()


def test_the_key_never_shows_in_the_settings_repr(monkeypatch):
    monkeypatch.setenv("ACCESS_CODE_KEY", "s3cret-" * 6)
    config.settings.cache_clear()
    try:
        assert "s3cret" not in repr(config.settings())
    finally:
        config.settings.cache_clear()
