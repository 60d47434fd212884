"""The daily retention job: erases the reporter's identity and attachments of reports closed
long enough ago (services/retention.py). It takes the moment it runs for from its event, so a
run can be replayed or dry-run for any day.

    python -m scheduled.retention [--at 2029-01-01] [--dry-run]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any, Callable

from scheduled.sweep import event_time, publish, time_left_of


def run_retention(now: dt.datetime, dry_run: bool = False,
                  time_left: Callable[[], float] | None = None) -> dict[str, Any]:
    from chalicelib import wiring
    from chalicelib.services.attachments import default_files
    from chalicelib.services.retention import retention

    return retention(wiring.deps(), default_files(), now, dry_run, time_left or time_left_of(None))


def retention_handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    result = run_retention(event_time(event), time_left=time_left_of(context))
    publish({"RetentionReportsErased": result["erased"], "RetentionAttachmentsDeleted": result["attachments_deleted"],
             "RetentionReportsFailed": result["failed"]})
    return result


def _moment(text: str) -> dt.datetime:
    """An ISO datetime with offset, or a day (its start in WIB)."""
    if len(text) == 10:
        return dt.datetime.combine(dt.date.fromisoformat(text), dt.time(), dt.timezone(dt.timedelta(hours=7)))
    return event_time({"time": text})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--at", help="a day (YYYY-MM-DD, from 00:00 WIB) or an ISO datetime with offset (default: now)")
    parser.add_argument("--dry-run", action="store_true", help="list what is due, change nothing")
    args = parser.parse_args(argv)
    try:
        now = _moment(args.at) if args.at else event_time(None)
    except ValueError as exc:
        print(f"--at: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(run_retention(now, args.dry_run), indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
