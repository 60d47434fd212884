"""Retention (UU PDP): the reporter's identity and attachments of a closed report are erased
RETENTION_MONTHS_AFTER_CLOSING after it closed (SPAM_RETENTION_DAYS for one archived as spam),
by the same erasure as the reporter's own request (reporter_rights.erase_reporter).

The job reads a sparse index of what is due (closed reports not erased since closing carry the
day it is due; an erasure takes them out), never a Scan. Running it twice, or twice at once,
erases nothing more: the erasure is idempotent and its write is version-guarded. Like the sweep
it skips (and counts) a report that fails and stops cleanly before its time runs out."""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from aws_lambda_powertools import Logger

from ..config import settings
from ..domain.calendar import to_wib_date
from ..domain.errors import Conflict, NotFound
from ..domain.reporter_data import erase_due
from ..domain.report import Report
from .reporter_rights import erase_reporter
from .sweep import STOP_WITH_SECONDS_LEFT, _unlimited

logger = Logger(child=True)


def retention(deps, files, now: dt.datetime, dry_run: bool = False,
              time_left: Callable[[], float] = _unlimited) -> dict[str, Any]:
    """`dry_run`: what is due, listed (tracking ids), nothing changed."""
    s = settings()
    policy = (s.retention_months_after_closing, s.spam_retention_days)
    today = to_wib_date(now)
    counts: dict[str, Any] = {"at": now.isoformat(), "dry_run": dry_run, "due": 0, "erased": 0,
                              "attachments_deleted": 0, "failed": 0, "stopped_early": False}
    due_ids: list[str] = []
    for report in deps.reports.erase_due_by(today):
        if time_left() < STOP_WITH_SECONDS_LEFT:
            counts["stopped_early"] = True
            break
        if not erase_due(report, today, *policy):
            continue  # the index copy is behind (erased meanwhile), or the period changed since closing
        counts["due"] += 1
        if dry_run:
            due_ids.append(report.tracking_id)
            continue
        try:
            erased, deleted = _erase(deps, files, report, now, today, policy)
        except Exception as exc:  # noqa: BLE001 - one report never halts the others
            counts["failed"] += 1
            logger.exception("retention could not erase a report",
                             extra={"tracking_id": report.tracking_id, "error": type(exc).__name__})
            continue
        counts["erased"] += int(erased)
        counts["attachments_deleted"] += deleted
    if dry_run:
        counts["would_erase"] = due_ids
    logger.info("retention done", extra={k: v for k, v in counts.items() if k != "would_erase"})
    return counts


def _erase(deps, files, report: Report, now: dt.datetime, today: dt.date, policy) -> tuple[bool, int]:
    """From the index copy first; on a lost version check, once more from a fresh read."""
    deps.reports.adopt(report)
    try:
        return erase_reporter(deps, files, report, now, "retention")
    except Conflict:
        try:
            fresh = deps.reports.get(report.tracking_id)
        except NotFound:
            return False, 0
        if not erase_due(fresh, today, *policy):
            return False, 0
        return erase_reporter(deps, files, fresh, now, "retention")
