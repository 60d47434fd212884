"""What each audience sees of a report. Public views never carry a reporter's identity."""
from __future__ import annotations

import datetime as dt
from typing import Any

from ..domain.access import sees_reporter_identity
from ..domain.calendar import WorkingCalendar, to_wib_date
from ..domain.lifecycle import STATUS_LABELS, Status
from ..domain.report import Event, Report, Visibility
from ..domain.roles import Principal
from ..domain.worklist import allowed_actions, archive_reasons, next_due, stage_clocks

ANONYMOUS_NAME = "Anonim"
HIDDEN_NAME = "(disembunyikan)"  # a named reporter whose report is closed, to everyone but the central admin


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _label(status: Status) -> dict[str, str]:
    ind, en = STATUS_LABELS[status]
    return {"id": ind, "en": en}


def _names(report: Report, directory) -> dict[str, Any]:
    agency = directory.agency(report.agency_id) if report.agency_id else None
    unit = agency.unit(report.unit_id) if agency and report.unit_id else None
    category = directory.category(report.category_id) if report.category_id else None
    return {
        "agency": {"id": agency.id, "name": agency.name} if agency else None,
        "unit": {"id": unit.id, "name": unit.name} if unit else None,
        "category": category,
    }


def location_view(loc, regions) -> dict[str, Any]:
    """Where a report is, with the region names: the same in every view and list row."""
    return {
        "province_code": loc.province_code,
        "province_name": regions.province_name(loc.province_code),
        "regency_code": loc.regency_code,
        "regency_name": regions.regency_name(loc.regency_code) if loc.regency_code else None,
        "address": loc.address,
        "lat": loc.lat,
        "lon": loc.lon,
    }


def _common(report: Report, directory, regions, now: dt.datetime) -> dict[str, Any]:
    loc = report.location
    return {
        "tracking_id": report.tracking_id,
        "status": report.status.value,
        "status_label": _label(report.status),
        "kind": report.kind,
        "title": report.title,
        "description": report.description,
        "occurred_on": report.occurred_on.isoformat() if report.occurred_on else None,
        "received_at": _iso(report.received_at),
        "location": location_view(loc, regions),
        **_names(report, directory),
        "deadlines": dict(report.deadlines),
        "overdue": report.is_overdue(now),
        "ombudsman_referred": report.ombudsman_referred,
        "rating": report.rating,
        "archive_reason": report.archive_reason,
        # issue 14: how many support it, and the links a merge made ("duplikat dari" / "laporan duplikat")
        "supporter_count": report.supporter_count,
        "duplicate_of": report.duplicate_of,
        "duplicates": list(report.duplicates),
    }


def _timeline_item(e: Event, with_message: bool) -> dict[str, Any]:
    return {
        "at": _iso(e.at),
        "action": e.action,
        "status": e.to_status,
        "status_label": _label(Status(e.to_status)),
        "message": e.message if with_message else None,
    }


def public_view(report: Report, events: list[Event], directory, regions, now: dt.datetime,
                as_reporter: bool) -> dict[str, Any]:
    """Tracking page: public messages for everyone; the reporter also sees their own replies."""
    shown = {Visibility.PUBLIC, Visibility.REPORTER} if as_reporter else {Visibility.PUBLIC}
    timeline = [
        _timeline_item(e, e.visibility in shown)
        for e in events
        if e.visibility in shown or e.from_status != e.to_status
    ]
    view = {**_common(report, directory, regions, now), "timeline": timeline}
    if as_reporter:
        view.update(anonymous=report.anonymous, confidential=report.confidential,
                    awaiting_reporter=report.status in (Status.POSTPONED, Status.AWAITING_REPORTER))
    return view


def reporter_identity(principal: Principal, report: Report) -> dict[str, Any]:
    """The reporter as `principal` may see them: "Anonim" for an anonymous report, "(disembunyikan)"
    for a named one that is closed or no longer theirs (domain.access.sees_reporter_identity)."""
    if sees_reporter_identity(principal, report):
        r = report.reporter
        return {"name": r.name, "email": r.email, "phone": r.phone}
    return {"name": ANONYMOUS_NAME if report.anonymous else HIDDEN_NAME, "email": None, "phone": None}


def staff_summary(report: Report, principal: Principal, directory, now: dt.datetime,
                  calendar: WorkingCalendar | None = None) -> dict[str, Any]:
    """A list row: enough to triage, nothing that needs a second read, and no reporter identity
    (minimisation: a list shows many reporters to triage none; the report view shows one, audited).
    With the calendar in
    force, `next_due` is the officer's nearest open deadline in working days (what a queue sorts on)."""
    return {
        "tracking_id": report.tracking_id,
        "status": report.status.value,
        "kind": report.kind,
        "title": report.title,
        "channel": report.channel,
        "received_at": _iso(report.received_at),
        "province_code": report.location.province_code,
        "regency_code": report.location.regency_code,
        "agency_id": report.agency_id,
        "unit_id": report.unit_id,
        "category_id": report.category_id,
        "deadlines": dict(report.deadlines),
        "overdue": report.is_overdue(now),
        "anonymous": report.anonymous,
        "confidential": report.confidential,
        "spam_flagged": report.spam_flagged,
        "next_due": next_due(report, calendar, to_wib_date(now)) if calendar else None,
        "supporter_count": report.supporter_count,
    }


def staff_view(report: Report, events: list[Event], principal: Principal, directory, regions,
               now: dt.datetime, calendar: WorkingCalendar | None = None) -> dict[str, Any]:
    """The full record, with what the caller may do now (the domain's answer, so no door
    re-derives the lifecycle) and each deadline's working days left or whether it was met."""
    allowed = allowed_actions(principal, report)
    return {
        **_common(report, directory, regions, now),
        "channel": report.channel,
        "anonymous": report.anonymous,
        "confidential": report.confidential,
        "published": report.published,
        "spam_flagged": report.spam_flagged,
        "spam_score": report.spam_score,
        "requested_agency_id": report.requested_agency_id,
        "field_inspection": report.field_inspection,
        "reporter": reporter_identity(principal, report),
        "deadline_calendars": dict(report.deadline_calendars),
        "stage_done": dict(report.stage_done),
        "dispatched_at": _iso(report.dispatched_at),
        "first_response_at": _iso(report.first_response_at),
        "final_answer_at": _iso(report.final_answer_at),
        "completed_at": _iso(report.completed_at),
        "created_by": report.created_by,
        "consent_version": report.consent_version,
        "version": report.version,
        "allowed_actions": allowed,
        "archive_reasons": list(archive_reasons(principal)) if "archive" in allowed else [],
        "stage_clocks": stage_clocks(report, calendar, to_wib_date(now)) if calendar else [],
        "next_due": next_due(report, calendar, to_wib_date(now)) if calendar else None,
        "history": [
            {
                "at": _iso(e.at), "actor": e.actor, "role": e.role, "action": e.action,
                "from_status": e.from_status, "to_status": e.to_status, "message": e.message,
                "visibility": e.visibility.value, "data": e.data,
            }
            for e in events
        ],
    }
