"""What a staff member may do with a report now, and how much time each open stage has left.

Doors (the staff console, and anything else) ask these instead of re-deriving the lifecycle:
`allowed_actions` is the lifecycle guard plus the report's own extra rules, so a list it gives
can never disagree with what `Report.apply` accepts; `stage_clocks` counts working days with the
calendar in force, which no browser knows."""
from __future__ import annotations

import datetime as dt
from typing import Any

from .access import in_scope
from .calendar import WorkingCalendar, to_wib_date
from .errors import DomainError
from .lifecycle import CLOSED, STAFF_ACTIONS, Action, Status, guard
from .report import AGENCY_ARCHIVE_REASONS, ARCHIVE_REASONS, OFFICER_STAGES, Report
from .roles import Principal, Role

# The order the console shows them in: the usual next step first.
ACTION_ORDER = (
    Action.DISPATCH, Action.ASSIGN, Action.RESPOND, Action.FINAL_ANSWER, Action.POSTPONE,
    Action.REROUTE, Action.SET_FIELD_INSPECTION, Action.CORRECT, Action.ARCHIVE,
    Action.MARK_DUPLICATE, Action.UNMARK_DUPLICATE,
)
assert set(ACTION_ORDER) == set(STAFF_ACTIONS)

# The reporter's own clocks, running while the report waits for them.
REPORTER_STAGES = {Status.AWAITING_REPORTER: "reporter_reply", Status.POSTPONED: "clarification"}


def _extra_rule_allows(principal: Principal, report: Report, action: Action) -> bool:
    """The checks Report's handlers make beyond the table, for any parameters."""
    if action == Action.ARCHIVE and principal.role == Role.AGENCY_ADMIN:
        return not report.published and report.requested_agency_id == report.agency_id
    if action == Action.SET_FIELD_INSPECTION:
        return report.kind == "complaint"
    if action == Action.MARK_DUPLICATE:  # domain/duplicates.check_original; the original is asked for then
        return not report.duplicates
    if action == Action.UNMARK_DUPLICATE:  # domain/duplicates.check_unmark (whether the original is open too)
        return bool(report.duplicate_of) and report.archive_reason == "duplicate"
    return True


def allowed_actions(principal: Principal, report: Report) -> list[str]:
    """The staff actions this principal may send for this report in its current state."""
    if not in_scope(principal, report):
        return []
    allowed = []
    for action in ACTION_ORDER:
        try:
            guard(report.status, action, principal.role)
        except DomainError:
            continue
        if _extra_rule_allows(principal, report, action):
            allowed.append(action.value)
    return allowed


def archive_reasons(principal: Principal) -> tuple[str, ...]:
    return AGENCY_ARCHIVE_REASONS if principal.role == Role.AGENCY_ADMIN else ARCHIVE_REASONS


def open_stages(report: Report) -> tuple[str, ...]:
    """Stages whose clock runs now: the officer's, the reporter's, and the Ombudsman clock."""
    if report.status in CLOSED:
        return ()
    stages = list(report.open_officer_stages())
    waiting = REPORTER_STAGES.get(report.status)
    if waiting and waiting in report.deadlines and waiting not in report.stage_done:
        stages.append(waiting)
    if "ombudsman_referral" in report.deadlines and not report.ombudsman_referred:
        stages.append("ombudsman_referral")
    return tuple(stages)


def time_left(calendar: WorkingCalendar, due: dt.date, today: dt.date) -> dict[str, int]:
    """Working days left until the end of `due` (0: due today), or working days late past it."""
    if due >= today:
        return {"working_days_left": calendar.working_days_between(today, due), "late_working_days": 0}
    return {"working_days_left": 0, "late_working_days": max(1, calendar.working_days_between(due, today))}


def stage_clocks(report: Report, calendar: WorkingCalendar, today: dt.date) -> list[dict[str, Any]]:
    """Every deadline of the report: its date, whether it runs now and how much time it has
    left, or when it was met and whether on time."""
    running = open_stages(report)
    clocks = []
    for stage, due_text in report.deadlines.items():
        due = dt.date.fromisoformat(due_text)
        done_at = report.stage_done.get(stage)
        clock: dict[str, Any] = {"stage": stage, "due": due_text, "open": stage in running, "done_at": done_at,
                                 "met_on_time": None, "working_days_left": None, "late_working_days": None}
        if done_at:
            clock["met_on_time"] = to_wib_date(dt.datetime.fromisoformat(done_at)) <= due
        elif stage in running:
            clock.update(time_left(calendar, due, today))
        clocks.append(clock)
    return clocks


def next_due(report: Report, calendar: WorkingCalendar, today: dt.date) -> dict[str, Any] | None:
    """The nearest deadline of the officer's open stages (what a queue sorts on), or None."""
    stages = report.open_officer_stages()
    if report.status in CLOSED or not stages:
        return None
    stage = min(stages, key=lambda s: report.deadlines[s])
    due = dt.date.fromisoformat(report.deadlines[stage])
    return {"stage": stage, "due": due.isoformat(), **time_left(calendar, due, today)}



# ---- the deadline-ordered queue -------------------------------------------------------------------
# Only a status with an officer's stage open can be in a queue.
QUEUE_STATUSES = tuple(s.value for s in OFFICER_STAGES)
# A queue page's position, as /openapi.json states it: the last report's nearest open deadline and
# tracking id, `2025-01-09_XQAZ-QAXK`, URL-safe. Any value of that shape is a position.
QUEUE_CURSOR_PATTERN = r"^\d{4}-\d{2}-\d{2}_[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$"
SOON_WORKING_DAYS = 2  # the console's "due within 2 working days" (and the digest's horizon)

# A due range: (after, before), both exclusive, on the queue's sort key "<due date>#<tracking id>".
# A bare date sorts before every key of that day, so ("2025-01-09", "2025-01-11") is the 9th and 10th.
DueRange = tuple[str | None, str | None]


def queue_position(cursor: str) -> str:
    """The sort key a published cursor stands for."""
    due, _, tracking_id = cursor.partition("_")
    return f"{due}#{tracking_id}"


def queue_cursor(key: str) -> str:
    return key.replace("#", "_", 1)


def _due_before(calendar: WorkingCalendar, today: dt.date, working_days: int) -> str:
    """The first date with more than `working_days` working days left: what is due before it is
    due within them (0: due today, including a weekend's deadlines seen on that weekend)."""
    return calendar.add_working_days(today, working_days + 1).isoformat()


def queue_range(calendar: WorkingCalendar, today: dt.date, late: bool | None, within: int | None,
                after: str | None) -> DueRange:
    """The keys a queue page may hold: late only (due before today) or not late, due within
    `within` working days (late ones included), after the cursor's key."""
    lower = max(filter(None, (after, today.isoformat() if late is False else None)), default=None)
    uppers = [today.isoformat()] if late else []
    if within is not None:
        uppers.append(_due_before(calendar, today, within))
    return lower, min(uppers, default=None)


def count_ranges(calendar: WorkingCalendar, today: dt.date) -> dict[str, DueRange]:
    """Disjoint due ranges whose sizes give the queue's counts (see `queue_counts`)."""
    first = _due_before(calendar, today, 0)
    return {"late": (None, today.isoformat()), "due_today": (today.isoformat(), first),
            "due_later_soon": (first, _due_before(calendar, today, SOON_WORKING_DAYS))}


def queue_counts(sizes: dict[str, int]) -> dict[str, int]:
    """Late; due today (no working day left); due within 2 working days, today's included."""
    return {"late": sizes["late"], "due_today": sizes["due_today"],
            "due_within_2_working_days": sizes["due_today"] + sizes["due_later_soon"]}
