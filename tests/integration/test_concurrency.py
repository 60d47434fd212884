"""Two writers on one report: one wins, the other is told (409) or retries, and nothing is lost.

moto in-process is not atomic across threads, so "at the same moment" is the worst interleaving,
made deterministic: the second writer runs start to finish between the first writer's read and
its write (inside the first writer's TransactWriteItems, just before it is sent)."""
from __future__ import annotations

import contextlib
import datetime as dt
import json

import pytest
from pynamodb.transactions import TransactWrite

from chalicelib import wiring
from chalicelib.adapters import notifier
from chalicelib.adapters.outbox import OutboxModel
from tests.integration.proof_support import (  # noqa: F401 (api, world: fixtures)
    api, assert_error_body, tick, world)
from tests.support import WIB, report_body

CENTRAL, MEDAN, DISHUB = "admin.pusat", "admin.medan", "penghubung.dishub.medan"


@contextlib.contextmanager
def interleaved(second, monkeypatch):
    """Runs `second()` once, inside the next TransactWriteItems, before it is sent: the first
    writer has read and decided, the second one reads, decides and commits, then the first
    writer's transaction goes out."""
    original = TransactWrite._commit
    state = {"done": False, "result": None}

    def commit(self):
        if not state["done"]:
            state["done"] = True
            state["result"] = second()
        return original(self)

    monkeypatch.setattr(TransactWrite, "_commit", commit)
    yield state
    monkeypatch.setattr(TransactWrite, "_commit", original)
    assert state["done"], "the second writer never ran"


def assigned_report(api) -> str:
    tid = api.submit(kind="information_request")["tracking_id"]
    tick(60)
    api.act(tid, CENTRAL, "dispatch", agency_id="pemkot-medan")
    tick(60)
    api.act(tid, MEDAN, "assign", unit_id="pemkot-medan.dishub")
    tick(60)
    return tid


def history(api, tid) -> list[str]:
    return [h["action"] for h in api.get(f"/staff/reports/{tid}", user=CENTRAL)[1]["history"]
            if h["action"] != "identity_read"]  # the audit's rows, shown to the central admin


def breaches(api, tid) -> list[str]:
    """The stages whose breach the history records, in order (each at most once)."""
    return [h["data"]["stage"] for h in api.get(f"/staff/reports/{tid}", user=CENTRAL)[1]["history"]
            if h["action"] == "mark_overdue"]


def outbox_keys(tid) -> list[str]:
    return sorted(m.dedup_key for m in OutboxModel.scan() if m.tracking_id == tid and m.dedup_key)


# ---- two officers ----------------------------------------------------------------------------------
@pytest.mark.parametrize("first,second", [
    ((DISHUB, {"action": "respond", "message": "Petugas meninjau lokasi."}),
     (MEDAN, {"action": "assign", "unit_id": "pemkot-medan.dlh"})),
    ((MEDAN, {"action": "assign", "unit_id": "pemkot-medan.dlh"}),
     (DISHUB, {"action": "respond", "message": "Petugas meninjau lokasi."})),
])
def test_two_officers_at_the_same_moment_one_wins_the_other_gets_409_and_nothing_is_lost(
        api, monkeypatch, first, second):
    tid = assigned_report(api)
    before_history, before_outbox = history(api, tid), outbox_keys(tid)
    path = f"/staff/reports/{tid}/actions"
    with interleaved(lambda: api.post(path, second[1], user=second[0]), monkeypatch) as inner:
        loser = api.post(path, first[1], user=first[0])
    winner = inner["result"]
    assert winner[0] == 200, winner[1]
    assert loser[0] == 409
    assert_error_body(loser[1], code="conflict")
    # the winner's change is whole; the loser left no trace (no event, no message, no counter)
    assert history(api, tid) == [*before_history, second[1]["action"]]
    view = api.get(f"/staff/reports/{tid}", user=CENTRAL)[1]
    assert view["status"] == winner[1]["status"] and view["version"] == winner[1]["version"]
    new_rows = [k for k in outbox_keys(tid) if k not in before_outbox]
    assert all(f"|{second[1]['action']}@" in k for k in new_rows)


def test_the_officer_who_lost_reloads_and_acts_on_what_is_there_now(api, monkeypatch):
    tid = assigned_report(api)
    path = f"/staff/reports/{tid}/actions"
    respond = {"action": "respond", "message": "Petugas meninjau lokasi."}
    with interleaved(lambda: api.post(path, respond, user=DISHUB), monkeypatch):
        assert api.post(path, {"action": "respond", "message": "Jawaban kedua."}, user=DISHUB)[0] == 409
    tick(60)
    again = api.post(path, {"action": "respond", "message": "Jawaban kedua."}, user=DISHUB)
    assert again[0] == 200
    assert history(api, tid)[-2:] == ["respond", "respond"]
    messages = [h["message"] for h in api.get(f"/staff/reports/{tid}", user=CENTRAL)[1]["history"]
                if h["action"] != "identity_read"][-2:]
    assert messages == ["Petugas meninjau lokasi.", "Jawaban kedua."]


# ---- the sweep against an officer ----------------------------------------------------------------------
BREACH = dt.datetime(2025, 1, 1, 1, 0, tzinfo=WIB)  # first response and completion were due 31 Dec


def test_an_officer_answering_while_the_sweep_runs_keeps_the_answer_and_the_breach_is_recorded_once(api):
    """The sweep read the due index, the officer answered, then the sweep wrote its stale copy."""
    from chalicelib.services.sweep import sweep as sweep_service
    from scheduled.sweep import run_sweep

    tid = assigned_report(api)
    api.platform.clock.set(BREACH)
    read_by_sweep = [r for r in wiring.deps().reports.due(BREACH) if r.tracking_id == tid]
    assert read_by_sweep
    answer = api.post(f"/staff/reports/{tid}/actions", {"action": "respond", "message": "Kami tinjau."}, user=DISHUB)
    assert answer[0] == 200
    stale = sweep_service(wiring.deps(), BREACH, lambda now: iter(read_by_sweep))
    # The stale copy loses its version check; read again, the report owes only the completion breach.
    assert (stale["changed"], stale["conflicts"], stale["failed"]) == (1, 1, 0)
    assert "respond" in history(api, tid)  # the answer stands
    run_sweep(BREACH)  # the next run sees the answer and does what is still due, once
    run_sweep(BREACH + dt.timedelta(minutes=15))
    actions = history(api, tid)
    assert actions.count("respond") == 1 and breaches(api, tid) == ["completion"]
    keys = outbox_keys(tid)
    assert len(keys) == len(set(keys))


def test_a_sweep_committing_between_the_officers_read_and_write_makes_the_officer_retry(api, monkeypatch):
    from scheduled.sweep import run_sweep

    tid = assigned_report(api)
    api.platform.clock.set(BREACH)
    path = f"/staff/reports/{tid}/actions"
    with interleaved(lambda: run_sweep(BREACH), monkeypatch) as inner:
        lost = api.post(path, {"action": "respond", "message": "Kami tinjau."}, user=DISHUB)
    assert inner["result"]["changed"] == 1
    assert lost[0] == 409
    assert_error_body(lost[1], code="conflict")
    tick(60)
    assert api.post(path, {"action": "respond", "message": "Kami tinjau."}, user=DISHUB)[0] == 200
    assert history(api, tid).count("respond") == 1
    assert sorted(breaches(api, tid)) == ["completion", "first_response"]  # both were due 31 Dec
    view = api.get(f"/staff/reports/{tid}", user=CENTRAL)[1]
    assert view["overdue"] is True and view["status"] == "in_progress"  # completion is still open and late


# ---- the same Idempotency-Key --------------------------------------------------------------------------
def _submit(api, key, body=None):
    response = api.client.http.post("/reports", body=json.dumps(body or report_body()),
                                    headers={"Content-Type": "application/json", "Idempotency-Key": key})
    return response.status_code, json.loads(response.body), response.headers


def _titles(api) -> list[str]:
    return [i["title"] for i in api.get("/staff/reports?limit=200", user=CENTRAL)[1]["items"]]


def test_the_same_idempotency_key_twice_in_a_row_makes_one_report(api):
    first, again = _submit(api, "form-1"), _submit(api, "form-1")
    assert first[0] == again[0] == 201
    assert again[1] == first[1] and again[2].get("Idempotent-Replayed") == "true"
    assert "Idempotent-Replayed" not in first[2]
    assert len(_titles(api)) == 1


def test_the_same_idempotency_key_interleaved_makes_one_report(api, monkeypatch):
    """B arrives while A is between its idempotency record and its report write."""
    with interleaved(lambda: _submit(api, "form-2"), monkeypatch) as inner:
        first = _submit(api, "form-2")
    second = inner["result"]
    assert first[0] == 201
    assert second[0] == 409
    assert_error_body(second[1], code="conflict")
    retried = _submit(api, "form-2")
    assert retried[0] == 201 and retried[1]["tracking_id"] == first[1]["tracking_id"]
    assert retried[2].get("Idempotent-Replayed") == "true"
    assert len(_titles(api)) == 1


def test_the_same_key_with_another_body_interleaved_never_makes_a_second_report(api, monkeypatch):
    other = report_body(title="Lampu jalan mati di Jl. Gajah Mada")
    with interleaved(lambda: _submit(api, "form-3", other), monkeypatch) as inner:
        first = _submit(api, "form-3")
    # the other body is refused as a reused key even while the first is in flight
    assert first[0] == 201 and inner["result"][0] == 422
    assert_error_body(inner["result"][1], code="unprocessable")
    later = _submit(api, "form-3", other)
    assert later[0] == 422 and "Idempotency-Key" in later[1]["error"]["fields"]
    assert _titles(api) == [report_body()["title"]]
