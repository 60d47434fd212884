"""Indonesian working days. A pure object: holidays come in, dates go out; no clock, no I/O.

Day 1 of a clock is the first working day *after* the day it starts; a stage with limit N is
due at the end (23:59:59 WIB) of working day N.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Callable, Iterable

WIB = dt.timezone(dt.timedelta(hours=7), "WIB")


def to_wib_date(moment: dt.datetime) -> dt.date:
    """The calendar date in Jakarta at this moment (an aware datetime)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: a moment must carry its offset")
    return moment.astimezone(WIB).date()


def utc_iso(moment: dt.datetime | None, timespec: str = "microseconds") -> str | None:
    """A moment as stored and compared in keys: UTC ISO text, so string order is time order."""
    return moment.astimezone(dt.timezone.utc).isoformat(timespec=timespec) if moment else None


def end_of_day_wib(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=WIB)


def start_of_day_wib(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=WIB)


def wib_days_as_utc(first: dt.date | None, last: dt.date | None) -> tuple[str | None, str | None]:
    """A period of WIB days, both included, as stored-key bounds: [start of `first`, start of the
    day after `last`), each None when open."""
    return (utc_iso(start_of_day_wib(first)) if first else None,
            utc_iso(start_of_day_wib(last + dt.timedelta(days=1))) if last else None)


@dataclass
class WorkingCalendar:
    """Working days = Mon–Fri minus official holidays (public + cuti bersama) minus the days
    admins declared non-working, plus the days admins declared working (a decree can move a
    holiday). `official` is a function so years are loaded only when a date needs them."""

    official: Callable[[int], Iterable[dt.date]]
    extra_non_working: frozenset[dt.date] = frozenset()
    extra_working: frozenset[dt.date] = frozenset()
    version: str = "base"
    _years: dict[int, frozenset[dt.date]] = field(default_factory=dict, repr=False)

    def _official(self, year: int) -> frozenset[dt.date]:
        if year not in self._years:
            self._years[year] = frozenset(self.official(year))
        return self._years[year]

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.extra_working:
            return True
        if day in self.extra_non_working:
            return False
        return day.weekday() < 5 and day not in self._official(day.year)

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The date of working day n counted after `start` (start itself never counts)."""
        if n < 1:
            raise ValueError("a limit is at least one working day")
        day, counted = start, 0
        while counted < n:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]: how many working days of a clock started on `start`
        have passed by the end of `end`. Zero when end <= start."""
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count

    def next_working_day(self, day: dt.date) -> dt.date:
        return self.add_working_days(day, 1)

    def working_day_before(self, day: dt.date, n: int) -> dt.date:
        """The n-th working day before `day` (for reminders ahead of a deadline)."""
        counted = 0
        while counted < n:
            day -= dt.timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return day


def indonesian_official_days(year: int) -> list[dt.date]:
    """National holidays and cuti bersama (SKB 3 Menteri) as the `holidays` package carries them."""
    import holidays  # heavy data, imported only when a deadline is computed

    return list(holidays.country_holidays("ID", categories=("public", "government"), years=year).keys())


def holidays_package_version() -> str:
    import holidays

    return holidays.__version__


def calendar_version(extra_non_working: Iterable[dt.date], extra_working: Iterable[dt.date]) -> str:
    """Names the exact rules a deadline was computed with: package data + admin overrides."""
    body = "|".join(
        sorted(f"-{d.isoformat()}" for d in extra_non_working)
        + sorted(f"+{d.isoformat()}" for d in extra_working)
    )
    digest = hashlib.sha256(body.encode()).hexdigest()[:10]
    return f"holidays-{holidays_package_version()}+{digest}"


def indonesian_calendar(
    extra_non_working: Iterable[dt.date] = (), extra_working: Iterable[dt.date] = ()
) -> WorkingCalendar:
    non_working, working = frozenset(extra_non_working), frozenset(extra_working)
    return WorkingCalendar(
        official=indonesian_official_days,
        extra_non_working=non_working,
        extra_working=working,
        version=calendar_version(non_working, working),
    )
