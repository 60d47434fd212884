"""Use cases on reports. Each takes its adapters and `now`; the routes and the sweep call these."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

from ..config import settings
from ..domain.access import require_scope
from ..domain.calendar import WIB, wib_days_as_utc
from ..domain.errors import Conflict, Forbidden, InvalidInput, NotFound, Unprocessable
from ..domain.ids import new_access_code, new_tracking_id
from ..domain.lifecycle import STAFF_ACTIONS, Action, Status
from ..domain.query import ListQuery
from ..domain.report import AgencyRef, Location, Report, Reporter
from ..domain.roles import REPORTER, Principal, Role
from ..domain.spam import score as spam_score
from ..config import notice
from . import limits
from .calendar import current_calculator


class Reports(Protocol):
    def get(self, tracking_id: str) -> Report: ...
    def events(self, tracking_id: str) -> list: ...
    def add(self, report: Report, messages: Any = ()) -> None: ...
    def save(self, report: Report) -> None: ...
    def list(self, query: Any, limit: int, cursor: str | None) -> Any: ...
    def public_updates(self, after: dt.datetime, before: dt.datetime, any_of: dict, received: Any,
                       limit: int) -> list[Report]: ...


class Directory(Protocol):
    def agency(self, agency_id: str) -> AgencyRef | None: ...
    def category(self, category_id: str) -> dict | None: ...


class Regions(Protocol):
    def province_name(self, code: str) -> str | None: ...
    def regency_name(self, code: str) -> str | None: ...


@dataclass
class Deps:
    """What a use case may touch. Built per request (repositories remember what they loaded)."""

    reports: Reports
    directory: Directory
    settings: Any
    regions: Regions
    limiter: Any = None
    clock: Any = None
    outbox: Any = None  # applies committed changes, sends and retries messages (the sweep's too)
    supporters: Any = None  # supporter rows (issue 14: support, followers, merging)


@dataclass
class NewReport:
    kind: str
    title: str
    description: str
    location: Location
    reporter: Reporter
    channel: str
    occurred_on: dt.date | None = None
    agency_id: str | None = None
    category_id: str | None = None
    anonymous: bool = False
    confidential: bool = False
    received_at: dt.datetime | None = None  # manual entries: when it really arrived
    # What the spam score weighs besides the words (inbound channels): the sender's messages in
    # the last hour and the files that came with the report.
    sender_messages: int = 0
    attachments: int = 0


def _check_references(deps: Deps, *, province: str | None = None, regency: str | None = None,
                      agency_id: str | None = None, category_id: str | None = None) -> AgencyRef | None:
    fields: dict[str, str] = {}
    if province is not None and deps.regions.province_name(province) is None:
        fields["location.province_code"] = "Provinsi tidak dikenal / unknown province"
    if regency is not None and (not regency.startswith(f"{province}.") or deps.regions.regency_name(regency) is None):
        fields["location.regency_code"] = "Kabupaten/kota tidak dikenal di provinsi ini / unknown regency in this province"
    agency = None
    if agency_id is not None:
        agency = deps.directory.agency(agency_id)
        if agency is None:
            fields["agency_id"] = "Instansi tidak dikenal / unknown agency"
    if category_id is not None and deps.directory.category(category_id) is None:
        fields["category_id"] = "Kategori tidak dikenal / unknown category"
    if fields:
        raise Unprocessable("Data laporan tidak valid", "Invalid report data", fields)
    return agency


def submit_report(deps: Deps, new: NewReport, now: dt.datetime, principal: Principal | None = None,
                  owed: Callable[[Report, str], list] | None = None) -> tuple[Report, str]:
    """Creates a report and starts its clocks. Staff entries are created by the staff member:
    an agency admin's go straight to their own agency. `owed`: messages the creation itself owes
    (given the report and its access code), committed with it so none is lost to a crash."""
    received_at = new.received_at or now
    if received_at > now:
        raise Unprocessable("Waktu diterima tidak boleh di masa depan", "received_at may not be in the future",
                            {"received_at": "di masa depan / in the future"})
    agency_id = new.agency_id
    if principal is not None and principal.role == Role.AGENCY_ADMIN:
        if agency_id not in (None, principal.agency_id):
            raise Forbidden("Admin instansi hanya mencatat laporan untuk instansinya",
                            "An agency admin records reports for their own agency only")
        agency_id = principal.agency_id
    elif principal is not None and principal.role != Role.CENTRAL_ADMIN:
        raise Forbidden("Peran ini tidak dapat mencatat laporan", "This role may not record reports")
    agency = _check_references(deps, province=new.location.province_code, regency=new.location.regency_code,
                               agency_id=agency_id, category_id=new.category_id)
    calc = current_calculator(deps.settings)
    actor = principal or REPORTER
    spam = None if principal is not None else spam_score(new.description, new.title, new.sender_messages,
                                                          new.attachments)  # staff typed it: verified
    flagged = spam is not None and spam.flagged(settings().spam_score_threshold)
    for _attempt in range(5):
        code = new_access_code()
        report = Report(
            tracking_id=new_tracking_id(), access_code_hash=limits.seal(code), kind=new.kind,
            title=new.title, description=new.description, location=new.location, reporter=new.reporter,
            channel=new.channel, received_at=received_at, status=Status.SUBMITTED,
            occurred_on=new.occurred_on, category_id=new.category_id, requested_agency_id=new.agency_id,
            anonymous=new.anonymous, confidential=new.confidential, created_by=actor.actor,
            spam_score=spam.points if spam else None, spam_flagged=flagged,
            consent_version=notice().consent_version,  # every door: the notice in force at intake
        )
        report.start(actor, now, calc, None if flagged else agency)  # flagged: the central queue first
        try:
            deps.reports.add(report, owed(report, code) if owed else ())
            return report, code
        except Conflict:
            continue  # tracking id collision: draw again
    raise Conflict("Gagal membuat nomor laporan, coba lagi", "Could not allocate a tracking number, try again")


def load_for_reporter(deps: Deps, tracking_id: str, access_code: str | None,
                      now: dt.datetime | None = None, client: str | None = None) -> tuple[Report, bool]:
    """The report and whether the caller proved to be its reporter. An unpublished or confidential
    report exists only for its reporter: to anyone else, a wrong code included, it is the same 404
    as an id never issued. Wrong codes count per report and per client (`client`: the caller's
    address) and answer 429 past a limit; the right code always works (limits.check_access_code)."""
    now = now or deps.clock()
    try:
        report = deps.reports.get(tracking_id)
    except NotFound:
        report = None
    if access_code:
        stored = report.access_code_hash if report else None
        if limits.check_access_code(deps.limiter, tracking_id, stored, access_code, client, now):
            return report, True
    elif report is not None and report.is_public:
        return report, False
    raise NotFound("Laporan tidak ditemukan, atau kode akses salah", "Report not found, or the access code is wrong")


@dataclass
class ReporterReply:
    message: str | None = None
    accept: bool | None = None
    rating: int | None = None


def reporter_reply(deps: Deps, tracking_id: str, access_code: str | None, reply: ReporterReply, now: dt.datetime,
                   client: str | None = None) -> Report:
    """One endpoint for the reporter: the report's status says what the reply means."""
    if not access_code:
        raise Forbidden("Kode akses wajib diisi (header X-Access-Code)", "The access code is required (X-Access-Code header)")
    report, _ = load_for_reporter(deps, tracking_id, access_code, now, client)
    answer_as_reporter(report, reply, now, current_calculator(deps.settings))
    deps.reports.save(report)
    return report


def answer_as_reporter(report: Report, reply: ReporterReply, now: dt.datetime, calc) -> None:
    """What a reporter's reply means, whichever door it came through (web, SMS, e-mail): the
    report's status says (accept or reject an answer, clarify, add to a follow-up)."""
    if report.status == Status.AWAITING_REPORTER:
        if reply.accept is None:
            raise Unprocessable("Terima atau tolak jawaban", "Accept or reject the answer", {"accept": "wajib / required"})
        if reply.accept:
            if reply.rating is None:
                raise Unprocessable("Beri penilaian 1–5", "Give a rating 1–5", {"rating": "wajib / required"})
            report.apply(REPORTER, Action.ACCEPT, now, calc, rating=reply.rating, message=reply.message)
        else:
            _require_message(reply.message)
            report.apply(REPORTER, Action.REJECT, now, calc, message=reply.message)
    elif report.status == Status.POSTPONED:
        report.apply(REPORTER, Action.CLARIFY, now, calc, message=_require_message(reply.message))
    elif report.status == Status.IN_PROGRESS:
        report.apply(REPORTER, Action.REPLY, now, calc, message=_require_message(reply.message))
    else:
        raise_transition_conflict(report.status)


def raise_transition_conflict(status: Status):
    from ..domain.errors import InvalidTransition

    raise InvalidTransition(
        f"Laporan berstatus '{status.value}' tidak menunggu tanggapan pelapor",
        f"A report in status '{status.value}' is not waiting for the reporter",
    )


def _require_message(message: str | None) -> str:
    if not message or not message.strip():
        raise Unprocessable("Pesan wajib diisi", "A message is required", {"message": "wajib / required"})
    return message.strip()


def staff_action(deps: Deps, principal: Principal, tracking_id: str, action_name: str,
                 params: dict[str, Any], now: dt.datetime) -> Report:
    """Scope first (404), then the lifecycle guard (403/409), then the action's own checks."""
    report = deps.reports.get(tracking_id)
    require_scope(principal, report)
    action = Action(action_name)
    if action not in STAFF_ACTIONS:
        raise InvalidInput("Tindakan tidak dikenal", "Unknown action", {"action": "tidak dikenal / unknown"})
    if action in (Action.MARK_DUPLICATE, Action.UNMARK_DUPLICATE):
        from . import support  # two reports in one transaction (issue 14)

        if action == Action.MARK_DUPLICATE:
            return support.mark_duplicate(deps, deps.supporters, principal, report, params["of"], now,
                                          params.get("message"))
        return support.unmark_duplicate(deps, deps.supporters, principal, report, now)
    calc = current_calculator(deps.settings)
    kwargs = dict(params)
    if action == Action.DISPATCH:
        kwargs["agency"] = _check_references(deps, agency_id=kwargs.pop("agency_id"))
    elif action == Action.ASSIGN:
        unit_id = kwargs.pop("unit_id")
        agency = deps.directory.agency(report.agency_id) if report.agency_id else None
        unit = agency.unit(unit_id) if agency else None
        if unit is None:
            raise Unprocessable("Unit bukan bagian dari instansi ini", "The unit does not belong to this agency",
                                {"unit_id": "tidak dikenal di instansi ini / unknown in this agency"})
        kwargs["unit"] = unit
    elif action == Action.CORRECT:
        if not kwargs:
            raise InvalidInput("Tidak ada yang dikoreksi", "Nothing to correct", {"": "kirim minimal satu kolom / send at least one field"})
        if kwargs.get("category_id") is not None:
            _check_references(deps, category_id=kwargs["category_id"])
    report.apply(principal, action, now, calc, **kwargs)
    deps.reports.save(report)
    return report


@dataclass
class ListFilters:
    status: str | None = None
    kind: str | None = None
    agency_id: str | None = None
    unit_id: str | None = None
    province_code: str | None = None
    regency_code: str | None = None
    category_id: str | None = None
    channel: str | None = None
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    overdue: bool | None = None
    equals: dict[str, str] = field(default_factory=dict)
    sort: str = "newest"                 # issue 14: or "supported" (most supporters first)
    min_supporters: int | None = None


def list_query(principal: Principal, f: ListFilters):
    """The caller's scope and filters as one store query, or None when they cannot overlap."""
    eq: dict[str, str] = {k: v for k, v in (
        ("status", f.status), ("kind", f.kind), ("agency_id", f.agency_id), ("unit_id", f.unit_id),
        ("regency_code", f.regency_code), ("category_id", f.category_id), ("channel", f.channel),
    ) if v is not None}
    province = f.province_code
    scope = {
        Role.AGENCY_ADMIN: ("agency_id", principal.agency_id),
        Role.LIAISON_OFFICER: ("unit_id", principal.unit_id),
    }.get(principal.role)
    if scope:
        attr, value = scope
        if eq.get(attr, value) != value:
            return None
        eq[attr] = value
    if principal.role == Role.PROVINCIAL_ADMIN:
        if province not in (None, principal.province_code):
            return None
        province = principal.province_code
    elif principal.role != Role.CENTRAL_ADMIN and principal.role not in (Role.AGENCY_ADMIN, Role.LIAISON_OFFICER):
        raise Forbidden("Peran ini tidak dapat melihat daftar laporan", "This role may not list reports")

    received_from, received_to = wib_days_as_utc(f.received_from, f.received_to)
    return ListQuery(
        equals=tuple(sorted(eq.items())),
        province=province,
        received_from=received_from,
        received_to=received_to,
        overdue=f.overdue,
        min_supporters=f.min_supporters or None,
    )


def list_reports(deps: Deps, principal: Principal, f: ListFilters, limit: int, cursor: str | None):
    query = list_query(principal, f)
    if query is None:
        return [], None
    if f.sort == "supported":
        page = deps.reports.list_supported(query, limit, cursor)
    else:
        page = deps.reports.list(query, limit, cursor)
    return page.items, page.next_cursor


__all__ = ["Deps", "NewReport", "ReporterReply", "ListFilters", "submit_report", "staff_action",
           "reporter_reply", "load_for_reporter", "list_reports", "WIB"]
