"""The reporter's own data as domain rules (issue 15): when retention falls due, erasure, contact
correction and a reissued access code, each recorded without the values it changed."""
from __future__ import annotations

import datetime as dt

import pytest

from chalicelib.domain import reporter_data as rd
from chalicelib.domain.lifecycle import Action, Status
from chalicelib.domain.report import Reporter, Visibility
from chalicelib.domain.roles import REPORTER
from tests.unit.builders import CENTRAL, act, report_in, saved, wib

MONTHS, SPAM_DAYS = 24, 90


@pytest.mark.parametrize("day,months,expected", [
    ("2024-12-20", 24, "2026-12-20"), ("2025-01-31", 1, "2025-02-28"), ("2023-01-31", 13, "2024-02-29"),
    ("2024-11-30", 2, "2025-01-30"),
])
def test_months_later_is_the_same_day_or_the_months_last(day, months, expected):
    assert rd.add_months(dt.date.fromisoformat(day), months) == dt.date.fromisoformat(expected)


@pytest.mark.parametrize("status", [s for s in Status if s not in (Status.COMPLETED, Status.ARCHIVED)])
def test_an_open_report_is_never_due_for_erasure(status):
    assert rd.erase_due_on(report_in(status), MONTHS, SPAM_DAYS) is None


def test_closing_sets_the_day_in_wib_and_an_archive_as_spam_its_shorter_one():
    completed = report_in(Status.COMPLETED, now=wib(2024, 12, 31, hour=23))  # 16:00 UTC, still the 31st in WIB
    assert completed.closed_at == wib(2024, 12, 31, hour=23)
    assert rd.erase_due_on(completed, MONTHS, SPAM_DAYS) == dt.date(2026, 12, 31)
    spam = report_in(Status.ARCHIVED)  # archived as spam by the builders' default
    assert spam.archive_reason == "spam" and rd.erase_due_on(spam, MONTHS, SPAM_DAYS) == dt.date(2025, 3, 2)
    duplicate = act(report_in(Status.SUBMITTED), CENTRAL, Action.ARCHIVE, wib(2024, 12, 3), reason="duplicate")
    assert rd.erase_due_on(duplicate, MONTHS, SPAM_DAYS) == dt.date(2026, 12, 3)


def test_an_erasure_after_closing_takes_the_report_out_of_retention_one_before_does_not():
    closed = report_in(Status.COMPLETED)
    assert rd.erase_identity(closed, wib(2026, 12, 2), "retention")
    assert rd.erase_due_on(closed, MONTHS, SPAM_DAYS) is None
    assert not rd.erase_identity(closed, wib(2026, 12, 3), "retention")  # nothing left: idempotent
    early = report_in(Status.SUBMITTED)
    assert rd.erase_identity(early, wib(2024, 12, 2, hour=11), "reporter_request")
    act(early, CENTRAL, Action.ARCHIVE, wib(2024, 12, 3), reason="duplicate")
    assert rd.erase_due_on(early, MONTHS, SPAM_DAYS) == dt.date(2026, 12, 3)  # still owed a pass (files)


def test_erasure_keeps_the_report_and_records_only_the_reason():
    report = saved(report_in(Status.IN_PROGRESS))
    assert rd.erase_identity(report, wib(2024, 12, 5), "reporter_request")
    assert report.reporter == Reporter(rd.ERASED_NAME) and report.status == Status.IN_PROGRESS
    (event,) = report.new_events
    assert (event.action, event.data, event.role, event.visibility) == (
        rd.ERASE_IDENTITY, {"reason": "reporter_request"}, REPORTER.role.value, Visibility.REPORTER)
    assert event.from_status == event.to_status == "in_progress"
    with pytest.raises(ValueError):
        rd.erase_identity(report, wib(2024, 12, 5), "because")


def test_a_contact_correction_names_the_fields_never_the_values():
    report = saved(report_in(Status.DISPATCHED))
    assert rd.correct_contact(report, wib(2024, 12, 4), email="siti@example.id", phone="+6281299990000") == ["phone"]
    assert report.reporter.phone == "+6281299990000" and report.reporter.name == "Siti"
    (event,) = report.new_events
    assert event.data == {"fields": ["phone"]} and "6281299990000" not in repr(event)
    saved(report)
    assert rd.correct_contact(report, wib(2024, 12, 4), email="siti@example.id", phone="+6281299990000") == []
    assert report.new_events == []


def test_a_reissued_code_replaces_the_hash_and_says_where_it_went():
    report = saved(report_in(Status.SUBMITTED))
    rd.reissue_access_code(report, "hmac-sha256$new", wib(2024, 12, 3))
    assert report.access_code_hash == "hmac-sha256$new"
    (event,) = report.new_events
    assert event.action == rd.REISSUE_ACCESS_CODE and event.data == {"channels": ["email", "sms"]}
    assert rd.has_contact(report)
    rd.erase_identity(report, wib(2024, 12, 4), "reporter_request")
    assert not rd.has_contact(report)  # nothing left to send a next code to
