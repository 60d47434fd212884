"""allowed_actions never disagrees with what the report accepts, for every status, role and
staff action; stage clocks count working days with the calendar in force."""
from __future__ import annotations

import datetime as dt
import itertools

import pytest

from chalicelib.domain.access import in_scope
from chalicelib.domain.errors import DomainError
from chalicelib.domain.lifecycle import STAFF_ACTIONS, Action, Status
from chalicelib.domain.roles import STAFF_ROLES, Role
from chalicelib.domain.worklist import allowed_actions, archive_reasons, next_due, stage_clocks, time_left

from .builders import (
    AGENCY, CALENDAR, CENTRAL, DEFAULT_PARAMS, LIAISON, MEDAN, PRINCIPALS, PROVINCIAL, act, calculator,
    marked_duplicate, report_in, saved, started, wib,
)

STAFF_STATUSES = [s for s in Status]


def _accepts(report, principal, action) -> bool:
    try:
        report.apply(principal, action, wib(2024, 12, 3), calculator(), **DEFAULT_PARAMS[action])
    except DomainError:
        return False
    return True


def _variants(status: Status):
    yield report_in(status)
    yield report_in(status, kind="aspiration")
    if status == Status.DISPATCHED:  # addressed to the agency by the reporter, nobody verified it yet
        yield saved(started(agency=MEDAN, requested_agency_id=MEDAN.id))
    if status == Status.ARCHIVED:  # archived as the duplicate of another report (issue 14)
        yield marked_duplicate(Status.ASSIGNED)


@pytest.mark.parametrize("status,role,action", list(itertools.product(
    STAFF_STATUSES, STAFF_ROLES, sorted(STAFF_ACTIONS, key=lambda a: a.value))))
def test_allowed_actions_lists_exactly_what_the_report_accepts(status, role, action):
    principal = PRINCIPALS[role]
    for report in _variants(status):
        listed = action.value in allowed_actions(principal, report)
        if not in_scope(principal, report):
            assert not listed
            continue
        assert listed == _accepts(report, principal, action), (status, role, action, report.kind)


def test_each_role_sees_its_next_step_along_the_happy_path():
    assert allowed_actions(CENTRAL, report_in(Status.SUBMITTED)) == [
        "dispatch", "postpone", "correct", "archive", "mark_duplicate"]
    assert allowed_actions(AGENCY, report_in(Status.DISPATCHED)) == [
        "assign", "reroute", "set_field_inspection", "correct", "mark_duplicate"]
    assert allowed_actions(LIAISON, report_in(Status.ASSIGNED)) == ["respond", "reroute", "set_field_inspection"]
    assert allowed_actions(LIAISON, report_in(Status.IN_PROGRESS)) == ["respond", "final_answer", "set_field_inspection"]
    assert allowed_actions(LIAISON, report_in(Status.AWAITING_REPORTER)) == []
    assert allowed_actions(PROVINCIAL, report_in(Status.IN_PROGRESS)) == []
    assert allowed_actions(CENTRAL, report_in(Status.COMPLETED)) == []


def test_an_agency_admin_may_archive_only_an_unverified_report_addressed_to_it():
    addressed = saved(started(agency=MEDAN, requested_agency_id=MEDAN.id))
    assert "archive" in allowed_actions(AGENCY, addressed)
    assert "archive" not in allowed_actions(AGENCY, report_in(Status.DISPATCHED))
    assert archive_reasons(AGENCY) == ("spam", "out_of_scope")
    assert "incomplete" in archive_reasons(CENTRAL)


def test_field_inspection_is_offered_for_complaints_only():
    assert "set_field_inspection" not in allowed_actions(AGENCY, report_in(Status.DISPATCHED, kind="aspiration"))


def test_a_report_outside_the_callers_scope_offers_nothing():
    other = PRINCIPALS[Role.AGENCY_ADMIN].__class__("admin.batam", AGENCY.role, agency_id="pemko-batam")
    assert allowed_actions(other, report_in(Status.DISPATCHED)) == []


def test_time_left_counts_working_days_and_skips_christmas_and_cuti_bersama():
    due = dt.date(2024, 12, 31)
    assert time_left(CALENDAR, due, dt.date(2024, 12, 23)) == {"working_days_left": 4, "late_working_days": 0}
    assert time_left(CALENDAR, due, due) == {"working_days_left": 0, "late_working_days": 0}
    assert time_left(CALENDAR, due, dt.date(2025, 1, 3)) == {"working_days_left": 0, "late_working_days": 2}
    # late over a weekend only: still one day late
    assert time_left(CALENDAR, dt.date(2025, 1, 3), dt.date(2025, 1, 5)) == {"working_days_left": 0,
                                                                             "late_working_days": 1}


def test_stage_clocks_say_what_runs_what_was_met_and_on_time():
    report = started(now=wib(2024, 12, 20), kind="information_request", agency=MEDAN)
    act(report, AGENCY, Action.ASSIGN, wib(2024, 12, 24), unit=MEDAN.units[0])
    clocks = {c["stage"]: c for c in stage_clocks(report, CALENDAR, dt.date(2024, 12, 27))}
    assert clocks["completion"] == {"stage": "completion", "due": "2024-12-31", "open": True, "done_at": None,
                                    "met_on_time": None, "working_days_left": 2, "late_working_days": 0}
    assert clocks["agency_review"]["met_on_time"] is True and not clocks["agency_review"]["open"]
    assert clocks["ombudsman_referral"]["open"] and clocks["ombudsman_referral"]["working_days_left"] > 50
    assert next_due(report, CALENDAR, dt.date(2024, 12, 27)) == {
        "stage": "first_response", "due": "2024-12-31", "working_days_left": 2, "late_working_days": 0}


def test_a_closed_report_has_no_running_clock():
    done = report_in(Status.COMPLETED)
    assert next_due(done, CALENDAR, dt.date(2024, 12, 27)) is None
    assert not any(c["open"] for c in stage_clocks(done, CALENDAR, dt.date(2024, 12, 27)))
