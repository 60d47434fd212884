"""Statistics counters recomputed from the reports themselves.

    python -m scheduled.rebuild_stats           # compare and repair (make rebuild-stats)
    python -m scheduled.rebuild_stats --check   # compare only; exit 1 when they differ

The monthly schedule runs `monthly_check_handler`: compare, log any drift (there should be none:
every report change moves its counters in the same transaction), and repair it. Repairs are
ADDs of the difference, so report changes committed during the run are not erased; a change
landing between the read of the reports and the read of the counters can show up as a
transient difference, which the next run takes back.
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


def monthly_check_handler(event: dict[str, Any] | None = None, context: Any = None) -> dict[str, Any]:
    summary = run(repair=True)
    if summary["items_differing"]:
        logger.warning("statistics counters drifted; repaired", extra=summary)
    else:
        logger.info("statistics counters match the reports", extra={k: summary[k] for k in ("reports", "items_stored")})
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare only, change nothing; exit 1 on drift")
    args = parser.parse_args(argv)
    summary = run(repair=not args.check)
    print(json.dumps(summary, indent=2))
    return 1 if args.check and summary["items_differing"] else 0


if __name__ == "__main__":
    sys.exit(main())
