"""Support and merging rules (issue 14), without I/O: contact keys, codes and opt-out tokens;
who may mark a duplicate, from which statuses, how many supporters the original gains, the undo."""
from __future__ import annotations

import pytest

from chalicelib.domain import duplicates, support
from chalicelib.domain.errors import Forbidden, InvalidTransition, NotFound, Unprocessable
from chalicelib.domain.lifecycle import Action, Status
from chalicelib.domain.roles import Principal, Role

from .builders import AGENCY, BATAM, CENTRAL, LIAISON, MEDAN, PROVINCIAL, act, calculator, report_in, saved, started, wib

KEY = b"k" * 32
NOW = wib(2024, 12, 4)


# ---- keys, codes, tokens --------------------------------------------------------------------------------
def test_a_contact_key_is_keyed_case_blind_for_e_mail_and_never_contains_the_contact():
    key = support.contact_key(KEY, "email", "Warga@Example.com")
    assert key == support.contact_key(KEY, "email", "warga@example.com ")
    assert key.startswith(support.CONTACT) and "warga" not in key
    assert key != support.contact_key(b"x" * 32, "email", "warga@example.com")  # keyed: a table copy cannot try
    assert key != support.contact_key(KEY, "sms", "warga@example.com")


def test_a_code_is_bound_to_its_row_and_compared_by_its_mac():
    sealed = support.seal_code(KEY, "c#1", "123456")
    assert support.code_matches(KEY, "c#1", "123456", sealed)
    assert not support.code_matches(KEY, "c#2", "123456", sealed)
    assert not support.code_matches(KEY, "c#1", "123457", sealed)
    assert not support.code_matches(KEY, "c#1", "123456", None)


def test_an_opt_out_token_names_its_row_and_refuses_any_change():
    row = support.contact_key(KEY, "sms", "+6281277770001")
    token = support.opt_out_token(KEY, "AB12-CD34", row)
    assert support.read_opt_out_token(KEY, token) == support.OptOut("AB12-CD34", row)
    for forged in (token.replace("AB12", "AB13"), token[:-1] + ("0" if token[-1] != "0" else "1"), "x.y.z", ""):
        with pytest.raises(NotFound):
            support.read_opt_out_token(KEY, forged)


def test_closed_reports_and_merged_duplicates_take_no_support():
    support.check_supportable(report_in(Status.IN_PROGRESS))
    with pytest.raises(InvalidTransition):
        support.check_supportable(report_in(Status.COMPLETED))
    dup = _dispatched("DUP1-0001")
    duplicates.mark_duplicate(CENTRAL, dup, _dispatched("ORIG-0001"), 0, NOW, calculator())
    with pytest.raises(InvalidTransition, match="ORIG-0001"):
        support.check_supportable(dup)


# ---- counting a merge ------------------------------------------------------------------------------------
def test_the_original_gains_each_person_once_and_none_that_already_supports_it():
    original = {"c#a", "c#b", "a#client1"}
    people = [{"c#r-mail", "c#r-phone"}, {"c#a"}, {"c#c"}, {"a#client1"}, {"a#client2"}, {"c#c"}]
    assert duplicates.people_added(original, people) == 3  # the reporter, c#c once, client2
    assert duplicates.people_added(set(), [set()]) == 0  # a reporter with no contact adds nobody known
    assert duplicates.people_added({"c#r-phone"}, [{"c#r-mail", "c#r-phone"}]) == 0  # same reporter, other key


# ---- who may mark, from which statuses ----------------------------------------------------------------------
def _dispatched(tid: str, agency=MEDAN):
    r = started(tracking_id=tid)
    act(r, CENTRAL, Action.DISPATCH, wib(2024, 12, 2, 11), agency=agency)
    return saved(r)


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.POSTPONED, Status.DISPATCHED, Status.ASSIGNED,
                                    Status.IN_PROGRESS])
def test_the_central_admin_marks_an_open_report_a_duplicate_and_its_clocks_stop(status):
    dup, original = report_in(status), _dispatched("ORIG-0001")
    duplicates.mark_duplicate(CENTRAL, dup, original, 2, NOW, calculator())
    assert (dup.status, dup.archive_reason, dup.duplicate_of) == (Status.ARCHIVED, "duplicate", "ORIG-0001")
    assert dup.next_action_at is None and not dup.open_officer_stages()
    assert original.duplicates == [dup.tracking_id] and original.supporter_count == 2 and original.followed
    assert original.status == Status.DISPATCHED  # the original only records the link
    assert [e.action for e in original.new_events] == ["mark_duplicate"]


@pytest.mark.parametrize("status", [Status.AWAITING_REPORTER, Status.COMPLETED, Status.ARCHIVED])
def test_a_report_waiting_for_its_reporter_or_closed_cannot_be_marked(status):
    with pytest.raises(InvalidTransition):
        duplicates.mark_duplicate(CENTRAL, report_in(status), _dispatched("ORIG-0001"), 0, NOW, calculator())


def test_an_agency_admin_merges_only_within_its_agency_and_others_never():
    dup = _dispatched("DUP1-0001")
    with pytest.raises(Unprocessable):  # the original is another agency's: as unknown as a wrong id
        duplicates.mark_duplicate(AGENCY, dup, _dispatched("ORIG-0002", BATAM), 0, NOW, calculator())
    duplicates.mark_duplicate(AGENCY, dup, _dispatched("ORIG-0001"), 0, NOW, calculator())
    assert dup.status == Status.ARCHIVED
    for who in (LIAISON, PROVINCIAL):
        with pytest.raises(Forbidden):
            duplicates.mark_duplicate(who, _dispatched("DUP2-0001"), _dispatched("ORIG-0001"), 0, NOW, calculator())
    with pytest.raises(InvalidTransition):  # the agency admin never sees unverified reports anyway
        duplicates.mark_duplicate(AGENCY, report_in(Status.SUBMITTED), _dispatched("ORIG-0001"), 0, NOW, calculator())


def test_the_original_must_be_another_open_public_report_without_a_chain():
    dup = _dispatched("DUP1-0001")
    with pytest.raises(Unprocessable):
        duplicates.mark_duplicate(CENTRAL, dup, dup, 0, NOW, calculator())
    with pytest.raises(Unprocessable):
        duplicates.mark_duplicate(CENTRAL, dup, None, 0, NOW, calculator())
    with pytest.raises(InvalidTransition):
        duplicates.mark_duplicate(CENTRAL, dup, report_in(Status.COMPLETED), 0, NOW, calculator())
    confidential = _dispatched("CONF-0001")
    confidential.confidential = True
    with pytest.raises(Unprocessable):
        duplicates.mark_duplicate(CENTRAL, dup, confidential, 0, NOW, calculator())
    with pytest.raises(Unprocessable):  # not yet published
        duplicates.mark_duplicate(CENTRAL, dup, report_in(Status.SUBMITTED), 0, NOW, calculator())
    original = _dispatched("ORIG-0001")
    duplicates.mark_duplicate(CENTRAL, _dispatched("DUP2-0001"), original, 0, NOW, calculator())
    with pytest.raises(InvalidTransition):  # a report with duplicates of its own does not become one
        duplicates.mark_duplicate(CENTRAL, original, _dispatched("ORIG-0003"), 0, NOW, calculator())


# ---- the undo -----------------------------------------------------------------------------------------
def test_unmark_restores_the_status_and_takes_back_what_the_original_gained():
    dup, original = report_in(Status.ASSIGNED), _dispatched("ORIG-0001")
    original.supporter_count = 5
    duplicates.mark_duplicate(CENTRAL, dup, original, 3, NOW, calculator())
    assert original.supporter_count == 8
    duplicates.unmark_duplicate(AGENCY, dup, original, wib(2024, 12, 5), calculator())
    assert (dup.status, dup.archive_reason, dup.duplicate_of) == (Status.ASSIGNED, None, None)
    assert original.supporter_count == 5 and original.duplicates == []
    assert dup.next_action_at is not None  # its clocks run again
    assert [e.action for e in dup.new_events][-1] == "unmark_duplicate"


def test_unmark_needs_an_open_original_and_a_report_marked_as_duplicate():
    dup, original = report_in(Status.DISPATCHED), _dispatched("ORIG-0001")
    duplicates.mark_duplicate(CENTRAL, dup, original, 0, NOW, calculator())
    original.status = Status.COMPLETED
    with pytest.raises(InvalidTransition, match="closed"):
        duplicates.unmark_duplicate(CENTRAL, dup, original, NOW, calculator())
    with pytest.raises(InvalidTransition):  # archived for another reason: nothing to undo
        duplicates.unmark_duplicate(CENTRAL, report_in(Status.ARCHIVED), original, NOW, calculator())
    with pytest.raises(Forbidden):
        duplicates.unmark_duplicate(LIAISON, dup, original, NOW, calculator())
    other_agency = Principal("admin.batam", Role.AGENCY_ADMIN, agency_id=BATAM.id)
    original.status = Status.DISPATCHED
    with pytest.raises(Unprocessable):
        duplicates.unmark_duplicate(other_agency, dup, original, NOW, calculator())
