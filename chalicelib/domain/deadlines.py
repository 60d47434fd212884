"""What the clock owes each open report: reminders, breach, escalation, Ombudsman referral,
auto-complete and auto-archive. Pure: given a report, its calendar and `now`, which tasks are due.

Each task has a key that names the deadline it belongs to (stage@due-date), so a deadline that
moves (reroute, postponement) gets fresh tasks, and a task done once is never done again."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .calendar import WIB, WorkingCalendar
from .lifecycle import CLOSED, Status

REMINDER_HOUR = 7  # reminders and escalations go out at 07:00 WIB
ESCALATION_AFTER_WORKING_DAYS = 2
REMINDERS = ((2, "remind_2"), (1, "remind_1"))


@dataclass(frozen=True)
class Task:
    key: str
    at: dt.datetime
    kind: str          # remind | breach | escalate | refer_ombudsman | auto_complete | auto_archive
    stage: str | None = None
    due: dt.date | None = None


def _at(day: dt.date, hour: int = REMINDER_HOUR) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=WIB)


def _after(day: dt.date) -> dt.datetime:
    """The first moment past a deadline: midnight WIB after its day."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=WIB)


def breach_key(stage: str, due: dt.date | None) -> str:
    """The key of a stage's breach task: done means the stage went past this deadline."""
    return f"{stage}@{due.isoformat() if due else '-'}:breach"


def all_tasks(report, calendar: WorkingCalendar) -> list[Task]:
    """Every task the report's current state calls for, done or not, in time order."""
    if report.status in CLOSED:
        return []
    tasks: list[Task] = []
    for stage in report.open_officer_stages():
        due = report.deadline(stage)
        tag = f"{stage}@{due.isoformat()}"
        for n, label in REMINDERS:
            tasks.append(Task(f"{tag}:{label}", _at(calendar.working_day_before(due, n)), "remind", stage, due))
        tasks.append(Task(f"{tag}:remind_0", _at(due), "remind", stage, due))
        tasks.append(Task(breach_key(stage, due), _after(due), "breach", stage, due))
        escalation_day = calendar.add_working_days(due, ESCALATION_AFTER_WORKING_DAYS)
        tasks.append(Task(f"{tag}:escalate", _at(escalation_day), "escalate", stage, due))
    referral = report.deadline("ombudsman_referral")
    if referral and not report.ombudsman_referred and report.status != Status.AWAITING_REPORTER:
        tasks.append(Task(f"ombudsman_referral@{referral.isoformat()}", _after(referral), "refer_ombudsman",
                          "ombudsman_referral", referral))
    if report.status == Status.AWAITING_REPORTER:
        due = report.deadline("reporter_reply")
        tasks.append(Task(f"reporter_reply@{due.isoformat()}", _after(due), "auto_complete", "reporter_reply", due))
    if report.status == Status.POSTPONED:
        due = report.deadline("clarification")
        tasks.append(Task(f"clarification@{due.isoformat()}", _after(due), "auto_archive", "clarification", due))
    return sorted(tasks, key=lambda t: t.at)


def pending_tasks(report, calendar: WorkingCalendar) -> list[Task]:
    done = set(report.done_tasks)
    return [t for t in all_tasks(report, calendar) if t.key not in done]


def due_tasks(report, calendar: WorkingCalendar, now: dt.datetime) -> list[Task]:
    """Tasks whose time has come. A sweep that runs late sends only the latest reminder of a
    stage (the earlier ones are marked done unsent): nobody gets three reminders at once."""
    due = [t for t in pending_tasks(report, calendar) if t.at <= now]
    latest_per_stage: dict[str, Task] = {}
    passed_stages = {t.stage for t in due if t.kind == "breach"}
    for t in due:
        if t.kind == "remind":
            latest_per_stage[t.stage] = t
    keep = []
    for t in due:
        if t.kind == "remind" and (t.stage in passed_stages or latest_per_stage[t.stage] is not t):
            keep.append(Task(t.key, t.at, "skip", t.stage, t.due))
        else:
            keep.append(t)
    return keep


def next_action_at(report, calendar: WorkingCalendar) -> dt.datetime | None:
    pending = pending_tasks(report, calendar)
    return pending[0].at if pending else None
