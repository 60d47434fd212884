"""Deadlines as the Report aggregate stores them: when each clock starts, in working days of the
WIB date, how rerouting, postponement, corrections and SLA overrides move them, and which
calendar computed them. `now` is always given; nothing here reads the real clock."""
from __future__ import annotations

import datetime as dt

import pytest

from chalicelib.domain.calendar import WIB, indonesian_calendar
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.lifecycle import Action as A
from chalicelib.domain.lifecycle import Status as S
from chalicelib.domain.roles import REPORTER
from chalicelib.domain.sla import DEFAULT_LIMITS, SlaPolicy, completion_key, validate_limits

from .builders import (
    AGENCY, BATAM, CALENDAR, CENTRAL, LIAISON, MEDAN, act, calculator, new_report, saved, started, wib,
)

D = dt.date
UTC = dt.timezone.utc
FRIDAY_20_DEC = wib(2024, 12, 20, 9)


def dispatched(kind: str = "complaint", at: dt.datetime = FRIDAY_20_DEC, calc=None, **fields):
    """Submitted and dispatched to Medan at the same moment."""
    report = started(now=at, kind=kind, calc=calc, **fields)
    act(report, CENTRAL, A.DISPATCH, at, calc, agency=MEDAN)
    return saved(report)


# ---- verification -----------------------------------------------------------------------------
def test_verification_is_due_three_working_days_after_submission():
    report = started(now=wib(2024, 12, 2))
    assert report.deadline("verification") == D(2024, 12, 5)
    assert set(report.deadlines) == {"verification"}


@pytest.mark.parametrize("moment,wib_day,due", [
    (dt.datetime(2024, 12, 5, 16, 30, tzinfo=UTC), D(2024, 12, 5), D(2024, 12, 10)),  # Thu 23:30 WIB
    (dt.datetime(2024, 12, 5, 17, 30, tzinfo=UTC), D(2024, 12, 6), D(2024, 12, 11)),  # Fri 00:30 WIB
    (dt.datetime(2024, 12, 6, 16, 30, tzinfo=UTC), D(2024, 12, 6), D(2024, 12, 11)),  # Fri 23:30 WIB
    (dt.datetime(2024, 12, 6, 17, 30, tzinfo=UTC), D(2024, 12, 7), D(2024, 12, 11)),  # Sat 00:30 WIB
    (dt.datetime(2024, 12, 8, 16, 30, tzinfo=UTC), D(2024, 12, 8), D(2024, 12, 11)),  # Sun 23:30 WIB
    (dt.datetime(2024, 12, 8, 17, 30, tzinfo=UTC), D(2024, 12, 9), D(2024, 12, 12)),  # Mon 00:30 WIB
], ids=["thu-23:30", "fri-00:30", "fri-23:30", "sat-00:30", "sun-23:30", "mon-00:30"])
def test_a_report_gets_the_deadline_of_its_wib_date(moment, wib_day, due):
    assert moment.astimezone(WIB).date() == wib_day
    report = started(now=moment)
    assert report.deadline("verification") == due


# ---- dispatch ---------------------------------------------------------------------------------
def test_dispatch_starts_the_agency_clocks():
    report = dispatched()
    assert report.deadline("agency_review") == D(2024, 12, 27)
    assert report.deadline("first_response") == D(2024, 12, 31)
    assert report.deadline("completion") == D(2025, 1, 14)
    assert report.deadline("ombudsman_referral") == D(2025, 3, 24)
    assert report.dispatched_at == FRIDAY_20_DEC
    assert report.deadline("verification") == D(2024, 12, 27)  # kept, and marked done
    assert report.stage_done["verification"] == FRIDAY_20_DEC.isoformat()


@pytest.mark.parametrize("kind,field_inspection,due", [
    ("information_request", False, D(2024, 12, 31)),   # 5
    ("complaint", False, D(2025, 1, 14)),              # 14
    ("complaint", True, D(2025, 3, 24)),               # 60
    ("aspiration", False, D(2025, 1, 14)),             # 14
])
def test_completion_is_due_by_kind_from_the_dispatch(kind, field_inspection, due):
    report = new_report(kind=kind, received_at=FRIDAY_20_DEC, field_inspection=field_inspection)
    report.start(REPORTER, FRIDAY_20_DEC, calculator(), None)
    act(report, CENTRAL, A.DISPATCH, FRIDAY_20_DEC, agency=MEDAN)
    assert report.deadline("completion") == due


def test_a_dispatch_late_on_a_wib_evening_counts_from_the_next_wib_day():
    """00:30 WIB on Saturday 21 December is still Friday in UTC: the clock starts on Saturday."""
    report = started(now=wib(2024, 12, 19))
    act(report, CENTRAL, A.DISPATCH, dt.datetime(2024, 12, 20, 17, 30, tzinfo=UTC), agency=MEDAN)
    assert report.deadline("agency_review") == D(2024, 12, 27)  # Mon 23, Tue 24, Fri 27
    report_friday = started(now=wib(2024, 12, 19))
    act(report_friday, CENTRAL, A.DISPATCH, dt.datetime(2024, 12, 20, 16, 30, tzinfo=UTC), agency=MEDAN)
    assert report_friday.deadline("agency_review") == D(2024, 12, 27)
    report_thursday_night = started(now=wib(2024, 12, 19))
    act(report_thursday_night, CENTRAL, A.DISPATCH, dt.datetime(2024, 12, 19, 16, 30, tzinfo=UTC), agency=MEDAN)
    assert report_thursday_night.deadline("agency_review") == D(2024, 12, 24)  # Fri 20, Mon 23, Tue 24


def test_a_report_naming_its_agency_starts_the_agency_clocks_at_submission():
    report = started(now=FRIDAY_20_DEC, agency=MEDAN)
    assert report.deadline("agency_review") == D(2024, 12, 27)
    assert report.deadline("completion") == D(2025, 1, 14)
    assert "verification" not in report.deadlines


# ---- rerouting --------------------------------------------------------------------------------
def test_reroute_keeps_the_completion_clock_running():
    report = dispatched()
    kept = {k: report.deadlines[k] for k in ("first_response", "completion", "ombudsman_referral")}
    act(report, AGENCY, A.REROUTE, wib(2025, 1, 6), message="Bukan wewenang kami")
    assert report.status == S.SUBMITTED
    assert report.deadline("verification") == D(2025, 1, 9)
    act(report, CENTRAL, A.DISPATCH, wib(2025, 1, 8), agency=BATAM)
    assert report.agency_id == "pemko-batam"
    assert {k: report.deadlines[k] for k in kept} == kept
    assert report.dispatched_at == FRIDAY_20_DEC
    assert report.deadline("agency_review") == D(2025, 1, 13)  # restarted: Thu 9, Fri 10, Mon 13
    assert "agency_review" not in report.stage_done


def test_a_unit_reroute_restarts_the_agency_review_only():
    report = dispatched()
    act(report, AGENCY, A.ASSIGN, wib(2024, 12, 23), unit=MEDAN.units[0])
    assert "agency_review" in report.stage_done
    before = dict(report.deadlines)
    act(report, LIAISON, A.REROUTE, wib(2025, 1, 6), message="Bukan unit kami")
    assert report.deadline("agency_review") == D(2025, 1, 9)
    assert "agency_review" not in report.stage_done
    assert {k: v for k, v in report.deadlines.items() if k != "agency_review"} == {
        k: v for k, v in before.items() if k != "agency_review"}


def test_forwarding_to_another_agency_keeps_the_completion_clock():
    report = dispatched()
    act(report, CENTRAL, A.DISPATCH, wib(2025, 1, 6), agency=BATAM)
    assert report.deadline("completion") == D(2025, 1, 14)
    assert report.deadline("agency_review") == D(2025, 1, 9)


# ---- postponement -----------------------------------------------------------------------------
def test_postponement_stops_the_verification_clock_and_clarification_resumes_it():
    report = started(now=wib(2024, 12, 2))                   # verification due Thu 5 Dec
    act(report, CENTRAL, A.POSTPONE, wib(2024, 12, 3), message="Lokasi kurang jelas")
    assert report.paused_remaining == 2                      # Wed 4 and Thu 5 were still to come
    assert report.deadline("clarification") == D(2024, 12, 17)
    assert not report.is_overdue(wib(2024, 12, 9)), "a postponed report is not late on verification"
    act(report, REPORTER, A.CLARIFY, wib(2024, 12, 9), message="Di depan pasar")
    assert report.deadline("verification") == D(2024, 12, 11)  # Tue 10, Wed 11
    assert report.paused_remaining is None


def test_a_report_postponed_on_the_day_it_arrived_keeps_its_full_verification_time():
    report = started(now=wib(2024, 12, 2))
    act(report, CENTRAL, A.POSTPONE, wib(2024, 12, 2, 15), message="Lokasi kurang jelas")
    act(report, REPORTER, A.CLARIFY, wib(2024, 12, 6), message="Di depan pasar")
    assert report.deadline("verification") == D(2024, 12, 11)  # Mon 9, Tue 10, Wed 11


def test_a_report_postponed_after_its_verification_deadline_gets_one_day_on_clarification():
    report = started(now=wib(2024, 12, 2))
    act(report, CENTRAL, A.POSTPONE, wib(2024, 12, 10), message="Lokasi kurang jelas")
    assert report.paused_remaining == 1
    act(report, REPORTER, A.CLARIFY, wib(2024, 12, 11), message="Di depan pasar")
    assert report.deadline("verification") == D(2024, 12, 12)


# ---- field inspection and corrections ---------------------------------------------------------
def test_set_field_inspection_recomputes_completion_from_the_original_dispatch():
    report = dispatched()
    act(report, AGENCY, A.ASSIGN, wib(2024, 12, 23), unit=MEDAN.units[0])
    act(report, LIAISON, A.SET_FIELD_INSPECTION, wib(2025, 1, 6), required=True)
    assert report.deadline("completion") == D(2025, 3, 24)
    act(report, LIAISON, A.SET_FIELD_INSPECTION, wib(2025, 1, 7), required=False)
    assert report.deadline("completion") == D(2025, 1, 14)


def test_correcting_the_kind_recomputes_completion_from_the_original_dispatch():
    report = dispatched(kind="complaint")
    act(report, AGENCY, A.CORRECT, wib(2024, 12, 23), kind="information_request")
    assert report.deadline("completion") == D(2024, 12, 31)


def test_correcting_the_category_applies_its_sla_override():
    calc = calculator(SlaPolicy(category_overrides={"jalan-rusak": {"completion_complaint": 20}}))
    report = dispatched(calc=calc)
    act(report, CENTRAL, A.CORRECT, wib(2024, 12, 23), calc, category_id="jalan-rusak")
    assert report.deadline("completion") == CALENDAR.add_working_days(D(2024, 12, 20), 20)


def test_correcting_the_title_moves_no_deadline():
    report = dispatched()
    before = dict(report.deadlines)
    act(report, CENTRAL, A.CORRECT, wib(2025, 1, 6), title="Lampu jalan padam total")
    assert report.deadlines == before


def test_correcting_the_kind_before_dispatch_starts_no_completion_clock():
    report = started(now=wib(2024, 12, 2))
    act(report, CENTRAL, A.CORRECT, wib(2024, 12, 3), kind="aspiration")
    assert "completion" not in report.deadlines


# ---- SLA policy -------------------------------------------------------------------------------
POLICY = SlaPolicy(
    agency_overrides={"pemko-medan": {"completion_complaint": 7, "agency_review": 1}},
    category_overrides={"jalan-rusak": {"completion_complaint": 3}, "perizinan": {"verification": 1}},
)


@pytest.mark.parametrize("category,agency,due", [
    ("jalan-rusak", MEDAN, CALENDAR.add_working_days(D(2024, 12, 20), 3)),   # category wins
    ("lampu", MEDAN, CALENDAR.add_working_days(D(2024, 12, 20), 7)),         # agency
    (None, MEDAN, CALENDAR.add_working_days(D(2024, 12, 20), 7)),
    ("lampu", BATAM, D(2025, 1, 14)),                                         # default 14
    ("jalan-rusak", BATAM, CALENDAR.add_working_days(D(2024, 12, 20), 3)),
], ids=["category-over-agency", "agency", "agency-no-category", "default", "category-elsewhere"])
def test_sla_overrides_apply_per_agency_and_per_category(category, agency, due):
    calc = calculator(POLICY)
    report = started(now=FRIDAY_20_DEC, calc=calc, category_id=category)
    act(report, CENTRAL, A.DISPATCH, FRIDAY_20_DEC, calc, agency=agency)
    assert report.deadline("completion") == due


def test_each_limit_is_overridden_on_its_own():
    calc = calculator(POLICY)
    report = started(now=FRIDAY_20_DEC, calc=calc, category_id="jalan-rusak")
    act(report, CENTRAL, A.DISPATCH, FRIDAY_20_DEC, calc, agency=MEDAN)
    assert report.deadline("agency_review") == D(2024, 12, 23)   # Medan's 1, category is silent
    assert report.deadline("first_response") == D(2024, 12, 31)  # default 5


def test_a_category_override_applies_to_verification():
    report = started(now=wib(2024, 12, 2), calc=calculator(POLICY), category_id="perizinan")
    assert report.deadline("verification") == D(2024, 12, 3)


def test_the_policy_resolves_category_then_agency_then_default():
    assert POLICY.limit("completion_complaint", "pemko-medan", "jalan-rusak") == 3
    assert POLICY.limit("completion_complaint", "pemko-medan", "other") == 7
    assert POLICY.limit("completion_complaint", "other", None) == 14
    assert POLICY.limit("first_response", "pemko-medan", "jalan-rusak") == 5


@pytest.mark.parametrize("kind,inspection,key", [
    ("complaint", False, "completion_complaint"),
    ("complaint", True, "completion_complaint_field_inspection"),
    ("aspiration", True, "completion_aspiration"),
    ("information_request", False, "completion_information_request"),
])
def test_completion_key_by_kind(kind, inspection, key):
    assert completion_key(kind, inspection) == key and key in DEFAULT_LIMITS


def test_limit_overrides_are_validated_per_key():
    assert validate_limits({"verification": 2, "completion_complaint": 365}) == {
        "verification": 2, "completion_complaint": 365}
    with pytest.raises(InvalidInput) as caught:
        validate_limits({"verification": 0, "first_response": True, "nope": 3, "completion_aspiration": 366,
                         "reporter_reply": "5", "clarification": 2})
    assert set(caught.value.fields) == {"verification", "first_response", "nope", "completion_aspiration",
                                        "reporter_reply"}
    assert all(" / " in message for message in caught.value.fields.values())


# ---- the reporter's clock ---------------------------------------------------------------------
def test_final_answer_starts_the_ten_day_reporter_reply_clock():
    report = dispatched()
    act(report, AGENCY, A.ASSIGN, FRIDAY_20_DEC, unit=MEDAN.units[0])
    act(report, LIAISON, A.RESPOND, FRIDAY_20_DEC, message="Sedang ditangani")
    act(report, LIAISON, A.FINAL_ANSWER, FRIDAY_20_DEC, message="Selesai")
    assert report.deadline("reporter_reply") == D(2025, 1, 8)


def test_a_second_final_answer_after_a_rejection_restarts_the_reporter_clock():
    report = dispatched()
    for principal, action, params in [(AGENCY, A.ASSIGN, {"unit": MEDAN.units[0]}),
                                      (LIAISON, A.RESPOND, {"message": "a"}),
                                      (LIAISON, A.FINAL_ANSWER, {"message": "b"})]:
        act(report, principal, action, FRIDAY_20_DEC, **params)
    act(report, REPORTER, A.REJECT, wib(2024, 12, 23), message="Belum beres")
    act(report, LIAISON, A.FINAL_ANSWER, wib(2025, 1, 6), message="Sudah beres")
    assert report.deadline("reporter_reply") == D(2025, 1, 20)
    assert "reporter_reply" not in report.stage_done and "completion" in report.stage_done


# ---- manual entries ---------------------------------------------------------------------------
def test_a_manual_entry_starts_its_clocks_when_it_was_received():
    received, now = wib(2024, 12, 20, 8), wib(2025, 1, 6, 14)
    report = new_report(received_at=received, channel="walk_in")
    report.start(AGENCY, now, calculator(), MEDAN)
    assert report.dispatched_at == received
    assert report.deadline("agency_review") == D(2024, 12, 27)
    assert report.deadline("completion") == D(2025, 1, 14)
    assert report.new_events[0].at == now, "the history says when it was entered"


def test_a_manual_entry_for_the_central_queue_starts_verification_when_received():
    report = new_report(received_at=wib(2024, 12, 20, 8), channel="call_centre")
    report.start(CENTRAL, wib(2025, 1, 6), calculator(), None)
    assert report.deadline("verification") == D(2024, 12, 27)  # Mon 23, Tue 24, Fri 27


# ---- the calendar each deadline was computed with ---------------------------------------------
def test_a_deadline_records_the_calendar_version_it_was_computed_with():
    report = started(now=wib(2024, 12, 2))
    assert report.deadline_calendars == {"verification": CALENDAR.version}
    moved = indonesian_calendar(extra_non_working=[D(2024, 12, 23)])
    report = dispatched(calc=calculator(calendar=moved))
    assert report.deadline_calendars["first_response"] == moved.version != CALENDAR.version
    assert report.deadline("first_response") == D(2025, 1, 2)


def test_each_stored_deadline_keeps_the_calendar_it_was_computed_with():
    report = dispatched()                                       # completion: base calendar
    moved_calc = calculator(calendar=indonesian_calendar(extra_non_working=[D(2025, 1, 6)]))
    act(report, AGENCY, A.ASSIGN, wib(2024, 12, 23), moved_calc, unit=MEDAN.units[0])
    act(report, LIAISON, A.RESPOND, wib(2024, 12, 23), moved_calc, message="a")
    act(report, LIAISON, A.FINAL_ANSWER, wib(2024, 12, 23), moved_calc, message="b")
    # Proposed shape: one version per stored deadline (stage -> calendar version).
    versions = report.deadline_calendars
    assert versions.get("completion") == CALENDAR.version
    assert versions.get("reporter_reply") == moved_calc.calendar.version


# ---- overdue ----------------------------------------------------------------------------------
def test_a_report_is_overdue_only_after_the_wib_day_of_its_deadline():
    report = dispatched()                                       # agency review due Fri 27 Dec
    assert not report.is_overdue(dt.datetime(2024, 12, 27, 16, 59, 59, tzinfo=UTC))  # 23:59:59 WIB
    assert report.is_overdue(dt.datetime(2024, 12, 27, 17, 0, tzinfo=UTC))           # 00:00 WIB on the 28th


def test_a_stage_done_in_time_makes_nothing_overdue():
    report = dispatched()
    act(report, AGENCY, A.ASSIGN, wib(2024, 12, 23), unit=MEDAN.units[0])
    assert report.open_officer_stages() == ("first_response", "completion")
    assert not report.is_overdue(wib(2024, 12, 30))


def test_a_closed_report_is_never_overdue():
    report = dispatched()
    act(report, CENTRAL, A.DISPATCH, wib(2025, 6, 2), agency=BATAM)
    assert report.is_overdue(wib(2025, 6, 2))
    archived = started(now=wib(2024, 12, 2))
    act(archived, CENTRAL, A.ARCHIVE, wib(2024, 12, 2), reason="spam")
    assert not archived.is_overdue(wib(2025, 6, 2))
