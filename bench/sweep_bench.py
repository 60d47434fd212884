"""Clock cost against volume: DynamoDB items the sweep and the morning digest read per run.

    .venv/bin/python -m bench.sweep_bench [--closed 100000] [--open 1000] [--due 100] [--act]

Loads C closed (completed) and O open reports into moto (in-process) with a bulk batch writer; D
of the open ones have a task due now, and all open ones a deadline within the digest's two working
days. Runs the sweep's read and the digest once each and prints the items their index Queries read
(ScannedCount, summed over pages). The design targets: sweep items read == items due, digest items
read == open reports due soon; neither grows with the closed history or the open total."""
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


def load(closed: int, open_total: int, due: int) -> None:
    from chalicelib.adapters.store import ReportModel, to_model
    from chalicelib.domain.ids import hash_access_code
    from chalicelib.domain.lifecycle import Status
    from chalicelib.domain.report import Location, Report, Reporter

    received = NOW - dt.timedelta(days=3)
    with ReportModel.batch_write() as batch:
        for i in range(closed + open_total):
            is_open, is_due = i < open_total, i < due
            report = Report(
                tracking_id=f"B{i:07d}"[:4] + "-" + f"B{i:07d}"[4:], access_code_hash=hash_access_code("X"),
                kind="complaint", title="Bench report", description="Generated for the clock benchmark.",
                location=Location("12", "12.71"), reporter=Reporter("Bench", phone="+6281200000000"),
                channel="api", received_at=received - dt.timedelta(days=0 if is_open else 30 + i % 2000),
                status=Status.SUBMITTED if is_open else Status.COMPLETED,
                deadlines={"verification": "2025-03-05"},
                deadline_calendars={"verification": "bench"},
                stage_done={} if is_open else {"verification": "2025-01-02T10:00:00+07:00"},
            )
            if is_open:  # due ones have their next task (a reminder) now; the rest in two weeks
                report.next_action_at = NOW - dt.timedelta(minutes=5) if is_due else NOW + dt.timedelta(days=14)
            batch.save(to_model(report))


class QueryCounter:
    """Items and pages DynamoDB read for Query calls while counting."""

    def __init__(self, client):
        self.client, self.scanned, self.pages = client, 0, 0

    def __call__(self, parsed=None, **kwargs):
        if parsed and parsed.get("Count") is not None:
            self.scanned += parsed.get("ScannedCount", 0)
            self.pages += 1

    def __enter__(self):
        self.client.meta.events.register("after-call.dynamodb.Query", self)
        return self

    def __exit__(self, *exc):
        self.client.meta.events.unregister("after-call.dynamodb.Query", self)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--closed", type=int, default=100_000)
    parser.add_argument("--open", type=int, default=1_000)
    parser.add_argument("--due", type=int, default=100)
    parser.add_argument("--act", action="store_true",
                        help="also act on the due reports (slow in moto: its transactions copy the table)")
    args = parser.parse_args(argv)
    with mock_aws():
        from chalicelib import wiring
        from chalicelib.adapters.store import ReportModel
        from chalicelib.adapters.tables import create_tables
        from chalicelib.demo import load_demo_data
        from chalicelib.services.sweep import morning_digest, sweep

        create_tables()
        load_demo_data()
        started = time.perf_counter()
        load(args.closed, args.open, args.due)
        loaded = time.perf_counter() - started
        wiring.clock = lambda: NOW
        deps = wiring.deps()
        client = ReportModel._get_connection().connection.client
        with QueryCounter(client) as swept:
            started = time.perf_counter()
            reports = list(deps.reports.due(NOW))
            seconds = time.perf_counter() - started
        with QueryCounter(client) as digested:
            started = time.perf_counter()
            digest_reports = list(deps.reports.due_by(dt.date(2025, 3, 5)))
            digest_seconds = time.perf_counter() - started
        result, sweep_seconds = {"changed": "-"}, 0.0
        if args.act:
            started = time.perf_counter()
            result = sweep(deps, NOW, lambda now: iter(reports))
            sweep_seconds = time.perf_counter() - started
            digest = morning_digest(wiring.deps(), NOW)
    print(f"closed reports         {args.closed:>10,}   open {args.open:,}   (loaded in {loaded:.1f} s)")
    print(f"due now                {args.due:>10,}")
    print(f"sweep: due-index items read   {swept.scanned:>8,}   in {swept.pages} page(s), {seconds*1000:.0f} ms")
    print(f"digest: open-index items read {digested.scanned:>8,}   in {digested.pages} page(s), "
          f"{digest_seconds*1000:.0f} ms")
    if args.act:
        print(f"reports acted on       {result['changed']:>10,}   sweep {sweep_seconds:.1f} s (moto, in-process); "
              f"digest to {digest['people']} people")
    ok = swept.scanned == args.due == len(reports) and digested.scanned == args.open == len(digest_reports)
    print(f"sweep items read == items due, digest items read == open reports: {'yes' if ok else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
