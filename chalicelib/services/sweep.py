"""The clock's work: one periodic sweep (reminders, breaches, escalations, Ombudsman referral,
auto-complete, auto-archive, unfinished changes and notification retries) and the morning digest.

Running either twice, or twice at once, changes nothing more: every report change is guarded by
the report's version, every task is recorded as done in the same write, every message has a
dedup key and a conditional claim. One report that fails is logged and counted, and the run goes
on; a run that nears its time limit stops cleanly, and the next one continues from the index."""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Iterable

from aws_lambda_powertools import Logger

from ..domain.calendar import to_wib_date
from ..domain.errors import Conflict
from ..domain.messages import Message
from ..domain.report import Report
from ..domain.worklist import SOON_WORKING_DAYS  # what the digest lists: due that soon, or late
from .calendar import current_calculator, current_calendar
from .notifications import _date, _to_person, console_queue_url, console_url, stage_holders

logger = Logger(child=True)

TimeLeft = Callable[[], float]  # seconds left in this run
STOP_WITH_SECONDS_LEFT = 30.0  # what one more report, the retries and the metrics may still need


def _unlimited() -> float:
    return float("inf")


class RepeatedConflict(Exception):
    """The report lost its version check twice in one run, the second time on a fresh read."""


def sweep(deps, now: dt.datetime, due: Callable[[dt.datetime], Iterable[Report]] | None = None,
          time_left: TimeLeft = _unlimited) -> dict[str, Any]:
    calc = current_calculator(deps.settings)
    counts: dict[str, Any] = {"due": 0, "changed": 0, "tasks": 0, "conflicts": 0, "failed": 0, "stopped_early": False}
    for report in (due or deps.reports.due)(now):
        if time_left() < STOP_WITH_SECONDS_LEFT:
            counts["stopped_early"] = True
            break
        counts["due"] += 1
        try:
            tasks = _run(deps, report, now, calc, counts)
        except Exception as exc:  # noqa: BLE001 - one report never halts the others
            counts["failed"] += 1
            logger.exception("sweep could not process a report",
                             extra={"tracking_id": report.tracking_id, "error": type(exc).__name__})
            continue
        if tasks:
            counts["changed"] += 1
            counts["tasks"] += tasks
    counts.update(_retry_outbox(deps.outbox, now, time_left))
    counts["backlog"] = deps.outbox.backlog(now)
    logger.info("sweep done", extra={"at": now.isoformat(), **counts})
    return counts


def _run(deps, report: Report, now: dt.datetime, calc, counts: dict[str, Any]) -> int:
    """The due tasks of one report, saved. An index copy may be stale: on a lost version check the
    report is read again and tried once more; losing again is an error, not a routine conflict."""
    for fresh in (False, True):
        if fresh:
            report = deps.reports.get(report.tracking_id)
        else:
            deps.reports.adopt(report)
        tasks = report.run_due_tasks(now, calc)
        if not tasks:
            return 0
        try:
            deps.reports.save(report)
            return len(tasks)
        except Conflict:
            if fresh:
                raise RepeatedConflict(report.tracking_id) from None
            counts["conflicts"] += 1  # someone else changed it first
    return 0


def _retry_outbox(outbox, now: dt.datetime, time_left: TimeLeft) -> dict[str, int]:
    """Changes a writer could not finish, then messages whose send failed or never happened."""
    changes = {"changes_applied": 0, "changes_failed": 0}
    for row in outbox.pending_changes(now):
        if time_left() < STOP_WITH_SECONDS_LEFT:
            break
        changes["changes_applied" if outbox.retry_change(row, now) else "changes_failed"] += 1
    retries = outbox.deliver(outbox.due_for_retry(now), now) if time_left() >= STOP_WITH_SECONDS_LEFT else {}
    return {**changes, "retries": retries}


def morning_digest(deps, now: dt.datetime, time_left: TimeLeft = _unlimited) -> dict[str, Any]:
    """One message per officer per working morning: what is due within two working days or late.
    Reads only open reports due by then (an index of open stages by nearest deadline), so its
    cost follows the open work, not the years of history."""
    calendar = current_calendar(deps.settings)
    day = to_wib_date(now)
    if not calendar.is_working_day(day):
        return {"skipped": f"{day.isoformat()} is not a working day", "sent": 0}
    horizon = calendar.add_working_days(day, SOON_WORKING_DAYS)
    work: dict[str, tuple[Any, dict[str, Report]]] = {}
    for report in deps.reports.due_by(horizon):
        for person in stage_holders(deps.directory, report, day):
            work.setdefault(person.username, (person, {}))[1][report.tracking_id] = report
    ids: list[str] = []
    for _username, (person, reports) in sorted(work.items()):
        if time_left() < STOP_WITH_SECONDS_LEFT:
            break  # the rows written so far are sent below; a rerun writes only the missing ones
        lines = [f"- {r.tracking_id} {r.title[:60]} ({r.status.value}, "
                 f"{', '.join(f'{s} {_date(r.deadline(s))}' for s in r.open_officer_stages())})"
                 + (" TERLAMBAT/OVERDUE" if r.is_overdue(now) else "") + f"\n  {console_url(r.tracking_id)}"
                 for r in reports.values()]
        values = {"count": len(reports), "date": _date(day), "items": "\n".join(lines),
                  "items_html": "", "tracking_id": "", "title": "", "agency": "", "track_url": "", "message": "",
                  "due": "", "unit": "", "stage_id": "", "stage_en": "", "days_left": "",
                  "queue_url": console_queue_url(SOON_WORKING_DAYS)}
        for message in _to_person(person, f"digest|{day.isoformat()}", "officer_digest", values, None):
            if deps.outbox.put_alone(_with_html_items(message, reports.values(), now), now):
                ids.append(message.id)
    result = deps.outbox.deliver(ids, now)
    return {"people": len(work), **result}


def _with_html_items(message: Message, reports, now) -> Message:
    if message.channel != "email" or message.html is None:
        return message
    import html as html_lib

    items = "".join(f"<li><a href=\"{html_lib.escape(console_url(r.tracking_id))}\">{html_lib.escape(r.tracking_id)}</a>"
                    f" — {html_lib.escape(r.title[:80])}"
                    f"{' <strong>TERLAMBAT</strong>' if r.is_overdue(now) else ''}</li>" for r in reports)
    return Message(message.dedup_key, message.channel, message.recipient, message.text,
                   message.tracking_id, message.subject, message.html.replace("<ul></ul>", f"<ul>{items}</ul>"))
