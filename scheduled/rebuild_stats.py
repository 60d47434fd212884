"""Statistics counters compared with the reports themselves, and repaired only when asked.

    python -m scheduled.rebuild_stats            # compare only; exit 1 when they differ (make rebuild-stats)
    python -m scheduled.rebuild_stats --repair   # compare and repair (make rebuild-stats REPAIR=1)

The monthly schedule runs `monthly_check_handler`: compare, then report any drift as a metric
(`StatisticsDrift`, the number of counter items that differ) and a log line naming the scopes and
months, and change nothing. A difference may be transient: a change committed but not yet applied
(its outbox row waits for the sweep), or one landing between the read of the reports and the read
of the counters. An operator who finds it still there on a second check repairs with --repair.
Repairs are ADDs of the difference, so report changes committed during the run are not erased.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from aws_lambda_powertools import Logger

logger = Logger(service="lapor", child=True)


def run(repair: bool) -> dict[str, Any]:
    from chalicelib import wiring
    from chalicelib.adapters import counters
    from chalicelib.services.calendar import current_calendar
    from chalicelib.services.statistics import compare_counters

    result = compare_counters(counters.iter_reports(), counters.stored_counters(),
                              current_calendar(wiring.settings_repo()))
    if repair and result.differences:
        counters.apply_differences(result.differences)
    return result.summary(repaired=repair)


def drifted(summary: dict[str, Any]) -> dict[str, list[str]]:
    """Months per scope where the counters differ (from the summary's sample)."""
    out: dict[str, set[str]] = {}
    for row in summary["sample"]:
        out.setdefault(row["scope"], set()).add(row["key"].split("#")[1])
    return {scope: sorted(months) for scope, months in sorted(out.items())}


def monthly_check_handler(event: dict[str, Any] | None = None, context: Any = None) -> dict[str, Any]:
    from scheduled.sweep import publish

    summary = run(repair=False)
    publish({"StatisticsDrift": summary["items_differing"]})
    if summary["items_differing"]:
        logger.warning("statistics counters differ from the reports; not repaired (make rebuild-stats REPAIR=1)",
                       extra={"items_differing": summary["items_differing"], "drift": drifted(summary)})
    else:
        logger.info("statistics counters match the reports", extra={k: summary[k] for k in ("reports", "items_stored")})
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repair", action="store_true", help="add the differences to the counters")
    args = parser.parse_args(argv)
    summary = run(repair=args.repair)
    print(json.dumps(summary, indent=2))
    return 1 if summary["items_differing"] and not args.repair else 0


if __name__ == "__main__":
    sys.exit(main())
