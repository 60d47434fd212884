"""Second review, the clock against moto: a reopened stage never jams the sweep, one bad report
never halts it, busy items are retried instead of answered 500, a run stops inside its time
budget, an escalation to 30 admins fits, and the digest reads open work only."""
from __future__ import annotations

import collections
import datetime as dt

import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from chalicelib import wiring
from chalicelib.adapters.outbox import ChangeModel, OutboxModel
from chalicelib.adapters.store import ReportModel
from chalicelib.domain.staff import StaffMember
from scheduled.sweep import run_digest, run_sweep
from tests.support import WIB

CENTRAL, MEDAN, DISHUB = "admin.pusat", "admin.medan", "penghubung.dishub.medan"


def at(day: str, hour: int = 8, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour, minute), tzinfo=WIB)


def sweep(platform, moment: dt.datetime, **kwargs) -> dict:
    platform.clock.set(moment)
    return run_sweep(moment, **kwargs)


def history(api, tid) -> list[dict]:
    return api.get(f"/staff/reports/{tid}", user=CENTRAL)[1]["history"]


def assigned(api, kind: str = "information_request") -> str:
    """Dispatched Fri 20 Dec 2024 and assigned: first response and completion due Tue 31 Dec."""
    tid = api.submit(kind=kind)["tracking_id"]
    api.act(tid, CENTRAL, "dispatch", agency_id="pemkot-medan")
    api.act(tid, MEDAN, "assign", unit_id="pemkot-medan.dishub")
    return tid


@pytest.fixture
def botocore_stub():
    """Answers the next calls of one DynamoDB operation with the given error responses (None: let
    that call through), through botocore's documented before-call hook."""
    # Each model has its own connection: the report's transaction and the outbox's parts.
    clients = {id(m._get_connection().connection.client): m._get_connection().connection.client
               for m in (ReportModel, ChangeModel)}.values()
    registered = []

    def install(operation: str, *answers: dict):
        queue = list(answers)

        class Http:
            status_code = 400

        def answer(**kwargs):
            response = queue.pop(0) if queue else None
            return (Http(), response) if response else None

        for client in clients:
            client.meta.events.register(f"before-call.dynamodb.{operation}", answer)
            registered.append((client, f"before-call.dynamodb.{operation}", answer))
        return queue

    yield install
    for client, event, handler in registered:
        client.meta.events.unregister(event, handler)


def cancelled(*codes: str) -> dict:
    return {"Error": {"Code": "TransactionCanceledException", "Message": "Transaction cancelled"},
            "CancellationReasons": [{"Code": c} for c in codes]}


# ---- 1. a reopened stage ------------------------------------------------------------------------------
def test_a_reassigned_report_keeps_its_clock_running_up_to_the_ombudsman_referral(api, platform):
    tid = assigned(api)
    assert sweep(platform, at("2025-01-06"))["changed"] == 1  # breach and escalation of both stages
    platform.clock.set(at("2025-01-06", 9))
    api.act(tid, DISHUB, "reroute", message="Bukan unit kami")
    api.act(tid, MEDAN, "assign", unit_id="pemkot-medan.dlh")  # first response reopens, same due date
    quiet = [sweep(platform, at("2025-01-06", 9) + dt.timedelta(minutes=15 * i)) for i in range(1, 5)]
    assert [(r["conflicts"], r["failed"]) for r in quiet] == [(0, 0)] * 4
    referral_day = api.get(f"/staff/reports/{tid}", user=CENTRAL)[1]["deadlines"]["ombudsman_referral"]
    result = sweep(platform, at(referral_day) + dt.timedelta(days=1, hours=-7))
    assert (result["conflicts"], result["failed"]) == (0, 0)
    actions = [h["action"] for h in history(api, tid)]
    assert actions.count("refer_ombudsman") == 1
    # each breach once, however often the stage reopened
    assert sorted(h["data"]["stage"] for h in history(api, tid) if h["action"] == "mark_overdue") == [
        "completion", "first_response"]


# ---- 2. one bad report --------------------------------------------------------------------------------
def test_one_report_that_fails_is_logged_and_counted_and_the_others_are_swept(api, platform, monkeypatch, caplog):
    from chalicelib.domain.report import Report

    bad, good = assigned(api), assigned(api)
    original = Report.run_due_tasks

    def broken(self, now, calc):
        if self.tracking_id == bad:
            raise RuntimeError("corrupt report")
        return original(self, now, calc)

    monkeypatch.setattr(Report, "run_due_tasks", broken)
    result = sweep(platform, at("2025-01-02"))
    assert (result["failed"], result["changed"]) == (1, 1)
    assert "mark_overdue" in [h["action"] for h in history(api, good)]
    (logged,) = [r for r in caplog.records if r.getMessage() == "sweep could not process a report"]
    assert logged.levelname == "ERROR" and logged.tracking_id == bad


def test_an_escalation_to_thirty_admins_reaches_each_of_them_once(api, platform):
    directory = wiring.directory()
    for i in range(30):
        directory.put_staff(StaffMember(username=f"admin.pusat.{i}", name=f"Admin {i}", role="central_admin",
                                        email=f"pusat{i}@lapor.example.go.id", phone=f"+62812000000{i:02d}"))
    tid = assigned(api)
    result = sweep(platform, at("2025-01-06"))  # the escalation of both stages is due
    assert (result["changed"], result["failed"]) == (1, 0)
    sweep(platform, at("2025-01-06", 8, 15))
    sent = ses_backends[DEFAULT_ACCOUNT_ID]["ap-southeast-3"].sent_messages
    escalations = collections.Counter(m.destinations["ToAddresses"][0] for m in sent
                                      if "pusat" in m.destinations["ToAddresses"][0] and tid in m.subject)
    assert len(escalations) == 31 and set(escalations.values()) == {2}  # 31 central admins, two stages, once each
    changes = [c for c in ChangeModel.scan() if c.id.startswith("change#") and c.tracking_id == tid]
    assert max(int(c.parts) for c in changes) >= 2 and all(c.pending is None for c in changes)


def test_the_report_transaction_stays_small_whatever_the_change_owes(api, platform):
    """Counters and messages ride in one outbox row: a cross-province forward, the change that
    moves the most counter items, is still a transaction of a handful of items."""
    sizes = []
    connection = ReportModel._get_connection().connection
    original = connection.transact_write_items

    def measure(**kwargs):
        items = sum(len(kwargs.get(k) or []) for k in ("condition_check_items", "delete_items", "put_items",
                                                         "update_items"))
        sizes.append(items)
        return original(**kwargs)

    connection.transact_write_items = measure
    try:
        tid = assigned(api)
        platform.clock.advance(hours=1)
        api.act(tid, DISHUB, "reroute", message="Bukan unit kami")
        api.act(tid, MEDAN, "reroute", message="Bukan wewenang kami")
        api.act(tid, CENTRAL, "dispatch", agency_id="pemkot-batam")
    finally:
        connection.transact_write_items = original
    assert max(sizes) <= 100
    report_transactions = sizes[::2]  # each change: its own transaction, then the outbox's
    assert max(report_transactions) <= 5


# ---- 3. transaction conflicts -------------------------------------------------------------------------
def test_a_report_transaction_cancelled_by_a_transaction_conflict_is_retried(api, botocore_stub):
    tid = api.submit()["tracking_id"]
    botocore_stub("TransactWriteItems", cancelled("TransactionConflict", "None", "None"))
    status, body = api.post(f"/staff/reports/{tid}/actions", {"action": "dispatch", "agency_id": "pemkot-medan"},
                            user=CENTRAL)
    assert status == 200 and body["status"] == "dispatched"


def test_a_report_that_stays_busy_answers_409_conflict_not_500(api, botocore_stub):
    tid = api.submit()["tracking_id"]
    botocore_stub("TransactWriteItems", *[cancelled("TransactionConflict", "None")] * 4)
    status, body = api.post(f"/staff/reports/{tid}/actions", {"action": "dispatch", "agency_id": "pemkot-medan"},
                            user=CENTRAL)
    assert status == 409 and body["error"]["code"] == "conflict"
    assert api.get(f"/staff/reports/{tid}", user=CENTRAL)[1]["status"] == "submitted"


def test_busy_counter_items_delay_the_statistics_never_the_change(api, platform, botocore_stub):
    tid = api.submit()["tracking_id"]
    # The report's own transaction goes through; the outbox's part meets busy counters every try.
    queue = botocore_stub("TransactWriteItems", None, *[cancelled("None", "TransactionConflict")] * 4)
    status, _ = api.post(f"/staff/reports/{tid}/actions", {"action": "dispatch", "agency_id": "pemkot-medan"},
                         user=CENTRAL)
    assert status == 200
    pending = [c for c in ChangeModel.scan() if c.id.startswith(f"change#{tid}#") and c.pending]
    assert len(pending) == 1  # left for the sweep, which applies it once the counters are free
    queue.clear()
    result = sweep(platform, platform.clock() + dt.timedelta(minutes=2))
    assert result["changes_applied"] == 1
    assert not [c for c in ChangeModel.scan() if c.id.startswith(f"change#{tid}#") and c.pending]
    received = api.get("/staff/statistics?agency_id=pemkot-medan", user=CENTRAL)[1]["totals"]["received"]
    assert received == 1


# ---- 4. the time budget -------------------------------------------------------------------------------
def test_a_run_near_its_time_limit_stops_cleanly_and_the_next_run_continues(api, platform):
    ids = [assigned(api) for _ in range(3)]
    budget = iter([600.0, 600.0, 10.0] + [600.0] * 100)  # the third report finds 10 s left
    first = sweep(platform, at("2025-01-02"), time_left=lambda: next(budget))
    assert first["stopped_early"] and first["changed"] == 2
    second = sweep(platform, at("2025-01-02", 8, 15))
    assert second["changed"] == 1
    assert all("mark_overdue" in [h["action"] for h in history(api, t)] for t in ids)


# ---- 5. the digest reads open work only -----------------------------------------------------------------
def test_the_digest_reads_only_open_reports_due_soon(api, platform):
    open_tid = assigned(api)
    closed = assigned(api)
    api.act(closed, DISHUB, "respond", message="Sedang ditangani")
    api.act(closed, DISHUB, "final_answer", message="Sudah selesai")
    read = []
    client = ReportModel._get_connection().connection.client

    def count(parsed=None, **kwargs):
        read.extend(item["tracking_id"]["S"] for item in (parsed or {}).get("Items", []) if "tracking_id" in item)

    client.meta.events.register("after-call.dynamodb.Query", count)
    try:
        platform.clock.set(at("2024-12-27", 7))
        result = run_digest(at("2024-12-27", 7))
    finally:
        client.meta.events.unregister("after-call.dynamodb.Query", count)
    assert result["people"] >= 1
    assert open_tid in read and closed not in read  # awaiting the reporter: no officer's work


# ---- the outbox of changes ----------------------------------------------------------------------------
def test_a_change_applies_once_and_never_rewrites_a_message_that_exists(api, platform):
    """A message whose dedup key has a row already (sent) is left as it is; the rest of the part,
    counters included, is applied; applying again changes nothing."""
    from chalicelib.adapters.counters import CounterModel
    from chalicelib.adapters.outbox import change_row
    from chalicelib.domain.messages import Change, Message

    outbox, now = wiring.outbox(), platform.clock()
    old = Message("demo|old|email", "email", "old@example.id", "lama")
    new = Message("demo|new|email", "email", "new@example.id", "baru")
    assert outbox.put_alone(old, now) and outbox.deliver([old.id], now)["sent"] == 1
    change = Change("DEMO-0001", 1, {("all", "total#2024-12#"): {"received": 1}}, [old, new])
    change_row(change, now).save()
    outbox.apply(change, now)
    outbox.apply(change, now)
    rows = {m.id: m for m in OutboxModel.scan() if m.dedup_key}
    assert (rows[old.id].status, rows[old.id].pending) == ("sent", None)
    assert rows[new.id].status == "sent"
    assert int(CounterModel.get("all", "total#2024-12#").received) == 1
    assert ChangeModel.get(change.id).pending is None
