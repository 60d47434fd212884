"""Small builders for domain tests: moments in WIB, principals of every role, a report as the
submit use case would build it, and a calculator over the real Indonesian calendar."""
from __future__ import annotations

import datetime as dt
from typing import Any

from chalicelib.domain.calendar import WIB, indonesian_calendar
from chalicelib.domain.lifecycle import Action, Status
from chalicelib.domain.report import AgencyRef, Location, Report, Reporter, UnitRef
from chalicelib.domain.roles import REPORTER, SYSTEM, Principal, Role
from chalicelib.domain.sla import DeadlineCalculator, SlaPolicy

UTC = dt.timezone.utc

MEDAN = AgencyRef(
    id="pemko-medan", province_code="12", name="Pemerintah Kota Medan", regency_code="12.71",
    units=(UnitRef("dishub-medan", "pemko-medan", "Dinas Perhubungan"),
           UnitRef("puskesmas-medan", "pemko-medan", "Puskesmas")),
)
BATAM = AgencyRef(
    id="pemko-batam", province_code="21", name="Pemerintah Kota Batam", regency_code="21.71",
    units=(UnitRef("dishub-batam", "pemko-batam", "Dinas Perhubungan"),),
)

CENTRAL = Principal("admin.pusat", Role.CENTRAL_ADMIN)
AGENCY = Principal("admin.medan", Role.AGENCY_ADMIN, agency_id="pemko-medan")
LIAISON = Principal("pp.dishub", Role.LIAISON_OFFICER, agency_id="pemko-medan", unit_id="dishub-medan")
PROVINCIAL = Principal("admin.sumut", Role.PROVINCIAL_ADMIN, province_code="12")
PRINCIPALS = {
    Role.CENTRAL_ADMIN: CENTRAL,
    Role.AGENCY_ADMIN: AGENCY,
    Role.LIAISON_OFFICER: LIAISON,
    Role.PROVINCIAL_ADMIN: PROVINCIAL,
    Role.REPORTER: REPORTER,
    Role.SYSTEM: SYSTEM,
}

# One calendar object for the whole run: its per-year holiday cache keeps the suite fast.
CALENDAR = indonesian_calendar()


def wib(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    """A moment given in Jakarta time, returned in UTC (as the platform stores moments)."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=WIB).astimezone(UTC)


def calculator(policy: SlaPolicy | None = None, calendar=None) -> DeadlineCalculator:
    return DeadlineCalculator(calendar or CALENDAR, policy or SlaPolicy())


def new_report(*, kind: str = "complaint", received_at: dt.datetime | None = None,
               category_id: str | None = None, **overrides: Any) -> Report:
    """A report as submit_report builds it, before start()."""
    fields: dict[str, Any] = dict(
        tracking_id="AB12-CD34", access_code_hash="x" * 64, kind=kind,
        title="Lampu jalan mati", description="Lampu jalan di Jl. Gatot Subroto mati sejak seminggu.",
        location=Location("12", "12.71", "Jl. Gatot Subroto"),
        reporter=Reporter("Siti", "siti@example.id", "+6281234567890"),
        channel="web", received_at=received_at or wib(2024, 12, 2), status=Status.SUBMITTED,
        category_id=category_id,
    )
    fields.update(overrides)
    return Report(**fields)


def started(*, now: dt.datetime | None = None, calc: DeadlineCalculator | None = None,
            agency: AgencyRef | None = None, **fields: Any) -> Report:
    """A report submitted online at `now` (received_at = now)."""
    now = now or wib(2024, 12, 2)
    report = new_report(received_at=now, **fields)
    report.start(REPORTER, now, calc or calculator(), agency)
    return report


def saved(report: Report) -> Report:
    """What the store does after a commit: the version moves on and new events are flushed."""
    report.version += 1
    report.new_events = []
    return report


# Actions that walk a report along the happy path, with the parameters each handler takes.
def act(report: Report, principal: Principal, action: Action, now: dt.datetime,
        calc: DeadlineCalculator | None = None, **params: Any) -> Report:
    report.apply(principal, action, now, calc or calculator(), **params)
    return report


DEFAULT_PARAMS: dict[Action, dict[str, Any]] = {
    Action.DISPATCH: {"agency": BATAM},
    Action.POSTPONE: {"message": "Mohon lengkapi lokasi"},
    Action.ARCHIVE: {"reason": "spam"},
    Action.CORRECT: {"title": "Lampu jalan padam"},
    Action.CLARIFY: {"message": "Lokasinya di depan pasar"},
    Action.AUTO_ARCHIVE: {},
    Action.ASSIGN: {"unit": MEDAN.units[1]},
    Action.REROUTE: {"message": "Bukan wewenang kami"},
    Action.RESPOND: {"message": "Sedang kami tangani"},
    Action.REPLY: {"message": "Terima kasih"},
    Action.FINAL_ANSWER: {"message": "Lampu sudah diganti"},
    Action.ACCEPT: {"rating": 5},
    Action.REJECT: {"message": "Masih mati"},
    Action.AUTO_COMPLETE: {},
    Action.SET_FIELD_INSPECTION: {"required": True},
    Action.REFER_OMBUDSMAN: {},
    Action.MARK_OVERDUE: {"stage": "completion"},
}


def _published() -> Report:
    r = started(tracking_id="0R16-1NA1")
    r.apply(CENTRAL, Action.DISPATCH, wib(2024, 12, 2, 11), calculator(), agency=MEDAN)
    return saved(r)


def report_in(status: Status, now: dt.datetime | None = None, kind: str = "complaint") -> Report:
    """A report brought to `status` through the real actions, saved, with no pending events."""
    t = now or wib(2024, 12, 2)
    r = started(now=t, kind=kind)
    steps: dict[Status, list[tuple[Principal, Action, dict[str, Any]]]] = {
        Status.SUBMITTED: [],
        Status.POSTPONED: [(CENTRAL, Action.POSTPONE, DEFAULT_PARAMS[Action.POSTPONE])],
        Status.ARCHIVED: [(CENTRAL, Action.ARCHIVE, DEFAULT_PARAMS[Action.ARCHIVE])],
        Status.DISPATCHED: [(CENTRAL, Action.DISPATCH, {"agency": MEDAN})],
    }
    handling = [(CENTRAL, Action.DISPATCH, {"agency": MEDAN}),
                (AGENCY, Action.ASSIGN, {"unit": MEDAN.units[0]}),
                (LIAISON, Action.RESPOND, DEFAULT_PARAMS[Action.RESPOND]),
                (LIAISON, Action.FINAL_ANSWER, DEFAULT_PARAMS[Action.FINAL_ANSWER]),
                (REPORTER, Action.ACCEPT, DEFAULT_PARAMS[Action.ACCEPT])]
    depth = {Status.ASSIGNED: 2, Status.IN_PROGRESS: 3, Status.AWAITING_REPORTER: 4, Status.COMPLETED: 5}
    plan = steps[status] if status in steps else handling[: depth[status]]
    for principal, action, params in plan:
        act(r, principal, action, t, **params)
    assert r.status == status
    return saved(r)


# Merging (issue 14): the original a duplicate joins, and how many supporters it brings.
DEFAULT_PARAMS[Action.MARK_DUPLICATE] = {"original": _published(), "added": 1}
DEFAULT_PARAMS[Action.UNMARK_DUPLICATE] = {"original": DEFAULT_PARAMS[Action.MARK_DUPLICATE]["original"]}


def marked_duplicate(status: Status = Status.DISPATCHED) -> Report:
    """A report of `status` marked as the duplicate of the default original, saved."""
    r = report_in(status)
    act(r, CENTRAL, Action.MARK_DUPLICATE, wib(2024, 12, 2, 12), **DEFAULT_PARAMS[Action.MARK_DUPLICATE])
    return saved(r)
