"""Random walks through the lifecycle (hypothesis): whatever path a report takes, its history,
its scope fields and its deadlines stay consistent with its status."""
from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.domain.calendar import to_wib_date
from chalicelib.domain.errors import InvalidInput, InvalidTransition
from chalicelib.domain.lifecycle import TRANSITIONS, Action, Status
from chalicelib.domain.report import AGENCY_ARCHIVE_REASONS, KINDS

from .builders import BATAM, CALENDAR, DEFAULT_PARAMS, MEDAN, PRINCIPALS, calculator, saved, started, wib

AGENCIES = {a.id: a for a in (MEDAN, BATAM)}
WITH_UNIT = {Status.ASSIGNED, Status.IN_PROGRESS, Status.AWAITING_REPORTER, Status.COMPLETED}
WITHOUT_AGENCY = {Status.SUBMITTED, Status.POSTPONED}


def params_for(report, action: Action, pick) -> dict:
    if action == Action.DISPATCH:
        return {"agency": pick([a for a in AGENCIES.values() if a.id != report.agency_id])}
    if action == Action.ASSIGN:
        return {"unit": pick(list(AGENCIES[report.agency_id].units))}
    if action == Action.CORRECT:
        return pick([{"kind": pick(list(KINDS))}, {"title": "Judul yang dikoreksi"},
                     {"category_id": pick(["lampu", "jalan"])}, {"anonymous": True}])
    if action == Action.SET_FIELD_INSPECTION:
        return {"required": pick([True, False])}
    if action == Action.ARCHIVE:
        return {"reason": "spam"}
    if action == Action.ACCEPT:
        return {"rating": pick([1, 5])}
    if action == Action.MARK_OVERDUE:
        return {"stage": "completion"}
    if action in (Action.AUTO_ARCHIVE, Action.AUTO_COMPLETE, Action.REFER_OMBUDSMAN):
        return {}
    if action in (Action.MARK_DUPLICATE, Action.UNMARK_DUPLICATE):
        return dict(DEFAULT_PARAMS[action])
    return {"message": "pesan"}


def check_invariants(report, first_dispatch_completion_inputs) -> None:
    chain = report.new_events
    assert all(a.to_status == b.from_status for a, b in zip(chain, chain[1:]))
    assert chain[-1].to_status == report.status.value
    merged = report.status == Status.ARCHIVED and report.archive_reason == "duplicate"
    # A merged duplicate keeps its unit, so that unmark_duplicate puts it back where it was.
    assert (report.unit_id is not None) == (report.status in WITH_UNIT) or merged, (report.status, report.unit_id)
    assert (report.agency_id is None) == (report.status in WITHOUT_AGENCY) or report.status == Status.ARCHIVED
    if report.status == Status.ARCHIVED and report.archive_reason == "duplicate":  # merged (issue 14)
        assert report.duplicate_of and report.duplicate_from_status
    elif report.status == Status.ARCHIVED and report.agency_id is not None:  # closed by the agency it was addressed to
        assert report.archive_reason in AGENCY_ARCHIVE_REASONS and not report.published
    # Published once verified (a central dispatch, or the agency's assign), never before a dispatch.
    assert not report.published or report.dispatched_at is not None
    if report.status in WITH_UNIT:
        assert report.published
    assert (report.completed_at is not None) == (report.status == Status.COMPLETED)
    assert set(report.stage_done) <= set(report.deadlines)
    for stage in report.deadlines:
        assert CALENDAR.is_working_day(report.deadline(stage)), stage
    if report.status == Status.AWAITING_REPORTER:
        assert "completion" in report.stage_done
    if report.status == Status.IN_PROGRESS:
        assert "completion" not in report.stage_done
    if report.dispatched_at is not None:
        start = to_wib_date(report.dispatched_at)
        assert report.deadline("ombudsman_referral") == CALENDAR.add_working_days(start, 60)
        assert report.deadline("first_response") == CALENDAR.add_working_days(start, 5)
        assert report.deadline("completion") == report._completion_due(calculator())
        assert report.dispatched_at == first_dispatch_completion_inputs[0]
    if report.status != Status.POSTPONED:
        assert report.paused_remaining is None or report.status == Status.ARCHIVED


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), kind=st.sampled_from(KINDS), named=st.booleans())
def test_any_walk_keeps_the_report_consistent(data, kind, named):
    now = wib(2024, 12, 2)
    report = started(now=now, kind=kind, agency=MEDAN if named else None,
                     requested_agency_id=MEDAN.id if named else None)
    first_dispatch = [report.dispatched_at]
    pick = lambda options: data.draw(st.sampled_from(options))  # noqa: E731
    for _ in range(data.draw(st.integers(1, 14))):
        rows = [(action, role) for (status, action), t in TRANSITIONS.items() if status == report.status
                for role in sorted(t.roles)]
        if not rows:
            break
        action, role = pick(rows)
        now += dt.timedelta(hours=data.draw(st.integers(1, 24 * 9)))
        try:
            report.apply(PRINCIPALS[role], action, now, calculator(), **params_for(report, action, pick))
        except (InvalidInput, InvalidTransition):
            continue  # an action's own refusal (field inspection of a non-complaint, an agency archiving
            # what was verified): nothing changed
        if first_dispatch[0] is None:
            first_dispatch[0] = report.dispatched_at
        check_invariants(report, first_dispatch)
        if data.draw(st.booleans()):
            events = report.new_events
            saved(report)
            report.new_events = events[-1:]  # keep the chain check meaningful across a save
