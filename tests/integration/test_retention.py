"""Retention (issue 15): the reporter's identity and attachments of closed reports are erased
RETENTION_MONTHS_AFTER_CLOSING after closing (archived spam: SPAM_RETENTION_DAYS) by the daily job,
over a sparse index of what is due (no Scan), idempotently, with a dry run, a time budget and
EMF metrics, and the statistics unchanged. Time is an input: every run names its moment."""
from __future__ import annotations

import datetime as dt
import json

import boto3
import pytest

from chalicelib import wiring
from chalicelib.adapters.attachments import DynamoAttachments
from chalicelib.adapters.counters import CounterModel
from chalicelib.adapters.store import ReportModel
from chalicelib.config import settings
from chalicelib.services.attachments import default_files
from chalicelib.services.retention import retention
from tests.integration.test_attachments import attach, object_exists
from tests.support import WIB

CENTRAL, MEDAN, DISHUB = "admin.pusat", "admin.medan", "penghubung.dishub.medan"
REPORTER = {"name": "Rina Marlina", "email": "rina.retensi@example.com", "phone": "0812-6000-2468"}


@pytest.fixture
def s3(platform):
    client = boto3.client("s3", region_name=settings().region)
    client.create_bucket(Bucket=settings().attachments_bucket,
                         CreateBucketConfiguration={"LocationConstraint": settings().region})
    return client


def at(day: str, hour: int = 2) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), WIB)


def run(now: dt.datetime, **kwargs) -> dict:
    return retention(wiring.deps(), default_files(), now, **kwargs)


def completed_with_a_photo(api) -> tuple[str, str]:
    """Filed, handled and accepted on Friday 20 December 2024 (the frozen clock): closed that day."""
    created = api.submit(reporter=REPORTER)
    tid, code = created["tracking_id"], created["access_code"]
    attach(api, tid, code)
    api.act(tid, CENTRAL, "dispatch", agency_id="pemkot-medan")
    api.act(tid, MEDAN, "assign", unit_id="pemkot-medan.dishub")
    api.act(tid, DISHUB, "respond", message="Kami tinjau.")
    api.act(tid, DISHUB, "final_answer", message="Sudah ditertibkan.")
    api.reply(tid, code, accept=True, rating=4)
    return tid, code


def reporter_of(tid: str) -> dict:
    return ReportModel.get(tid).body.as_dict()["reporter"]


def counters() -> list:
    return sorted((c.scope, c.key, json.dumps(c.attribute_values, sort_keys=True, default=str)) for c in CounterModel.scan())


def test_a_completed_reports_reporter_is_erased_24_months_after_closing_and_statistics_stay(api, s3):
    tid, code = completed_with_a_photo(api)
    (photo,) = DynamoAttachments().list(tid)
    assert ReportModel.get(tid).erase_due_key == f"2026-12-20#{tid}"  # set when it closed
    before = counters()

    assert run(at("2026-12-19"))["due"] == 0  # a day early: nothing
    dry = run(at("2026-12-20"), dry_run=True)
    assert dry["due"] == 1 and dry["would_erase"] == [tid] and dry["erased"] == 0
    assert reporter_of(tid)["email"] == REPORTER["email"] and object_exists(s3, photo.stored_key)  # dry: untouched

    done = run(at("2026-12-20"))
    assert (done["due"], done["erased"], done["attachments_deleted"], done["failed"]) == (1, 1, 1, 0)
    assert reporter_of(tid) == {"name": "Anonim", "email": None, "phone": None}
    assert not object_exists(s3, photo.stored_key) and DynamoAttachments().list(tid) == []
    assert counters() == before  # counters carry no identity
    model = ReportModel.get(tid)
    assert model.erase_bucket is None and model.erase_due_key is None  # out of the index
    _, staff = api.get(f"/staff/reports/{tid}", user=CENTRAL)
    assert staff["status"] == "completed" and staff["rating"] == 4
    assert staff["history"][-1]["action"] == "erase_identity" and staff["history"][-1]["data"] == {"reason": "retention"}

    again = run(at("2026-12-21"))
    assert (again["due"], again["erased"]) == (0, 0)  # idempotent: the index no longer holds it
    assert api.get(f"/reports/{tid}", headers={"X-Access-Code": code})[0] == 200  # the report stays


def test_a_report_archived_as_spam_is_erased_after_90_days_and_an_open_one_never(api, s3):
    spam = api.submit(reporter=REPORTER)["tracking_id"]
    api.act(spam, CENTRAL, "archive", reason="spam")
    open_one = api.submit(reporter=REPORTER)["tracking_id"]
    assert ReportModel.get(open_one).erase_bucket is None
    assert run(at("2025-03-19"))["due"] == 0  # 20 Dec 2024 + 90 days = 20 Mar 2025
    assert run(at("2025-03-20"))["erased"] == 1
    assert reporter_of(spam)["name"] == "Anonim" and reporter_of(open_one) == {
        "name": "Rina Marlina", "email": "rina.retensi@example.com", "phone": "+6281260002468"}
    assert run(at("2030-01-01"))["due"] == 0


def test_the_period_is_a_setting(api, s3, monkeypatch):
    monkeypatch.setenv("RETENTION_MONTHS_AFTER_CLOSING", "6")
    settings.cache_clear()
    try:
        tid, _ = completed_with_a_photo(api)
        assert ReportModel.get(tid).erase_due_key == f"2025-06-20#{tid}"
        assert run(at("2025-06-20"))["erased"] == 1
    finally:
        monkeypatch.delenv("RETENTION_MONTHS_AFTER_CLOSING")
        settings.cache_clear()


def test_a_reporter_who_erased_themselves_before_closing_leaves_nothing_for_retention_but_its_mark(api, s3):
    created = api.submit(reporter=REPORTER)
    tid, code = created["tracking_id"], created["access_code"]
    assert api.client.http.delete(f"/reports/{tid}/my-data", headers={"X-Access-Code": code}).status_code == 200
    api.platform.clock.advance(hours=1)
    api.act(tid, CENTRAL, "archive", reason="duplicate")
    assert ReportModel.get(tid).erase_due_key == f"2026-12-20#{tid}"  # closed after the erasure: still owed a pass
    result = run(at("2026-12-20"))
    assert (result["due"], result["erased"], result["attachments_deleted"]) == (1, 1, 0)
    assert ReportModel.get(tid).erase_bucket is None


def test_the_job_reads_only_its_index_never_scans_and_stops_within_its_time(api, s3):
    from bench.calls_bench import DynamoCalls

    tids = [completed_with_a_photo(api)[0] for _ in range(2)]
    for _ in range(3):
        api.submit(reporter=REPORTER)  # open reports: not read at all
    stopped = run(at("2026-12-20"), time_left=lambda: 10.0)  # under the sweep's 30 s margin
    assert stopped["stopped_early"] and stopped["erased"] == 0
    meter = DynamoCalls()
    with meter.installed(), meter.counting() as calls:
        result = run(at("2026-12-20"))
    assert result["erased"] == 2 and "Scan" not in calls
    assert calls["Query"] == 1 + 2  # the index once, each report's attachments once
    assert calls["TransactWriteItems"] == 2 and calls["DeleteItem"] == 2 and "GetItem" not in calls
    assert {reporter_of(t)["name"] for t in tids} == {"Anonim"}


def test_the_scheduled_handler_publishes_what_it_erased_as_emf_metrics(api, s3, capsys):
    from scheduled.retention import retention_handler

    completed_with_a_photo(api)
    capsys.readouterr()
    result = retention_handler({"time": "2026-12-19T19:00:00Z"})  # 02:00 WIB on the 20th
    assert result["erased"] == 1
    emf = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    figures = {m["Name"]: doc[m["Name"]] for doc in emf for d in doc["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]}
    assert figures == {"RetentionReportsErased": [1.0], "RetentionAttachmentsDeleted": [1.0], "RetentionReportsFailed": [0.0]}


def test_make_retention_dry_run_lists_what_is_due_as_of_a_day(api, s3, capsys):
    from scheduled.retention import main

    tid, _ = completed_with_a_photo(api)
    capsys.readouterr()
    assert main(["--at", "2029-01-01", "--dry-run"]) == 0
    printed = capsys.readouterr().out
    answer = json.loads(printed[printed.index("{"):])
    assert answer["dry_run"] and answer["would_erase"] == [tid] and answer["at"].startswith("2029-01-01T00:00:00+07")
    assert reporter_of(tid)["name"] == "Rina Marlina"


def test_the_backfill_puts_reports_closed_before_retention_into_its_index_without_a_new_version(api, s3):
    """Reports closed before the index existed: no erase keys, and an archived one no closed_at
    (a completed one has completed_at). The backfill derives both, as the store would have."""
    from devtools.backfill_retention import backfill

    completed = completed_with_a_photo(api)[0]
    spam = api.submit(reporter=REPORTER)["tracking_id"]
    api.act(spam, CENTRAL, "archive", reason="spam")
    open_one = api.submit(reporter=REPORTER)["tracking_id"]
    for tid in (completed, spam):  # as stored before issue 15
        stored = ReportModel.get(tid)
        stored.update(actions=[ReportModel.erase_bucket.remove(), ReportModel.erase_due_key.remove(),
                               ReportModel.body["closed_at"].remove()])
    versions = {tid: ReportModel.get(tid).version for tid in (completed, spam)}
    assert run(at("2030-01-01"), dry_run=True)["due"] == 0  # invisible to the job

    assert backfill() == (2, 0)
    assert {tid: ReportModel.get(tid).version for tid in versions} == versions
    assert ReportModel.get(open_one).erase_bucket is None
    assert ReportModel.get(spam).body.as_dict()["closed_at"].startswith("2024-12-20T")  # the archive's moment
    assert run(at("2025-03-19"))["due"] == 0 and run(at("2025-03-20"))["erased"] == 1  # spam: 90 days
    assert reporter_of(spam)["name"] == "Anonim" and reporter_of(completed)["name"] == "Rina Marlina"
    assert run(at("2026-12-20"))["erased"] == 1 and reporter_of(completed)["name"] == "Anonim"
    assert backfill() == (2, 0) and run(at("2030-01-01"))["due"] == 0  # again: nothing new, nothing due
