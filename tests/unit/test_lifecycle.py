"""The lifecycle table and its guard, row by row, and each action handler of the Report aggregate:
which event it records and which fields it changes."""
from __future__ import annotations

import itertools

import pytest

from chalicelib.domain.errors import Forbidden, InvalidInput, InvalidTransition, Unprocessable
from chalicelib.domain.lifecycle import CLOSED, STAFF_ACTIONS, TRANSITIONS, Action, Status, guard
from chalicelib.domain.report import Visibility
from chalicelib.domain.roles import REPORTER, SYSTEM, Role

from .builders import (
    AGENCY, BATAM, CENTRAL, DEFAULT_PARAMS, LIAISON, MEDAN, PRINCIPALS, act, marked_duplicate, new_report,
    report_in, saved, started, wib,
)

S, A, R = Status, Action, Role

# DOMAIN.md's lifecycle, written out independently of the code's table. The clock's own flag
# moves (Ombudsman referral, overdue marking) are checked by property below, not row by row.
EXPECTED_TABLE = {
    (S.SUBMITTED, A.DISPATCH): (S.DISPATCHED, {R.CENTRAL_ADMIN}),
    (S.SUBMITTED, A.POSTPONE): (S.POSTPONED, {R.CENTRAL_ADMIN}),
    (S.SUBMITTED, A.ARCHIVE): (S.ARCHIVED, {R.CENTRAL_ADMIN}),
    (S.SUBMITTED, A.CORRECT): (S.SUBMITTED, {R.CENTRAL_ADMIN}),
    (S.POSTPONED, A.CLARIFY): (S.SUBMITTED, {R.REPORTER}),
    (S.POSTPONED, A.AUTO_ARCHIVE): (S.ARCHIVED, {R.SYSTEM}),
    (S.DISPATCHED, A.DISPATCH): (S.DISPATCHED, {R.CENTRAL_ADMIN}),
    (S.DISPATCHED, A.ASSIGN): (S.ASSIGNED, {R.AGENCY_ADMIN}),
    (S.DISPATCHED, A.REROUTE): (S.SUBMITTED, {R.AGENCY_ADMIN, R.CENTRAL_ADMIN}),
    (S.DISPATCHED, A.ARCHIVE): (S.ARCHIVED, {R.AGENCY_ADMIN}),
    (S.DISPATCHED, A.CORRECT): (S.DISPATCHED, {R.CENTRAL_ADMIN, R.AGENCY_ADMIN}),
    (S.ASSIGNED, A.ASSIGN): (S.ASSIGNED, {R.AGENCY_ADMIN}),
    (S.ASSIGNED, A.RESPOND): (S.IN_PROGRESS, {R.LIAISON_OFFICER}),
    (S.ASSIGNED, A.REROUTE): (S.DISPATCHED, {R.LIAISON_OFFICER}),
    (S.IN_PROGRESS, A.RESPOND): (S.IN_PROGRESS, {R.LIAISON_OFFICER}),
    (S.IN_PROGRESS, A.REPLY): (S.IN_PROGRESS, {R.REPORTER}),
    (S.IN_PROGRESS, A.FINAL_ANSWER): (S.AWAITING_REPORTER, {R.LIAISON_OFFICER}),
    (S.AWAITING_REPORTER, A.ACCEPT): (S.COMPLETED, {R.REPORTER}),
    (S.AWAITING_REPORTER, A.REJECT): (S.IN_PROGRESS, {R.REPORTER}),
    (S.AWAITING_REPORTER, A.AUTO_COMPLETE): (S.COMPLETED, {R.SYSTEM}),
    **{(s, A.SET_FIELD_INSPECTION): (s, {R.AGENCY_ADMIN, R.LIAISON_OFFICER})
       for s in (S.DISPATCHED, S.ASSIGNED, S.IN_PROGRESS)},
    # issue 14: a duplicate is archived (central admin; agency admin once it is the agency's), and
    # the undo reopens it (the report restores the status it had).
    (S.SUBMITTED, A.MARK_DUPLICATE): (S.ARCHIVED, {R.CENTRAL_ADMIN}),
    (S.POSTPONED, A.MARK_DUPLICATE): (S.ARCHIVED, {R.CENTRAL_ADMIN}),
    **{(s, A.MARK_DUPLICATE): (S.ARCHIVED, {R.CENTRAL_ADMIN, R.AGENCY_ADMIN})
       for s in (S.DISPATCHED, S.ASSIGNED, S.IN_PROGRESS)},
    (S.ARCHIVED, A.UNMARK_DUPLICATE): (S.ARCHIVED, {R.CENTRAL_ADMIN, R.AGENCY_ADMIN}),
}
CLOCK_FLAGS = {A.REFER_OMBUDSMAN, A.MARK_OVERDUE}

ALLOWED = [(status, action, role) for (status, action), t in TRANSITIONS.items() for role in sorted(t.roles)]
# Who ever performs each action: a role outside this set is refused outright (403).
PERFORMERS = {action: {role for (_, a), t in TRANSITIONS.items() if a == action for role in t.roles}
              for action in Action}
FORBIDDEN = [
    (status, action, role)
    for status, action, role in itertools.product(Status, Action, Role)
    if not ((status, action) in TRANSITIONS and role in TRANSITIONS[(status, action)].roles)
]


def _id(triple) -> str:
    return "-".join(x.value for x in triple)


# ---- the table ---------------------------------------------------------------------------------
def test_the_table_is_the_lifecycle_of_the_domain_reference():
    actual = {key: (t.to, set(t.roles)) for key, t in TRANSITIONS.items() if key[1] not in CLOCK_FLAGS}
    assert actual == EXPECTED_TABLE


@pytest.mark.parametrize("action", sorted(CLOCK_FLAGS), ids=lambda a: a.value)
def test_the_clocks_flags_are_the_systems_alone_and_never_move_the_status(action):
    rows = {key: t for key, t in TRANSITIONS.items() if key[1] == action}
    assert rows, action
    for (status, _), t in rows.items():
        assert t.roles == {R.SYSTEM} and t.to == status and status not in CLOSED


def test_the_ombudsman_flag_can_be_raised_while_the_agency_still_owes_the_completion():
    ombudsman = {s for (s, a) in TRANSITIONS if a == A.REFER_OMBUDSMAN}
    assert {S.DISPATCHED, S.ASSIGNED, S.IN_PROGRESS, S.AWAITING_REPORTER} <= ombudsman


def test_closed_reports_have_no_way_out_but_the_undo_of_a_duplicate_mark():
    assert {(s, a) for (s, a) in TRANSITIONS if s in CLOSED} == {(S.ARCHIVED, A.UNMARK_DUPLICATE)}


def test_every_staff_action_is_a_move_some_staff_role_may_make():
    staff = {R.CENTRAL_ADMIN, R.AGENCY_ADMIN, R.LIAISON_OFFICER}
    for action in STAFF_ACTIONS:
        assert PERFORMERS[action] & staff, action


@pytest.mark.parametrize("status,action,role", ALLOWED, ids=map(_id, ALLOWED))
def test_an_allowed_role_gets_the_next_status_of_the_row(status, action, role):
    assert guard(status, action, role) == TRANSITIONS[(status, action)].to


@pytest.mark.parametrize("status,action,role", FORBIDDEN, ids=map(_id, FORBIDDEN))
def test_a_forbidden_move_is_refused_with_the_right_error(status, action, role):
    expected = InvalidTransition if role in PERFORMERS[action] else Forbidden
    with pytest.raises((Forbidden, InvalidTransition)) as caught:
        guard(status, action, role)
    assert type(caught.value) is expected
    assert caught.value.message_id and caught.value.message_en


def test_the_provincial_admin_only_reads():
    assert all(R.PROVINCIAL_ADMIN not in roles for roles in PERFORMERS.values())


def test_who_performs_each_action_matches_the_domain_reference():
    expected = {action: set().union(*[roles for (_, a), (_, roles) in EXPECTED_TABLE.items() if a == action])
                for action in {a for (_, a) in EXPECTED_TABLE}}
    assert {a: PERFORMERS[a] for a in expected} == expected


def test_submit_is_never_a_guarded_move():
    """A report is born by start(), not by a transition: nobody 'submits' an existing report."""
    for status, role in itertools.product(Status, Role):
        with pytest.raises(Forbidden):
            guard(status, A.SUBMIT, role)


# ---- through the aggregate: every row records exactly one event --------------------------------
ROWS = [(status, action, sorted(t.roles)[0]) for (status, action), t in TRANSITIONS.items()]


@pytest.mark.parametrize("status,action,role", ROWS, ids=map(_id, ROWS))
def test_every_row_applied_to_a_report_records_one_event_from_and_to(status, action, role):
    # An agency archives only what was addressed to it and is not yet verified.
    report = saved(started(agency=MEDAN, requested_agency_id=MEDAN.id)) if (status, action) == (S.DISPATCHED, A.ARCHIVE) else report_in(status)
    if action == A.UNMARK_DUPLICATE:  # only a report marked as a duplicate can be unmarked
        report = marked_duplicate(S.DISPATCHED)
    version = report.version
    act(report, PRINCIPALS[role], action, wib(2024, 12, 3), **DEFAULT_PARAMS[action])
    # the undo restores the status the duplicate had; every other row's target is the table's
    assert report.status == (S.DISPATCHED if action == A.UNMARK_DUPLICATE else TRANSITIONS[(status, action)].to)
    assert len(report.new_events) == 1
    event = report.new_events[0]
    assert (event.action, event.from_status, event.to_status) == (action.value, status.value, report.status.value)
    assert (event.actor, event.role) == (PRINCIPALS[role].actor, role.value)
    assert event.at == wib(2024, 12, 3)
    assert report.version == version  # the store, not the aggregate, moves the version


def test_a_refused_move_changes_nothing():
    report = report_in(S.SUBMITTED)
    before = (report.status, dict(report.deadlines), report.agency_id)
    with pytest.raises(Forbidden):
        act(report, LIAISON, A.DISPATCH, wib(2024, 12, 3), agency=MEDAN)
    with pytest.raises(InvalidTransition):
        act(report, AGENCY, A.ASSIGN, wib(2024, 12, 3), unit=MEDAN.units[0])
    assert report.new_events == []
    assert (report.status, report.deadlines, report.agency_id) == before


# ---- each handler: its event and its fields ----------------------------------------------------
def only_event(report):
    assert len(report.new_events) == 1
    return report.new_events[0]


def test_start_without_agency_records_a_submission_waiting_for_verification():
    report = started(now=wib(2024, 12, 2))
    event = only_event(report)
    assert (event.action, event.from_status, event.to_status) == ("submit", None, "submitted")
    assert event.visibility == Visibility.PUBLIC and event.data == {"channel": "web"}
    assert report.status == S.SUBMITTED and not report.published and report.agency_id is None


def test_start_with_a_named_agency_is_dispatched_but_unpublished_until_the_agency_verifies():
    report = started(now=wib(2024, 12, 2), agency=MEDAN)
    event = only_event(report)
    assert (event.action, event.from_status, event.to_status) == ("submit", None, "dispatched")
    assert event.data == {"channel": "web", "agency_id": "pemko-medan"}
    assert (report.agency_id, report.agency_province_code) == ("pemko-medan", "12")
    assert not report.published and not report.is_public and report.dispatched_at == wib(2024, 12, 2)
    assert "verification" not in report.deadlines


def test_dispatch_publishes_and_records_the_agency():
    report = act(report_in(S.SUBMITTED), CENTRAL, A.DISPATCH, wib(2024, 12, 3), agency=MEDAN)
    event = only_event(report)
    assert event.visibility == Visibility.PUBLIC and event.message is None
    assert event.data == {"agency_id": "pemko-medan"}
    assert (report.agency_id, report.agency_province_code, report.unit_id) == ("pemko-medan", "12", None)
    assert report.published and report.dispatched_at == wib(2024, 12, 3)
    assert report.stage_done["verification"] == wib(2024, 12, 3).isoformat()


def test_a_dispatch_note_is_for_staff_only():
    report = act(report_in(S.SUBMITTED), CENTRAL, A.DISPATCH, wib(2024, 12, 3), agency=MEDAN,
                 message="Mohon segera ditangani")
    assert only_event(report).visibility == Visibility.STAFF


def test_forwarding_to_another_agency_names_the_previous_one_and_clears_the_unit():
    report = act(report_in(S.DISPATCHED), CENTRAL, A.DISPATCH, wib(2024, 12, 3), agency=BATAM)
    event = only_event(report)
    assert event.data == {"agency_id": "pemko-batam", "previous_agency_id": "pemko-medan"}
    assert (report.agency_id, report.agency_province_code, report.status) == ("pemko-batam", "21", S.DISPATCHED)


def test_dispatching_to_the_agency_already_holding_the_report_is_refused():
    report = report_in(S.DISPATCHED)
    with pytest.raises(Unprocessable) as caught:
        act(report, CENTRAL, A.DISPATCH, wib(2024, 12, 3), agency=MEDAN)
    assert "agency_id" in caught.value.fields
    assert report.new_events == [] and report.status == S.DISPATCHED


def test_postpone_asks_the_reporter_privately_and_starts_the_clarification_clock():
    report = act(report_in(S.SUBMITTED), CENTRAL, A.POSTPONE, wib(2024, 12, 3), message="Lokasi kurang jelas")
    event = only_event(report)
    assert (event.visibility, event.message, event.data) == (Visibility.REPORTER, "Lokasi kurang jelas", {})
    assert report.status == S.POSTPONED and "clarification" in report.deadlines
    assert report.paused_remaining == 2


def test_clarify_is_visible_to_the_reporter_and_returns_to_verification():
    report = act(report_in(S.POSTPONED), REPORTER, A.CLARIFY, wib(2024, 12, 4), message="Di depan pasar")
    event = only_event(report)
    assert (event.visibility, event.message) == (Visibility.REPORTER, "Di depan pasar")
    assert report.status == S.SUBMITTED and report.paused_remaining is None
    assert "clarification" in report.stage_done


def test_archive_records_its_reason_publicly():
    report = act(report_in(S.SUBMITTED), CENTRAL, A.ARCHIVE, wib(2024, 12, 3), reason="duplicate",
                 message="Sama dengan laporan AB12-CD35")
    event = only_event(report)
    assert (event.visibility, event.data) == (Visibility.PUBLIC, {"reason": "duplicate"})
    assert report.archive_reason == "duplicate" and report.status == S.ARCHIVED
    assert "verification" in report.stage_done
    assert not report.published


def test_auto_archive_closes_an_unclarified_report_as_incomplete():
    report = act(report_in(S.POSTPONED), SYSTEM, A.AUTO_ARCHIVE, wib(2024, 12, 20))
    event = only_event(report)
    assert (event.actor, event.visibility, event.data) == ("system:sweep", Visibility.PUBLIC, {"reason": "incomplete"})
    assert report.archive_reason == "incomplete" and report.status == S.ARCHIVED


def test_assign_records_the_unit_and_ends_the_agency_review():
    report = act(report_in(S.DISPATCHED), AGENCY, A.ASSIGN, wib(2024, 12, 3), unit=MEDAN.units[0])
    event = only_event(report)
    assert (event.visibility, event.data) == (Visibility.PUBLIC, {"unit_id": "dishub-medan"})
    assert report.unit_id == "dishub-medan" and "agency_review" in report.stage_done


def test_reassigning_names_the_previous_unit():
    report = act(report_in(S.ASSIGNED), AGENCY, A.ASSIGN, wib(2024, 12, 3), unit=MEDAN.units[1])
    assert only_event(report).data == {"unit_id": "puskesmas-medan", "previous_unit_id": "dishub-medan"}
    assert report.unit_id == "puskesmas-medan" and report.status == S.ASSIGNED


def test_agency_reroute_sends_the_report_back_to_the_central_queue_for_staff_eyes_only():
    report = act(report_in(S.DISPATCHED), AGENCY, A.REROUTE, wib(2024, 12, 3), message="Bukan wewenang kami")
    event = only_event(report)
    assert (event.visibility, event.data) == (Visibility.STAFF, {"previous_agency_id": "pemko-medan"})
    assert (report.status, report.agency_id, report.agency_province_code, report.unit_id) == (S.SUBMITTED, None, None, None)
    assert report.published, "a report once dispatched stays public"


def test_unit_reroute_sends_the_report_back_to_its_agency():
    report = act(report_in(S.ASSIGNED), LIAISON, A.REROUTE, wib(2024, 12, 3), message="Bukan unit kami")
    event = only_event(report)
    assert (event.visibility, event.data) == (Visibility.STAFF, {"previous_unit_id": "dishub-medan"})
    assert (report.status, report.agency_id, report.unit_id) == (S.DISPATCHED, "pemko-medan", None)


def test_first_response_is_public_and_stamps_the_first_response_time():
    report = act(report_in(S.ASSIGNED), LIAISON, A.RESPOND, wib(2024, 12, 3), message="Sedang ditangani")
    event = only_event(report)
    assert (event.visibility, event.message) == (Visibility.PUBLIC, "Sedang ditangani")
    assert report.first_response_at == wib(2024, 12, 3) and "first_response" in report.stage_done


def test_a_follow_up_keeps_the_first_response_time():
    report = report_in(S.IN_PROGRESS)
    first = report.first_response_at
    act(report, LIAISON, A.RESPOND, wib(2024, 12, 5), message="Petugas sudah ke lokasi")
    assert report.first_response_at == first and report.status == S.IN_PROGRESS
    assert only_event(report).visibility == Visibility.PUBLIC


def test_a_reporter_reply_is_visible_to_the_reporter_and_staff_only():
    report = act(report_in(S.IN_PROGRESS), REPORTER, A.REPLY, wib(2024, 12, 3), message="Terima kasih")
    event = only_event(report)
    assert (event.actor, event.visibility) == ("reporter:reporter", Visibility.REPORTER)


def test_final_answer_ends_the_completion_stage_and_waits_for_the_reporter():
    report = act(report_in(S.IN_PROGRESS), LIAISON, A.FINAL_ANSWER, wib(2024, 12, 3), message="Sudah diperbaiki")
    assert only_event(report).visibility == Visibility.PUBLIC
    assert report.final_answer_at == wib(2024, 12, 3) and "completion" in report.stage_done
    assert "reporter_reply" in report.deadlines and report.status == S.AWAITING_REPORTER


def test_accept_records_the_rating_for_the_reporter():
    report = act(report_in(S.AWAITING_REPORTER), REPORTER, A.ACCEPT, wib(2024, 12, 4), rating=4, message="Mantap")
    event = only_event(report)
    assert (event.visibility, event.data, event.message) == (Visibility.REPORTER, {"rating": 4}, "Mantap")
    assert (report.rating, report.completed_at, report.status) == (4, wib(2024, 12, 4), S.COMPLETED)
    assert "reporter_reply" in report.stage_done


def test_reject_reopens_the_completion_stage():
    report = act(report_in(S.AWAITING_REPORTER), REPORTER, A.REJECT, wib(2024, 12, 4), message="Masih rusak")
    assert only_event(report).visibility == Visibility.REPORTER
    assert report.status == S.IN_PROGRESS
    assert "completion" not in report.stage_done and "reporter_reply" in report.stage_done


def test_auto_complete_closes_an_unanswered_report():
    report = act(report_in(S.AWAITING_REPORTER), SYSTEM, A.AUTO_COMPLETE, wib(2024, 12, 20))
    event = only_event(report)
    assert (event.visibility, event.data) == (Visibility.PUBLIC, {})
    assert (report.status, report.completed_at, report.rating) == (S.COMPLETED, wib(2024, 12, 20), None)


def test_set_field_inspection_is_a_staff_note():
    report = act(report_in(S.ASSIGNED), LIAISON, A.SET_FIELD_INSPECTION, wib(2024, 12, 3), required=True)
    event = only_event(report)
    assert (event.visibility, event.data) == (Visibility.STAFF, {"required": True})
    assert report.field_inspection is True


def test_field_inspection_is_refused_for_anything_but_a_complaint():
    report = report_in(S.ASSIGNED, kind="aspiration")
    with pytest.raises(InvalidInput) as caught:
        act(report, LIAISON, A.SET_FIELD_INSPECTION, wib(2024, 12, 3), required=True)
    assert "required" in caught.value.fields
    assert report.new_events == [] and report.field_inspection is False


def test_correct_records_before_and_after_for_staff():
    report = act(report_in(S.SUBMITTED), CENTRAL, A.CORRECT, wib(2024, 12, 3),
                 title="Lampu jalan padam", anonymous=True, kind="aspiration")
    event = only_event(report)
    assert event.visibility == Visibility.STAFF
    assert event.data == {"changes": {"title": ["Lampu jalan mati", "Lampu jalan padam"],
                                      "anonymous": [False, True], "kind": ["complaint", "aspiration"]}}
    assert (report.title, report.anonymous, report.kind, report.status) == ("Lampu jalan padam", True, "aspiration", S.SUBMITTED)


def test_correcting_a_complaint_into_another_kind_drops_its_field_inspection():
    report = report_in(S.DISPATCHED)
    act(report, AGENCY, A.SET_FIELD_INSPECTION, wib(2024, 12, 3), required=True)
    saved(report)
    act(report, AGENCY, A.CORRECT, wib(2024, 12, 3), kind="information_request")
    assert report.field_inspection is False


def test_refer_ombudsman_flags_the_report_without_changing_its_status():
    report = act(report_in(S.IN_PROGRESS), SYSTEM, A.REFER_OMBUDSMAN, wib(2025, 3, 25))
    event = only_event(report)
    assert (event.from_status, event.to_status, event.visibility) == ("in_progress", "in_progress", Visibility.PUBLIC)
    assert report.ombudsman_referred and report.status == S.IN_PROGRESS


def test_the_history_of_a_whole_walk_is_one_event_per_step_in_order():
    t = wib(2024, 12, 2)
    report = started(now=t)
    for principal, action, params in [
        (CENTRAL, A.DISPATCH, {"agency": MEDAN}), (AGENCY, A.ASSIGN, {"unit": MEDAN.units[0]}),
        (LIAISON, A.RESPOND, {"message": "a"}), (REPORTER, A.REPLY, {"message": "b"}),
        (LIAISON, A.FINAL_ANSWER, {"message": "c"}), (REPORTER, A.REJECT, {"message": "d"}),
        (LIAISON, A.FINAL_ANSWER, {"message": "e"}), (REPORTER, A.ACCEPT, {"rating": 5}),
    ]:
        act(report, principal, action, t, **params)
    chain = [(e.from_status, e.to_status) for e in report.new_events]
    assert chain == [
        (None, "submitted"), ("submitted", "dispatched"), ("dispatched", "assigned"),
        ("assigned", "in_progress"), ("in_progress", "in_progress"), ("in_progress", "awaiting_reporter"),
        ("awaiting_reporter", "in_progress"), ("in_progress", "awaiting_reporter"), ("awaiting_reporter", "completed"),
    ]


def test_a_loaded_report_names_its_status_as_the_from_of_its_next_event():
    report = new_report(status=S.DISPATCHED, agency_id="pemko-medan", version=3, dispatched_at=wib(2024, 12, 2))
    act(report, AGENCY, A.ASSIGN, wib(2024, 12, 3), unit=MEDAN.units[0])
    assert only_event(report).from_status == "dispatched"
