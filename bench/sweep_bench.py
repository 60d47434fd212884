"""Sweep cost against open volume: DynamoDB items the sweep reads per run vs items due.

    .venv/bin/python -m bench.sweep_bench [--open 100000] [--due 100]

Loads N open reports into moto (in-process) with a bulk batch writer, of which D have a task due
now; runs the sweep once and prints the items its due-index Query read (ScannedCount, summed over
pages), the pages, the items due and the seconds. The design target: items read == items due
(plus index page boundaries), independent of the open total."""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time

os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                   "AWS_DEFAULT_REGION": "ap-southeast-3", "TABLE_PREFIX": "lapor-bench-",
                   "POWERTOOLS_LOG_LEVEL": "WARNING"})
for name in list(os.environ):
    if name.startswith("AWS_ENDPOINT_URL"):
        del os.environ[name]

from moto import mock_aws  # noqa: E402

WIB = dt.timezone(dt.timedelta(hours=7))
NOW = dt.datetime(2025, 3, 3, 8, 0, tzinfo=WIB)


def load(open_total: int, due: int) -> None:
    from chalicelib.adapters.store import ReportModel, to_model
    from chalicelib.domain.ids import hash_access_code
    from chalicelib.domain.lifecycle import Status
    from chalicelib.domain.report import Location, Report, Reporter

    received = NOW - dt.timedelta(days=3)
    with ReportModel.batch_write() as batch:
        for i in range(open_total):
            is_due = i < due
            report = Report(
                tracking_id=f"B{i:07d}"[:4] + "-" + f"B{i:07d}"[4:], access_code_hash=hash_access_code("X"),
                kind="complaint", title="Bench report", description="Generated for the sweep benchmark.",
                location=Location("12", "12.71"), reporter=Reporter("Bench", phone="+6281200000000"),
                channel="api", received_at=received, status=Status.SUBMITTED,
                deadlines={"verification": "2025-03-05"},
                deadline_calendars={"verification": "bench"},
            )
            # Due ones have their next task (a reminder) now; the rest in two weeks.
            report.next_action_at = NOW - dt.timedelta(minutes=5) if is_due else NOW + dt.timedelta(days=14)
            batch.save(to_model(report))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=100)
    parser.add_argument("--act", action="store_true",
                        help="also act on the due reports (slow in moto: its transactions copy the table)")
    args = parser.parse_args(argv)
    with mock_aws():
        from chalicelib import wiring
        from chalicelib.adapters import notifier
        from chalicelib.adapters.store import due_reports
        from chalicelib.adapters.tables import create_tables
        from chalicelib.demo import load_demo_data
        from chalicelib.services.sweep import sweep

        create_tables()
        load_demo_data()
        started = time.perf_counter()
        load(args.open, args.due)
        loaded = time.perf_counter() - started

        read = {"scanned": 0, "pages": 0}

        def count(http_response=None, parsed=None, model=None, **kwargs):
            if parsed and parsed.get("Count") is not None and kwargs.get("event_name", "").endswith("Query"):
                read["scanned"] += parsed.get("ScannedCount", 0)
                read["pages"] += 1

        from chalicelib.adapters.store import ReportModel

        client = ReportModel._get_connection().connection.client
        client.meta.events.register("after-call.dynamodb.Query", count)
        started = time.perf_counter()
        reports = list(due_reports(NOW))
        seconds = time.perf_counter() - started
        client.meta.events.unregister("after-call.dynamodb.Query", count)
        result, sweep_seconds = {"changed": "-"}, 0.0
        if args.act:
            wiring.clock = lambda: NOW
            started = time.perf_counter()
            result = sweep(wiring.deps(), NOW, lambda now: iter(reports), notifier.send)
            sweep_seconds = time.perf_counter() - started
    print(f"open reports           {args.open:>10,}   (loaded in {loaded:.1f} s)")
    print(f"due now                {args.due:>10,}")
    print(f"due-index items read   {read['scanned']:>10,}   in {read['pages']} page(s), {seconds*1000:.0f} ms")
    if args.act:
        print(f"reports acted on       {result['changed']:>10,}   sweep {sweep_seconds:.1f} s (moto, in-process)")
    ok = read["scanned"] == args.due == len(reports)
    print(f"items read == items due: {'yes' if ok else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
