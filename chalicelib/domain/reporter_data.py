"""The reporter's own data (UU PDP 27/2022): what is stored about them, correcting their contact,
erasing their identity, a new access code for a lost one, and when retention erases it anyway.

Pure rules on the report aggregate. Each change records one history event that names what
changed, never the values (an event is kept as long as the report). The report itself, its
counters and its history stay: only who reported it goes."""
from __future__ import annotations

import calendar as _calendar
import datetime as dt
from dataclasses import replace
from typing import Any, Iterable

from .calendar import to_wib_date
from .lifecycle import CLOSED
from .report import Event, Report, Reporter, Visibility
from .roles import REPORTER, SYSTEM, Principal

ERASED_NAME = "Anonim"  # what an erased reporter is called everywhere (the UI's word for anonymous)
# History events of this module (visible to the reporter and staff, never on the public timeline).
REISSUE_ACCESS_CODE = "reissue_access_code"
CORRECT_CONTACT = "correct_contact"
ERASE_IDENTITY = "erase_identity"
ERASE_REASONS = ("reporter_request", "retention")


def has_contact(report: Report) -> bool:
    return bool(report.reporter.email or report.reporter.phone)


def _note(report: Report, action: str, now: dt.datetime, who: Principal = REPORTER, **data: Any) -> None:
    """A history event that changes no status: the reporter sees it on their timeline, so a code
    replaced or an identity erased by someone else's hand would not go unnoticed."""
    status = report.status.value
    report.new_events.append(Event(at=now, actor=who.actor, role=who.role.value, action=action,
                                   from_status=status, to_status=status, visibility=Visibility.REPORTER,
                                   data={k: v for k, v in data.items() if v is not None}))


def reissue_access_code(report: Report, sealed: str, now: dt.datetime) -> None:
    """The old code stops working in the same write that stores the new one's hash."""
    report.access_code_hash = sealed
    _note(report, REISSUE_ACCESS_CODE, now, SYSTEM, channels=sorted(contact_channels(report)))


def contact_channels(report: Report) -> set[str]:
    return {c for c, v in (("email", report.reporter.email), ("sms", report.reporter.phone)) if v}


def correct_contact(report: Report, now: dt.datetime, **contact: str | None) -> list[str]:
    """`contact`: email and/or phone as given (None removes one). At least one way to reach the
    reporter stays, as at intake; answers the fields that really changed (empty: nothing to write)."""
    changed = sorted(k for k, v in contact.items() if getattr(report.reporter, k) != v)
    if not changed:
        return []
    report.reporter = replace(report.reporter, **{k: contact[k] for k in changed})
    _note(report, CORRECT_CONTACT, now, fields=changed)
    return changed


def erase_identity(report: Report, now: dt.datetime, reason: str) -> bool:
    """Name → "Anonim", e-mail and phone gone. False when there was nothing left to erase (a
    second request, or retention after the reporter already asked): idempotent."""
    if reason not in ERASE_REASONS:
        raise ValueError(reason)
    if report.reporter == Reporter(ERASED_NAME) and erase_due_on(report, 0, 0) is None:
        return False
    report.reporter = Reporter(ERASED_NAME)
    report.identity_erased_at = now
    _note(report, ERASE_IDENTITY, now, REPORTER if reason == "reporter_request" else SYSTEM, reason=reason)
    return True


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or that month's last day (31 Jan + 1 month = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))


def erase_due_on(report: Report, months_after_closing: int, spam_days: int) -> dt.date | None:
    """The WIB day from which retention erases this reporter: `months_after_closing` after the day
    it closed, or `spam_days` after an archive as spam. None while open, or once erased since it
    closed (so an erasure, or a reopening, takes it out of the job's index)."""
    closed = report.closed_at or (report.completed_at if report.status in CLOSED else None)
    if report.status not in CLOSED or closed is None:
        return None
    if report.identity_erased_at is not None and report.identity_erased_at >= closed:
        return None
    day = to_wib_date(closed)
    if report.archive_reason == "spam":
        return day + dt.timedelta(days=spam_days)
    return add_months(day, months_after_closing)


def erase_due(report: Report, today: dt.date, months_after_closing: int, spam_days: int) -> bool:
    due = erase_due_on(report, months_after_closing, spam_days)
    return due is not None and due <= today


def my_data(report: Report, events: Iterable[Event], attachments: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Everything stored about the reporter for this report (UU PDP's right of access): who they
    said they are, how to reach them, what they wrote and sent, through which channel, when. Of
    staff only what the reporter already sees (the public and reporter-visible messages)."""
    reporter = report.reporter
    own = [e for e in events if e.role == REPORTER.role.value]
    answers = [e for e in events if e.role != REPORTER.role.value and e.visibility != Visibility.STAFF
               and e.message]
    return {
        "tracking_id": report.tracking_id,
        "identity": {"name": reporter.name, "anonymous": report.anonymous, "confidential": report.confidential,
                     "erased_at": _iso(report.identity_erased_at)},
        "contact": {"email": reporter.email, "phone": reporter.phone},
        "consent_version": getattr(report, "consent_version", None),
        "channel": report.channel,
        "received_at": _iso(report.received_at),
        "closed_at": _iso(report.closed_at),
        "report": {"kind": report.kind, "title": report.title, "description": report.description,
                   "occurred_on": report.occurred_on.isoformat() if report.occurred_on else None,
                   "location": {k: v for k, v in vars(report.location).items()},
                   "category_id": report.category_id, "requested_agency_id": report.requested_agency_id,
                   "rating": report.rating},
        "messages": [{"at": _iso(e.at), "action": e.action, "message": e.message, **_plain_data(e)} for e in own],
        "answers_seen": [{"at": _iso(e.at), "action": e.action, "message": e.message} for e in answers],
        "attachments": list(attachments),
    }


def _plain_data(e: Event) -> dict[str, Any]:
    return {"data": dict(e.data)} if e.data else {}


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None
