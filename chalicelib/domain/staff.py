"""Staff as the platform must reach them, and liaison officers' assignment periods (the yearly
decree, SK): whoever holds a unit's assignment on a day answers for that unit's reports that day."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .errors import InvalidInput


@dataclass(frozen=True)
class StaffMember:
    username: str
    name: str
    role: str
    email: str | None = None
    phone: str | None = None
    agency_id: str | None = None
    unit_id: str | None = None
    province_code: str | None = None

    @property
    def scope(self) -> str:
        """The key under which this person is found by role: agency, unit, province or all."""
        return self.agency_id if self.role == "agency_admin" else (
            self.province_code if self.role == "provincial_admin" else (
                self.unit_id if self.role == "liaison_officer" else "all"))


@dataclass(frozen=True)
class Assignment:
    unit_id: str
    username: str
    start: dt.date
    end: dt.date | None = None
    decree: str | None = None

    @property
    def id(self) -> str:
        return f"{self.start.isoformat()}~{self.username}"  # URL-safe: it appears in paths

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


def on_duty(assignments: list[Assignment], day: dt.date) -> list[Assignment]:
    return [a for a in assignments if a.covers(day)]


def check_period(start: dt.date, end: dt.date | None) -> None:
    if end is not None and end < start:
        raise InvalidInput("Tanggal akhir sebelum tanggal mulai", "The end date is before the start date",
                           {"end": "sebelum mulai / before start"})
