"""Time-driven entry points: the 15-minute sweep and the 07:00 WIB digest. Each takes the moment
it runs for from its event, so a run can be replayed or dry-run for any time.

    python -m scheduled.sweep [--at 2024-12-27T08:00:00+07:00] [--digest]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any, Callable


def event_time(event: dict[str, Any] | None) -> dt.datetime:
    """EventBridge puts the scheduled time in `time` (ISO, UTC); without one, now."""
    raw = (event or {}).get("time")
    if raw:
        moment = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            raise ValueError("event time must carry an offset")
        return moment
    return dt.datetime.now(dt.timezone.utc)


def time_left_of(context: Any) -> Callable[[], float]:
    """Seconds left before Lambda ends this invocation (unlimited when run from the shell)."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    return (lambda: remaining() / 1000) if callable(remaining) else (lambda: float("inf"))


def run_sweep(now: dt.datetime, time_left: Callable[[], float] | None = None) -> dict[str, Any]:
    from chalicelib import wiring
    from chalicelib.services.sweep import sweep

    return sweep(wiring.deps(), now, time_left=time_left or time_left_of(None))


def run_digest(now: dt.datetime, time_left: Callable[[], float] | None = None) -> dict[str, Any]:
    from chalicelib import wiring
    from chalicelib.services.sweep import morning_digest

    return morning_digest(wiring.deps(), now, time_left=time_left or time_left_of(None))


def sweep_handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    result = run_sweep(event_time(event), time_left_of(context))
    publish({"OutboxBacklog": result["backlog"], "SweepReportsFailed": result["failed"],
             "SweepChangesFailed": result["changes_failed"]})
    return result


def publish(figures: dict[str, int]) -> None:
    """The sweep's health as CloudWatch metrics (EMF): the alarms' inputs."""
    from aws_lambda_powertools.metrics import MetricUnit, single_metric

    for name, value in figures.items():
        with single_metric(name=name, unit=MetricUnit.Count, value=value, namespace="Lapor") as metric:
            metric.add_dimension(name="service", value="lapor")


def digest_handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    return run_digest(event_time(event), time_left_of(context))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--at", help="ISO datetime with offset (default: now)")
    parser.add_argument("--digest", action="store_true", help="run the morning digest instead of the sweep")
    args = parser.parse_args(argv)
    try:
        now = event_time({"time": args.at} if args.at else None)
    except ValueError as exc:
        print(f"--at: {exc}", file=sys.stderr)
        return 2
    result = run_digest(now) if args.digest else run_sweep(now)
    print(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
