"""Second review, domain side: a reopened stage owes nothing twice, `overdue` describes the open
stages now, only the central admin lifts a privacy flag, and publication follows verification."""
from __future__ import annotations

import pytest

from chalicelib.domain.errors import Forbidden, InvalidTransition, Unprocessable
from chalicelib.domain.lifecycle import Action as A
from chalicelib.domain.lifecycle import Status as S
from chalicelib.domain.report import Report
from chalicelib.domain.roles import REPORTER

from .builders import AGENCY, CENTRAL, LIAISON, MEDAN, act, calculator, new_report, report_in, saved, started, wib

CALC = calculator()


def sweep_at(report: Report, moment) -> list[str]:
    """What one sweep run does to the report: the keys of the tasks it carried out (skips too)."""
    done = report.run_due_tasks(moment, CALC)
    saved(report)
    report.new_notices = []
    return [t.key for t in done if t.kind != "skip"]


def assigned_on_2024_12_02() -> Report:
    """Dispatched and assigned on Mon 2 Dec 2024: first response due Mon 9 Dec."""
    report = report_in(S.ASSIGNED)
    assert report.deadline("first_response").isoformat() == "2024-12-09"
    return report


# ---- 1. a reopened stage does not jam the clock ------------------------------------------------
def test_a_first_response_reopened_by_a_reroute_and_a_new_assign_owes_no_breach_again():
    report = assigned_on_2024_12_02()
    first = sweep_at(report, wib(2024, 12, 12, 8))  # past the breach (10 Dec) and the escalation (11 Dec)
    assert {"first_response@2024-12-09:breach", "first_response@2024-12-09:escalate"} <= set(first)
    act(report, LIAISON, A.REROUTE, wib(2024, 12, 12, 9), message="Bukan unit kami")
    act(report, AGENCY, A.ASSIGN, wib(2024, 12, 12, 10), unit=MEDAN.units[1])
    saved(report)
    assert report.deadline("first_response").isoformat() == "2024-12-09"  # the same deadline came back
    again = sweep_at(report, wib(2024, 12, 12, 11))
    assert not [k for k in again if k.startswith("first_response@")]
    assert report.next_action_at > wib(2024, 12, 12, 11)  # the sweep's index moved on


def test_a_completion_reopened_by_a_rejected_answer_owes_no_breach_again():
    report = report_in(S.IN_PROGRESS)
    due = report.deadline("completion")
    first = sweep_at(report, wib(2024, 12, 30, 8))  # completion due 20 Dec: breached and escalated
    assert f"completion@{due.isoformat()}:breach" in first
    act(report, LIAISON, A.FINAL_ANSWER, wib(2024, 12, 30, 9), message="Sudah diperbaiki")
    act(report, REPORTER, A.REJECT, wib(2024, 12, 30, 10), message="Belum diperbaiki")
    saved(report)
    assert report.status == S.IN_PROGRESS and report.deadline("completion") == due
    assert not [k for k in sweep_at(report, wib(2024, 12, 30, 11)) if k.startswith("completion@")]


def test_a_task_is_forgotten_once_its_deadline_moves():
    report = report_in(S.SUBMITTED)
    sweep_at(report, wib(2024, 12, 6, 8))  # verification due 5 Dec: breached
    assert any(k.startswith("verification@2024-12-05") for k in report.done_tasks)
    act(report, CENTRAL, A.DISPATCH, wib(2024, 12, 6, 9), agency=MEDAN)
    act(report, AGENCY, A.REROUTE, wib(2024, 12, 6, 10), message="Bukan wewenang kami")
    assert report.deadline("verification").isoformat() == "2024-12-11"
    assert not any(k.startswith("verification@2024-12-05") for k in report.done_tasks)


# ---- 11. overdue describes the open stages now -------------------------------------------------
def test_a_report_whose_late_stage_was_met_is_no_longer_overdue():
    report = assigned_on_2024_12_02()
    sweep_at(report, wib(2024, 12, 10, 8))
    assert report.overdue and report.is_overdue(wib(2024, 12, 10, 8))
    act(report, LIAISON, A.RESPOND, wib(2024, 12, 10, 9), message="Sedang ditangani")
    assert not report.overdue and not report.is_overdue(wib(2024, 12, 10, 9))
    assert "first_response" in report.stage_done  # the late first response stays on record


def test_the_breach_stays_in_the_history_after_the_flag_clears():
    report = assigned_on_2024_12_02()
    report.run_due_tasks(wib(2024, 12, 10, 8), CALC)
    assert [(e.action, e.data) for e in report.new_events] == [("mark_overdue", {"stage": "first_response"})]
    act(report, LIAISON, A.RESPOND, wib(2024, 12, 10, 9), message="Sedang ditangani")
    assert [e.action for e in report.new_events] == ["mark_overdue", "respond"]


def test_a_report_late_on_completion_stays_overdue_through_a_unit_reroute():
    report = report_in(S.ASSIGNED)
    assert report.deadline("completion").isoformat() == "2024-12-20"
    sweep_at(report, wib(2024, 12, 23, 8))  # first response and completion both late
    act(report, LIAISON, A.REROUTE, wib(2024, 12, 23, 9), message="Bukan unit kami")
    assert report.status == S.DISPATCHED and report.overdue  # completion is still open and late


# ---- 9. only the central admin lifts a privacy flag --------------------------------------------
@pytest.mark.parametrize("flag", ["anonymous", "confidential"])
def test_an_agency_admin_cannot_lift_a_privacy_flag(flag):
    report = saved(started(agency=MEDAN, **{flag: True}))
    with pytest.raises(Forbidden) as refused:
        act(report, AGENCY, A.CORRECT, wib(2024, 12, 3), **{flag: False})
    assert flag in refused.value.fields
    assert getattr(report, flag) is True and report.new_events == []


@pytest.mark.parametrize("flag", ["anonymous", "confidential"])
def test_an_agency_admin_may_raise_a_privacy_flag(flag):
    report = saved(started(agency=MEDAN))
    act(report, AGENCY, A.CORRECT, wib(2024, 12, 3), **{flag: True})
    assert getattr(report, flag) is True


def test_the_central_admin_may_lift_a_privacy_flag():
    report = saved(started(anonymous=True, confidential=True))
    act(report, CENTRAL, A.CORRECT, wib(2024, 12, 3), anonymous=False, confidential=False)
    assert not report.anonymous and not report.confidential


def test_restating_a_flag_that_is_already_off_is_no_lift():
    report = saved(started(agency=MEDAN))
    act(report, AGENCY, A.CORRECT, wib(2024, 12, 3), anonymous=False, title="Lampu padam")
    assert report.title == "Lampu padam"


# ---- 10. publication follows verification -------------------------------------------------------
def addressed_to_medan() -> Report:
    return saved(started(agency=MEDAN, requested_agency_id=MEDAN.id))


def test_a_report_addressed_to_an_agency_is_published_when_the_agency_assigns_it():
    report = addressed_to_medan()
    assert not report.is_public
    act(report, AGENCY, A.ASSIGN, wib(2024, 12, 3), unit=MEDAN.units[0])
    assert report.is_public


def test_a_report_an_admin_typed_in_for_an_agency_is_verified_and_published():
    for admin in (CENTRAL, AGENCY):
        report = new_report(requested_agency_id=MEDAN.id)
        report.start(admin, wib(2024, 12, 2), CALC, MEDAN)
        assert report.status == S.DISPATCHED and report.is_public


@pytest.mark.parametrize("reason", ["spam", "out_of_scope"])
def test_an_agency_archives_an_unverified_report_addressed_to_it(reason):
    report = act(addressed_to_medan(), AGENCY, A.ARCHIVE, wib(2024, 12, 3), reason=reason)
    assert report.status == S.ARCHIVED and report.archive_reason == reason and not report.is_public


def test_an_agency_may_not_archive_for_other_reasons():
    with pytest.raises(Unprocessable) as refused:
        act(addressed_to_medan(), AGENCY, A.ARCHIVE, wib(2024, 12, 3), reason="incomplete")
    assert "reason" in refused.value.fields


def test_an_agency_may_not_archive_what_the_central_admin_dispatched_to_it():
    report = report_in(S.DISPATCHED)
    with pytest.raises(InvalidTransition):
        act(report, AGENCY, A.ARCHIVE, wib(2024, 12, 3), reason="spam")
    assert report.status == S.DISPATCHED and report.is_public


def test_rerouting_an_unverified_report_keeps_it_unpublished():
    report = act(addressed_to_medan(), AGENCY, A.REROUTE, wib(2024, 12, 3), message="Bukan wewenang kami")
    assert report.status == S.SUBMITTED and not report.is_public


def test_archiving_as_spam_unpublishes_a_published_report():
    report = act(report_in(S.DISPATCHED), AGENCY, A.REROUTE, wib(2024, 12, 3), message="Bukan wewenang kami")
    assert report.is_public
    act(report, CENTRAL, A.ARCHIVE, wib(2024, 12, 4), reason="spam")
    assert not report.is_public


def test_making_a_report_confidential_takes_it_out_of_public_view():
    report = report_in(S.DISPATCHED)
    act(report, AGENCY, A.CORRECT, wib(2024, 12, 3), confidential=True)
    assert not report.is_public
