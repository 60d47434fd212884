"""The working-day calendar over the real `holidays` data: DOMAIN.md's example, weekends,
Idul Fitri with its cuti bersama, admin overrides, the calendar version and the WIB day boundary."""
from __future__ import annotations

import datetime as dt

import holidays
import pytest

from chalicelib.domain.calendar import (
    WIB, WorkingCalendar, end_of_day_wib, indonesian_calendar, start_of_day_wib, to_wib_date,
)

from .builders import CALENDAR

D = dt.date
UTC = dt.timezone.utc


def official(year: int) -> dict[dt.date, str]:
    return holidays.country_holidays("ID", categories=("public", "government"), years=year)


# ---- DOMAIN.md's example -----------------------------------------------------------------------
def test_an_information_request_dispatched_on_friday_20_december_2024_is_due_on_the_31st():
    assert CALENDAR.add_working_days(D(2024, 12, 20), 5) == D(2024, 12, 31)


def test_christmas_and_its_cuti_bersama_are_not_working_days():
    data = official(2024)
    assert D(2024, 12, 25) in data and D(2024, 12, 26) in data
    assert not CALENDAR.is_working_day(D(2024, 12, 25))
    assert not CALENDAR.is_working_day(D(2024, 12, 26))
    assert CALENDAR.is_working_day(D(2024, 12, 24)) and CALENDAR.is_working_day(D(2024, 12, 27))


def test_the_calendar_carries_cuti_bersama_not_only_public_holidays():
    public_only = holidays.country_holidays("ID", years=2024)
    assert D(2024, 12, 26) not in public_only
    assert not CALENDAR.is_working_day(D(2024, 12, 26))


# ---- weekends ----------------------------------------------------------------------------------
@pytest.mark.parametrize("day,working", [
    (D(2024, 12, 2), True), (D(2024, 12, 6), True),      # Monday, Friday
    (D(2024, 12, 7), False), (D(2024, 12, 8), False),    # Saturday, Sunday
])
def test_weekends_are_not_working_days(day, working):
    assert CALENDAR.is_working_day(day) is working


def test_a_clock_started_on_friday_counts_from_monday():
    assert CALENDAR.add_working_days(D(2024, 12, 6), 1) == D(2024, 12, 9)
    assert CALENDAR.add_working_days(D(2024, 12, 6), 5) == D(2024, 12, 13)


@pytest.mark.parametrize("start", [D(2024, 12, 7), D(2024, 12, 8)], ids=["saturday", "sunday"])
def test_a_clock_started_on_a_weekend_counts_from_monday(start):
    assert CALENDAR.add_working_days(start, 1) == D(2024, 12, 9)
    assert CALENDAR.add_working_days(start, 3) == D(2024, 12, 11)


def test_the_start_day_itself_never_counts():
    assert CALENDAR.add_working_days(D(2024, 12, 2), 1) == D(2024, 12, 3)


def test_a_limit_below_one_is_refused():
    with pytest.raises(ValueError):
        CALENDAR.add_working_days(D(2024, 12, 2), 0)


def test_the_count_crosses_the_new_year_holiday():
    assert CALENDAR.add_working_days(D(2024, 12, 31), 1) == D(2025, 1, 2)


# ---- Idul Fitri 2025 ---------------------------------------------------------------------------
IDUL_FITRI_2025 = [D(2025, 3, 31), D(2025, 4, 1)]
CUTI_BERSAMA_IDUL_FITRI_2025 = [D(2025, 4, 2), D(2025, 4, 3), D(2025, 4, 4), D(2025, 4, 7)]


def test_the_holidays_package_carries_idul_fitri_2025_and_its_cuti_bersama():
    data = official(2025)
    for day in IDUL_FITRI_2025 + CUTI_BERSAMA_IDUL_FITRI_2025:
        assert "Eid al-Fitr" in data[day], day
    assert D(2025, 3, 28) in data  # Nyepi cuti bersama, the Friday before


@pytest.mark.parametrize("day", IDUL_FITRI_2025 + CUTI_BERSAMA_IDUL_FITRI_2025, ids=str)
def test_idul_fitri_2025_and_its_cuti_bersama_are_not_working_days(day):
    assert not CALENDAR.is_working_day(day)


def test_a_clock_started_before_lebaran_2025_waits_until_after_it():
    """Thursday 27 March: Nyepi's cuti bersama, the weekend, Idul Fitri and four days of cuti
    bersama follow; the next working day is Tuesday 8 April."""
    assert CALENDAR.add_working_days(D(2025, 3, 27), 1) == D(2025, 4, 8)
    assert CALENDAR.add_working_days(D(2025, 3, 27), 3) == D(2025, 4, 10)
    assert CALENDAR.working_days_between(D(2025, 3, 27), D(2025, 4, 7)) == 0


# ---- admin overrides ---------------------------------------------------------------------------
def test_an_extra_non_working_day_pushes_a_deadline():
    calendar = indonesian_calendar(extra_non_working=[D(2024, 12, 23)])
    assert not calendar.is_working_day(D(2024, 12, 23))
    assert calendar.add_working_days(D(2024, 12, 20), 5) == D(2025, 1, 2)


def test_an_extra_working_day_on_a_holiday_pulls_a_deadline():
    calendar = indonesian_calendar(extra_working=[D(2024, 12, 26)])
    assert calendar.is_working_day(D(2024, 12, 26))
    assert calendar.add_working_days(D(2024, 12, 20), 5) == D(2024, 12, 30)


def test_an_extra_working_saturday_counts():
    calendar = indonesian_calendar(extra_working=[D(2024, 12, 7)])
    assert calendar.add_working_days(D(2024, 12, 6), 1) == D(2024, 12, 7)


def test_overrides_leave_the_base_calendar_untouched():
    indonesian_calendar(extra_non_working=[D(2024, 12, 23)])
    assert CALENDAR.add_working_days(D(2024, 12, 20), 5) == D(2024, 12, 31)


# ---- version -----------------------------------------------------------------------------------
def test_the_calendar_version_is_stable_without_overrides():
    assert indonesian_calendar().version == indonesian_calendar().version == CALENDAR.version


def test_the_calendar_version_names_the_holidays_data():
    assert CALENDAR.version.startswith(f"holidays-{holidays.__version__}+")


def test_the_calendar_version_changes_with_every_override():
    versions = {
        CALENDAR.version,
        indonesian_calendar(extra_non_working=[D(2024, 12, 23)]).version,
        indonesian_calendar(extra_non_working=[D(2024, 12, 24)]).version,
        indonesian_calendar(extra_working=[D(2024, 12, 23)]).version,
        indonesian_calendar(extra_non_working=[D(2024, 12, 23)], extra_working=[D(2024, 12, 26)]).version,
    }
    assert len(versions) == 5


def test_the_calendar_version_does_not_depend_on_the_order_of_overrides():
    a = indonesian_calendar(extra_non_working=[D(2024, 12, 23), D(2024, 12, 24)])
    b = indonesian_calendar(extra_non_working=(d for d in [D(2024, 12, 24), D(2024, 12, 23)]))
    assert a.version == b.version


# ---- a pure object -----------------------------------------------------------------------------
def test_the_calendar_takes_its_holidays_as_input_and_loads_each_year_once():
    asked: list[int] = []

    def official_days(year: int):
        asked.append(year)
        return [D(year, 1, 1)]

    calendar = WorkingCalendar(official=official_days)
    assert calendar.add_working_days(D(2030, 12, 30), 2) == D(2031, 1, 2)  # 31 Dec, (1 Jan off), 2 Jan
    calendar.add_working_days(D(2030, 12, 2), 20)
    assert sorted(asked) == [2030, 2031]


# ---- WIB ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("moment,day", [
    (dt.datetime(2024, 12, 19, 17, 30, tzinfo=UTC), D(2024, 12, 20)),
    (dt.datetime(2024, 12, 19, 16, 59, 59, tzinfo=UTC), D(2024, 12, 19)),
    (dt.datetime(2024, 12, 19, 17, 0, tzinfo=UTC), D(2024, 12, 20)),
    (dt.datetime(2024, 12, 20, 0, 30, tzinfo=WIB), D(2024, 12, 20)),
    (dt.datetime(2024, 12, 20, 1, 0, tzinfo=dt.timezone(dt.timedelta(hours=9))), D(2024, 12, 19)),  # WIT
], ids=["17:30Z", "16:59:59Z", "17:00Z", "wib", "wit"])
def test_the_day_of_a_moment_is_its_date_in_jakarta(moment, day):
    assert to_wib_date(moment) == day


def test_a_naive_moment_is_refused():
    with pytest.raises(ValueError):
        to_wib_date(dt.datetime(2024, 12, 20, 10, 0))


def test_a_deadline_day_ends_at_23_59_59_wib():
    end = end_of_day_wib(D(2024, 12, 31))
    assert end.astimezone(UTC) == dt.datetime(2024, 12, 31, 16, 59, 59, tzinfo=UTC)
    assert to_wib_date(end) == D(2024, 12, 31)
    assert to_wib_date(end + dt.timedelta(seconds=1)) == D(2025, 1, 1)


def test_a_wib_day_starts_at_17_00_utc_the_day_before():
    assert start_of_day_wib(D(2024, 12, 20)).astimezone(UTC) == dt.datetime(2024, 12, 19, 17, 0, tzinfo=UTC)


# ---- working_days_between ----------------------------------------------------------------------
@pytest.mark.parametrize("start,end,count", [
    (D(2024, 12, 20), D(2024, 12, 31), 5),
    (D(2024, 12, 20), D(2024, 12, 20), 0),
    (D(2024, 12, 31), D(2024, 12, 20), 0),
    (D(2024, 12, 20), D(2024, 12, 22), 0),   # a weekend only
    (D(2024, 12, 24), D(2024, 12, 26), 0),   # Christmas and its cuti bersama
    (D(2024, 12, 6), D(2024, 12, 9), 1),
], ids=["domain-example", "same-day", "backwards", "weekend", "christmas", "friday-to-monday"])
def test_working_days_between_counts_the_working_days_after_start_up_to_end(start, end, count):
    assert CALENDAR.working_days_between(start, end) == count


@pytest.mark.parametrize("start", [D(2024, 12, 20), D(2025, 3, 27), D(2024, 12, 7)], ids=str)
def test_working_days_between_undoes_add_working_days(start):
    for n in (1, 2, 3, 5, 10, 14, 60):
        assert CALENDAR.working_days_between(start, CALENDAR.add_working_days(start, n)) == n
