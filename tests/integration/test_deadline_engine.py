"""The clock's work against moto: reminders, breach, escalation, Ombudsman referral,
auto-complete, auto-archive, and notifications by SES and SNS, each exactly once."""
from __future__ import annotations

import contextlib
import datetime as dt
import json

import pytest
from botocore.exceptions import ClientError
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from moto.sns.models import sns_backends

from chalicelib import wiring
from chalicelib.adapters import notifier, outbox
from scheduled.sweep import run_digest, run_sweep
from tests.support import WIB

REGION = "ap-southeast-3"
CENTRAL, MEDAN, DISHUB, SUMUT = "admin.pusat", "admin.medan", "penghubung.dishub.medan", "admin.sumut"


def at(day: str, hour: int = 8, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour, minute), tzinfo=WIB)


def mails() -> list[tuple[str, str]]:
    """(recipient, subject) of every e-mail moto's SES accepted."""
    return [(m.destinations["ToAddresses"][0], m.subject)
            for m in ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages]


def texts() -> list[tuple[str, str]]:
    return list(sns_backends[DEFAULT_ACCOUNT_ID][REGION].sms_messages.values())


def to(user: str) -> str:
    return f"{user}@lapor.example.go.id"


def sweep(platform, moment: dt.datetime) -> dict:
    platform.clock.set(moment)
    return run_sweep(moment)


@pytest.fixture
def dispatched(api):
    """An information request dispatched on Friday 20 Dec 2024: agency review due 27 Dec,
    completion and first response due 31 Dec (25 Dec Christmas, 26 Dec cuti bersama)."""
    created = api.submit(kind="information_request")
    report = api.act(created["tracking_id"], CENTRAL, "dispatch", agency_id="pemkot-medan")
    assert report["deadlines"]["agency_review"] == "2024-12-27"
    assert report["deadlines"]["completion"] == "2024-12-31"
    return {**created, **report}


def test_reporter_is_told_of_dispatch_by_email_and_sms(dispatched):
    assert ("siti@example.com", f"[LAPOR {dispatched['tracking_id']}] Laporan Anda diteruskan ke "
            "Pemerintah Kota Medan / Your report was dispatched") in mails()
    (phone, sms), = [t for t in texts() if t[0] == "+6281260001234"]
    assert dispatched["tracking_id"] in sms and "31-12-2024" in sms and len(sms) <= 160


def test_reminders_breach_and_escalation_each_go_out_once(api, platform, dispatched):
    tid = dispatched["tracking_id"]
    before = len(mails())

    sweep(platform, at("2024-12-23"))  # two working days before the agency review deadline
    new = mails()[before:]
    assert new == [(to(MEDAN), f"[LAPOR {tid}] Pengingat: telaah instansi jatuh tempo 27-12-2024 / "
                                "Reminder: agency review due 27-12-2024")]
    assert any(phone == "+6281200000002" and "27-12-2024" in text for phone, text in texts())

    assert sweep(platform, at("2024-12-23", 9))["changed"] == 0
    assert len(mails()) == before + 1

    sweep(platform, at("2024-12-24"))
    assert mails()[-1][1].startswith(f"[LAPOR {tid}] Pengingat: telaah instansi jatuh tempo 27-12-2024")

    # The sweep was down from Christmas until Saturday morning: the agency review deadline passed,
    # so its pending reminder is dropped and the breach goes out; completion's first reminder is due.
    count = len(mails())
    sweep(platform, at("2024-12-28", 1))
    subjects = [s for _, s in mails()[count:]]
    assert subjects == [
        f"[LAPOR {tid}] Pengingat: penyelesaian jatuh tempo 31-12-2024 / Reminder: completion due 31-12-2024",
        f"[LAPOR {tid}] TERLAMBAT: telaah instansi lewat 27-12-2024 / OVERDUE: agency review passed 27-12-2024",
    ] or sorted(subjects) == sorted([
        f"[LAPOR {tid}] Pengingat: penyelesaian jatuh tempo 31-12-2024 / Reminder: completion due 31-12-2024",
        f"[LAPOR {tid}] TERLAMBAT: telaah instansi lewat 27-12-2024 / OVERDUE: agency review passed 27-12-2024",
    ])
    staff = api.get(f"/staff/reports/{tid}", user=CENTRAL)[1]
    assert staff["overdue"] is True and staff["history"][-1]["action"] == "mark_overdue"
    assert [i["tracking_id"] for i in api.get("/staff/reports?overdue=true", user=MEDAN)[1]["items"]] == [tid]
    assert api.get(f"/reports/{tid}")[1]["overdue"] is True

    # Two working days after the breach (30, 31 Dec): central and provincial admins are told.
    count = len(mails())
    sweep(platform, at("2024-12-31"))
    recipients = {r for r, s in mails()[count:] if "Eskalasi: telaah instansi" in s}
    assert recipients == {to(CENTRAL), to(SUMUT)}
    # …and only the latest completion reminder (due today), not the one of the 30th as well.
    assert [s for _, s in mails()[count:] if "Pengingat" in s] == [
        f"[LAPOR {tid}] Pengingat: penyelesaian jatuh tempo 31-12-2024 / Reminder: completion due 31-12-2024"]

    count, sms_count = len(mails()), len(texts())
    sweep(platform, at("2024-12-31", 10))
    assert len(mails()) == count and len(texts()) == sms_count


def test_reminders_follow_the_liaison_officer_on_duty(api, platform, dispatched):
    tid = dispatched["tracking_id"]
    api.act(tid, MEDAN, "assign", unit_id="pemkot-medan.dishub")
    count = len(mails())
    sweep(platform, at("2024-12-27"))
    assert {r for r, s in mails()[count:] if "Pengingat: tanggapan pertama" in s} == {to(DISHUB)}


def test_a_unit_with_nobody_on_duty_falls_to_the_agency_admin(api, platform, dispatched):
    tid = dispatched["tracking_id"]
    count = len(mails())
    api.act(tid, MEDAN, "assign", unit_id="pemkot-medan.satpolpp")  # no liaison officer assigned
    assert [(r, s) for r, s in mails()[count:]] == [
        (to(MEDAN), f"[LAPOR {tid}] Unit tanpa pejabat penghubung / Unit has no liaison officer")]
    count = len(mails())
    sweep(platform, at("2024-12-27"))
    assert {r for r, s in mails()[count:] if "Pengingat: tanggapan pertama" in s} == {to(MEDAN)}


def test_sixty_working_days_without_completion_refers_to_ombudsman(api, platform, dispatched):
    tid = dispatched["tracking_id"]
    _topic(platform)
    referral_day = dt.date.fromisoformat(dispatched["deadlines"]["ombudsman_referral"])
    sweep(platform, at((referral_day + dt.timedelta(days=1)).isoformat(), 1))
    staff = api.get(f"/staff/reports/{tid}", user=CENTRAL)[1]
    assert staff["ombudsman_referred"] is True
    assert "refer_ombudsman" in [h["action"] for h in staff["history"]]
    assert any("Ombudsman" in s for r, s in mails() if r == "siti@example.com")
    published = _topic_messages(platform)
    assert [p["tracking_id"] for p in published] == [tid]
    assert published[0]["schema"] == "lapor.ombudsman_referral.v1"
    assert "Siti" not in json.dumps(published[0]) and "siti@example.com" not in json.dumps(published[0])
    sweep(platform, at((referral_day + dt.timedelta(days=2)).isoformat(), 1))
    assert _topic_messages(platform) == []


def test_unanswered_final_answer_completes_after_ten_working_days(api, platform, dispatched):
    tid, code = dispatched["tracking_id"], dispatched["access_code"]
    api.act(tid, MEDAN, "assign", unit_id="pemkot-medan.dishub")
    api.act(tid, DISHUB, "respond", message="Sedang diproses.")
    answered = api.act(tid, DISHUB, "final_answer", message="Informasi terlampir.")
    due = answered["deadlines"]["reporter_reply"]
    assert due == "2025-01-08"  # 23,24,27,30,31 Dec, 2,3,6,7,8 Jan (1 Jan holiday)
    sweep(platform, at(due, 22))
    assert api.get(f"/reports/{tid}", headers={"X-Access-Code": code})[1]["status"] == "awaiting_reporter"
    sweep(platform, at("2025-01-09", 0, 15))
    assert api.get(f"/reports/{tid}", headers={"X-Access-Code": code})[1]["status"] == "completed"
    assert any(s.endswith("Laporan selesai / Report completed") for r, s in mails() if r == "siti@example.com")


def test_postponed_report_without_clarification_is_archived_after_ten_working_days(api, platform):
    created = api.submit()
    tid = created["tracking_id"]
    postponed = api.act(tid, CENTRAL, "postpone", message="Mohon lampirkan foto lokasi.")
    assert postponed["deadlines"]["clarification"] == "2025-01-08"
    sweep(platform, at("2025-01-09", 0, 15))
    view = api.get(f"/staff/reports/{tid}", user=CENTRAL)[1]
    assert view["status"] == "archived" and view["archive_reason"] == "incomplete"


def test_sweep_twice_in_a_row_or_interleaved_moves_and_sends_nothing_twice(api, platform):
    """Two sweeps at the same moment: B runs start to finish between A's read of the due index
    and A's writes (the worst interleaving). A's stale copies all lose on the version check."""
    from chalicelib.services.sweep import sweep as sweep_service

    ids = [api.submit(kind="information_request")["tracking_id"] for _ in range(3)]
    for tid in ids:
        api.act(tid, CENTRAL, "dispatch", agency_id="pemkot-medan")
    count, sms_count = len(mails()), len(texts())
    moment = at("2024-12-28", 1)
    platform.clock.set(moment)
    read_by_a = list(wiring.deps().reports.due(moment))
    result_b = run_sweep(moment)
    result_a = sweep_service(wiring.deps(), moment, lambda now: iter(read_by_a))
    again = run_sweep(moment)
    assert (result_b["changed"], result_a["changed"], result_a["conflicts"], again["changed"]) == (3, 0, 3, 0)
    # per report: a breach e-mail + SMS and a completion reminder e-mail + SMS to admin.medan
    assert len(mails()) - count == 6 and len(texts()) - sms_count == 6
    assert len(set(mails()[count:])) == 6
    for tid in ids:
        history = api.get(f"/staff/reports/{tid}", user=CENTRAL)[1]["history"]
        assert [h["action"] for h in history].count("mark_overdue") == 1


def test_a_message_is_claimed_by_one_sender_only(api, platform):
    """The post-commit send and the sweep's retry may hold the same row: the claim is a
    conditional write, so the second sender finds it taken or sent."""
    tid = api.submit()["tracking_id"]
    api.act(tid, CENTRAL, "dispatch", agency_id="pemkot-medan")
    rows = [m.id for m in outbox.OutboxModel.scan() if not m.id.startswith("change#")]
    count = len(mails()) + len(texts())
    later = platform.clock() + dt.timedelta(hours=1)
    assert wiring.outbox().deliver(rows, later)["sent"] == 0  # already sent right after the commit
    assert len(mails()) + len(texts()) == count


def test_ses_outage_delays_messages_and_the_next_sweep_delivers_each_once(api, platform):
    ses = notifier._client("ses")

    def outage(**kwargs):
        raise ClientError({"Error": {"Code": "Throttling", "Message": "Rate exceeded"}}, "SendEmail")

    ses.meta.events.register("before-call.ses.SendEmail", outage)
    try:
        created = api.submit()
        tid = created["tracking_id"]
        dispatched = api.act(tid, CENTRAL, "dispatch", agency_id="pemkot-medan")
        assert dispatched["status"] == "dispatched"  # the change stands although SES is down
        assert not [m for m in mails() if m[0] == "siti@example.com"]
        assert any(t[0] == "+6281260001234" for t in texts())  # SMS still went out
        sweep(platform, platform.clock() + dt.timedelta(minutes=15))
        assert not [m for m in mails() if m[0] == "siti@example.com"]
    finally:
        ses.meta.events.unregister("before-call.ses.SendEmail", outage)
    sweep(platform, platform.clock() + dt.timedelta(minutes=15))
    assert len([m for m in mails() if m[0] == "siti@example.com"]) == 1
    sweep(platform, platform.clock() + dt.timedelta(hours=2))
    assert len([m for m in mails() if m[0] == "siti@example.com"]) == 1


@contextlib.contextmanager
def failing_ses(code: str):
    """SES answers every SendEmail with this error code until the context ends."""
    ses = notifier._client("ses")

    def refuse(**kwargs):
        raise ClientError({"Error": {"Code": code, "Message": "siti@example.com refused"}}, "SendEmail")

    ses.meta.events.register("before-call.ses.SendEmail", refuse)
    try:
        yield
    finally:
        ses.meta.events.unregister("before-call.ses.SendEmail", refuse)


def reporter_mail_rows() -> list:
    return [m for m in outbox.OutboxModel.scan() if m.channel == "email" and m.recipient == "siti@example.com"]


def test_an_ses_outage_of_two_days_loses_no_message(api, platform):
    with failing_ses("Throttling"):
        tid = api.submit()["tracking_id"]
        api.act(tid, CENTRAL, "dispatch", agency_id="pemkot-medan")
        moment = platform.clock()
        for _ in range(2 * 24):  # hourly sweeps for 48 hours, every send refused
            moment += dt.timedelta(hours=1)
            sweep(platform, moment)
    (row,) = reporter_mail_rows()
    assert row.status == "pending" and row.attempts >= 40  # retried every hour at most (capped backoff)
    sweep(platform, moment + dt.timedelta(hours=1))
    assert [m for m in mails() if m[0] == "siti@example.com"] and reporter_mail_rows()[0].status == "sent"


def test_a_message_failing_for_72_hours_is_given_up_and_logged_as_an_error(api, platform, caplog):
    with failing_ses("Throttling"):
        tid = api.submit()["tracking_id"]
        api.act(tid, CENTRAL, "dispatch", agency_id="pemkot-medan")
        moment = platform.clock()
        for _ in range(4 * 24 + 1):
            moment += dt.timedelta(hours=1)
            sweep(platform, moment)
    (row,) = reporter_mail_rows()
    assert row.status == "failed" and row.last_error == "ClientError: Throttling"
    assert row.id not in wiring.outbox().due_for_retry(moment + dt.timedelta(days=30))
    records = [r for r in caplog.records if r.name.endswith("outbox")]
    given_up = [r for r in records if r.getMessage() == "notification given up" and r.message_id == row.id]
    assert [(r.levelname, r.tracking_id) for r in given_up] == [("ERROR", tid)]
    assert not [r for r in records if "siti" in repr(vars(r))]  # the provider's message names the recipient


def test_a_refused_address_ends_at_once_and_is_logged_as_an_error(api, platform, caplog):
    with failing_ses("InvalidParameterValue"):
        tid = api.submit()["tracking_id"]
        api.act(tid, CENTRAL, "dispatch", agency_id="pemkot-medan")
    (row,) = reporter_mail_rows()
    assert (row.status, row.attempts) == ("refused", 1)
    assert row.id not in wiring.outbox().due_for_retry(platform.clock() + dt.timedelta(days=1))
    refused = [r for r in caplog.records if r.getMessage() == "notification refused"]
    assert [(r.levelname, r.message_id) for r in refused] == [("ERROR", row.id)]


def test_morning_digest_once_per_officer_per_working_day(api, platform, dispatched):
    api.act(dispatched["tracking_id"], MEDAN, "assign", unit_id="pemkot-medan.dishub")
    count = len(mails())
    platform.clock.set(at("2024-12-30", 7))
    result = run_digest(at("2024-12-30", 7))
    digests = [(r, s) for r, s in mails()[count:] if "perlu perhatian" in s]
    assert {r for r, _ in digests} == {to(DISHUB)}  # the only open stage is the unit's first response
    assert digests == [(to(DISHUB), "[LAPOR] 1 laporan perlu perhatian hari ini / 1 reports need attention today")]
    run_digest(at("2024-12-30", 7, 5))
    assert len([1 for r, s in mails() if "perlu perhatian" in s]) == len(digests)
    assert "skipped" in run_digest(at("2024-12-26", 7))  # cuti bersama: no digest
    assert result["sent"] == len(digests) * 2  # e-mail and SMS


def _topic(platform) -> str:
    """The SIMPeL topic, with an SQS queue subscribed so the test reads what was published."""
    import os

    import boto3

    from chalicelib import config

    sns, sqs = boto3.client("sns", region_name=REGION), boto3.client("sqs", region_name=REGION)
    arn = sns.create_topic(Name="lapor-test-ombudsman")["TopicArn"]
    queue = sqs.create_queue(QueueName="simpel-connector")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    os.environ["OMBUDSMAN_TOPIC_ARN"] = arn
    config.settings.cache_clear()
    platform.queue_url = queue
    return arn


def _topic_messages(platform) -> list[dict]:
    import boto3

    sqs = boto3.client("sqs", region_name=REGION)
    answer = sqs.receive_message(QueueUrl=platform.queue_url, MaxNumberOfMessages=10)
    for m in answer.get("Messages", []):
        sqs.delete_message(QueueUrl=platform.queue_url, ReceiptHandle=m["ReceiptHandle"])
    return [json.loads(m["Body"]) for m in answer.get("Messages", [])]
