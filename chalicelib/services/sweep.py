"""The clock's work: one periodic sweep (reminders, breaches, escalations, Ombudsman referral,
auto-complete, auto-archive, notification retries) and the morning digest.

Running either twice, or twice at once, changes nothing more: every report change is guarded by
the report's version, every task is recorded as done in the same write, every message has a
dedup key and a conditional claim."""
from __future__ import annotations

import copy
import datetime as dt
from typing import Any, Callable, Iterator

from aws_lambda_powertools import Logger

from ..adapters import outbox
from ..domain.calendar import to_wib_date
from ..domain.errors import Conflict
from ..domain.lifecycle import Status
from ..domain.query import ListQuery
from ..domain.report import Report
from .calendar import current_calculator, current_calendar
from .notifications import _date, _to_person, agency_admins, central_admins, liaison_on_duty

logger = Logger(child=True)


def sweep(deps, now: dt.datetime, due_reports: Callable[[dt.datetime], Iterator[Report]], send) -> dict[str, Any]:
    calc = current_calculator(deps.settings)
    counts = {"due": 0, "changed": 0, "tasks": 0, "conflicts": 0}
    for report in due_reports(now):
        counts["due"] += 1
        deps.reports.adopt(copy.deepcopy(report))
        tasks = report.run_due_tasks(now, calc)
        if not tasks:
            continue
        try:
            deps.reports.save(report)
        except Conflict:
            counts["conflicts"] += 1  # someone else changed it first; the next sweep sees the new state
            continue
        counts["changed"] += 1
        counts["tasks"] += len(tasks)
    counts["retries"] = outbox.deliver(outbox.due_for_retry(now), send, now)
    counts["backlog"] = outbox.backlog(now)
    logger.info("sweep done", extra={"at": now.isoformat(), **{k: v for k, v in counts.items() if k != "retries"}})
    return counts


def _all(deps, query: ListQuery) -> Iterator[Report]:
    cursor = None
    while True:
        page = deps.reports.list(query, 200, cursor)
        yield from page.items
        if not page.next_cursor:
            return
        cursor = page.next_cursor


def _due_soon(report: Report, horizon: dt.date) -> bool:
    return report.overdue or any(report.deadline(s) <= horizon for s in report.open_officer_stages())


def morning_digest(deps, now: dt.datetime, send) -> dict[str, Any]:
    """One message per officer per working morning: what is due within two working days or late."""
    calendar = current_calendar(deps.settings)
    day = to_wib_date(now)
    if not calendar.is_working_day(day):
        return {"skipped": f"{day.isoformat()} is not a working day", "sent": 0}
    horizon = calendar.add_working_days(day, 2)
    work: dict[str, tuple[Any, list[Report]]] = {}

    def add(people, reports):
        for person in people:
            work.setdefault(person.username, (person, []))[1].extend(reports)

    submitted = [r for r in _all(deps, ListQuery(equals=(("status", Status.SUBMITTED.value),))) if _due_soon(r, horizon)]
    add(central_admins(deps.directory), submitted)
    for agency in deps.directory.agencies():
        at_agency = [r for r in _all(deps, ListQuery(equals=(("agency_id", agency.id),)))
                     if r.status in (Status.DISPATCHED, Status.ASSIGNED, Status.IN_PROGRESS) and _due_soon(r, horizon)]
        add(agency_admins(deps.directory, agency.id), [r for r in at_agency if r.status == Status.DISPATCHED])
        for unit in agency.units:
            mine = [r for r in at_agency if r.unit_id == unit.id]
            if mine:
                add(liaison_on_duty(deps.directory, unit.id, day) or agency_admins(deps.directory, agency.id), mine)
    ids = []
    for username, (person, reports) in sorted(work.items()):
        unique = {r.tracking_id: r for r in reports}
        if not unique:
            continue
        lines = [f"- {r.tracking_id} {r.title[:60]} ({r.status.value}, "
                 f"{', '.join(f'{s} {_date(r.deadline(s))}' for s in r.open_officer_stages())})"
                 + (" TERLAMBAT/OVERDUE" if r.is_overdue(now) else "") for r in unique.values()]
        values = {"count": len(unique), "date": _date(day), "items": "\n".join(lines),
                  "items_html": "", "tracking_id": "", "title": "", "agency": "", "track_url": "", "message": "",
                  "due": "", "unit": "", "stage_id": "", "stage_en": "", "days_left": ""}
        for message in _to_person(person, f"digest|{day.isoformat()}", "officer_digest", values, None):
            if outbox.put_alone(_with_html_items(message, unique.values(), now), now):
                ids.append(message.id)
    result = outbox.deliver(ids, send, now)
    return {"people": len(work), **result}


def _with_html_items(message: outbox.Message, reports, now) -> outbox.Message:
    if message.channel != "email" or message.html is None:
        return message
    import html as html_lib

    items = "".join(f"<li>{html_lib.escape(r.tracking_id)} — {html_lib.escape(r.title[:80])}"
                    f"{' <strong>TERLAMBAT</strong>' if r.is_overdue(now) else ''}</li>" for r in reports)
    return outbox.Message(message.dedup_key, message.channel, message.recipient, message.text,
                          message.tracking_id, message.subject, message.html.replace("<ul></ul>", f"<ul>{items}</ul>"))
