"""Random report histories for the statistics tests: reports created across provinces, then walked
through whatever the lifecycle table allows from their status, by the roles it names, with
time moving on between steps (hours to months, so working-day histograms reach their overflow)."""
from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable

from hypothesis import strategies as st

from chalicelib.domain.errors import DomainError
from chalicelib.domain.lifecycle import TRANSITIONS, Action, Status
from chalicelib.domain.report import ARCHIVE_REASONS, CHANNELS, KINDS, AgencyRef, Location, Report, Reporter, UnitRef
from chalicelib.domain.roles import REPORTER, SYSTEM, Principal, Role


def _agency(aid: str, province: str, regency: str, *units: str) -> AgencyRef:
    return AgencyRef(id=aid, province_code=province, name=aid, regency_code=regency,
                     units=tuple(UnitRef(f"{aid}.{u}", aid, u) for u in units))


AGENCIES = (
    _agency("pemkot-medan", "12", "12.71", "dishub", "dlh"),
    _agency("pemkot-batam", "21", "21.71", "dishub"),
    _agency("pemkab-pasaman", "13", "13.08", "dinkes"),
    _agency("kementerian-pupr", "31", "31.71", "bina-marga"),
)
LOCATIONS = (("12", "12.71"), ("12", "12.75"), ("12", None), ("21", "21.71"), ("13", "13.08"))
CATEGORIES = (None, "roads", "trees")
START = dt.datetime(2023, 1, 30, 1, 0, tzinfo=dt.timezone.utc)  # a month edge in WIB is near


@dataclass(frozen=True)
class NewReportSpec:
    location: int
    kind: int
    channel: int
    category: int
    agency: int | None
    confidential: bool
    received_hours: int


@dataclass(frozen=True)
class Step:
    report: int
    choice: int
    pick: int
    hours: int


new_reports = st.builds(
    NewReportSpec, st.integers(0, len(LOCATIONS) - 1), st.integers(0, len(KINDS) - 1),
    st.integers(0, len(CHANNELS) - 1), st.integers(0, len(CATEGORIES) - 1),
    st.none() | st.integers(0, len(AGENCIES) - 1), st.booleans(), st.integers(0, 24 * 40),
)
steps = st.builds(Step, st.integers(0, 5), st.integers(0, 99), st.integers(0, 99),
                  st.integers(0, 24 * 10) | st.integers(24 * 7 * 10, 24 * 7 * 14))
histories = st.tuples(st.lists(new_reports, min_size=1, max_size=5), st.lists(steps, max_size=40))


def create(i: int, spec: NewReportSpec, calc) -> Report:
    province, regency = LOCATIONS[spec.location]
    received = START + dt.timedelta(hours=spec.received_hours)
    report = Report(
        tracking_id=f"T{i:03d}-0000", access_code_hash="x" * 64, kind=KINDS[spec.kind], title="Jalan rusak",
        description="Lubang besar di jalan.", location=Location(province, regency),
        reporter=Reporter("Siti", "siti@example.id", "+6281234567890"), channel=CHANNELS[spec.channel],
        received_at=received, status=Status.SUBMITTED, category_id=CATEGORIES[spec.category],
        confidential=spec.confidential,
    )
    report.start(REPORTER, received, calc, AGENCIES[spec.agency] if spec.agency is not None else None)
    return report


def _current_agency(report: Report) -> AgencyRef | None:
    return next((a for a in AGENCIES if a.id == report.agency_id), None)


def _assign(report: Report, pick: int) -> dict | None:
    agency = _current_agency(report)
    return {"unit": agency.units[pick % len(agency.units)]} if agency else None


def _correct(report: Report, pick: int) -> dict:
    return [{"kind": KINDS[pick % 3]}, {"category_id": CATEGORIES[pick % 3]}, {"confidential": pick % 2 == 0},
            {"title": "Jalan berlubang"}][pick % 4]


MESSAGE = {"message": "Catatan"}
PARAMS: dict[Action, Callable[[Report, int], dict[str, Any] | None]] = {
    Action.DISPATCH: lambda r, p: {"agency": AGENCIES[p % len(AGENCIES)]},
    Action.POSTPONE: lambda r, p: MESSAGE,
    Action.CLARIFY: lambda r, p: MESSAGE,
    Action.ARCHIVE: lambda r, p: {"reason": ARCHIVE_REASONS[p % len(ARCHIVE_REASONS)]},
    Action.AUTO_ARCHIVE: lambda r, p: {},
    Action.CORRECT: _correct,
    Action.ASSIGN: _assign,
    Action.REROUTE: lambda r, p: MESSAGE,
    Action.RESPOND: lambda r, p: MESSAGE,
    Action.REPLY: lambda r, p: MESSAGE,
    Action.FINAL_ANSWER: lambda r, p: MESSAGE,
    Action.ACCEPT: lambda r, p: {"rating": 1 + p % 5},
    Action.REJECT: lambda r, p: MESSAGE,
    Action.AUTO_COMPLETE: lambda r, p: {},
    Action.SET_FIELD_INSPECTION: lambda r, p: {"required": p % 2 == 0},
    Action.REFER_OMBUDSMAN: lambda r, p: {},
}
if hasattr(Action, "MARK_OVERDUE"):  # the sweep's flag, where the lifecycle has it
    PARAMS[Action.MARK_OVERDUE] = lambda r, p: {"stage": "completion"}


def principal(role: Role, report: Report) -> Principal:
    return {
        Role.CENTRAL_ADMIN: Principal("admin.pusat", role),
        Role.AGENCY_ADMIN: Principal("admin.instansi", role, agency_id=report.agency_id),
        Role.LIAISON_OFFICER: Principal("penghubung", role, agency_id=report.agency_id, unit_id=report.unit_id),
        Role.REPORTER: REPORTER,
        Role.SYSTEM: SYSTEM,
    }[role]


def apply_step(report: Report, step: Step, now: dt.datetime, calc) -> bool:
    """One allowed action on the report, chosen by the step; False when it was refused."""
    options = sorted(((a, t) for (s, a), t in TRANSITIONS.items() if s == report.status and a in PARAMS),
                     key=lambda o: o[0].value)
    if not options:
        return False
    action, transition = options[step.choice % len(options)]
    roles = sorted(transition.roles, key=lambda r: r.value)
    params = PARAMS[action](report, step.pick)
    if params is None:
        return False
    try:
        report.apply(principal(roles[step.pick % len(roles)], report), action, now, calc, **params)
    except DomainError:
        return False
    return True


def walk(specs: list[NewReportSpec], plan: list[Step], calc,
         on_change: Callable[[Report | None, Report], None]) -> list[Report]:
    """Creates the reports, then applies the plan; on_change(before, after) after each change
    (before is None at creation), as the store's transaction hook would see it."""
    reports = []
    for i, spec in enumerate(specs):
        report = create(i, spec, calc)
        on_change(None, report)
        report.new_events = []
        reports.append(report)
    now = max(r.received_at for r in reports)
    for step in plan:
        report = reports[step.report % len(reports)]
        now += dt.timedelta(hours=step.hours)
        before = copy.deepcopy(report)
        if apply_step(report, step, now, calc):
            on_change(before, report)
            report.new_events = []
    return reports
