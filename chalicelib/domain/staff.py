"""Staff as the platform must reach them, and liaison officers' assignment periods (the yearly
decree, SK): whoever holds a unit's assignment on a day answers for that unit's reports that day."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .errors import Forbidden, Unprocessable
from .roles import Principal, Role

AGENCY_STAFF_ROLES = (Role.AGENCY_ADMIN.value, Role.LIAISON_OFFICER.value)
# The scope attributes each role cannot do without (the others take none).
ROLE_SCOPE = {"agency_admin": ("agency_id",), "liaison_officer": ("agency_id", "unit_id"),
              "provincial_admin": ("province_code",)}


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


def check_staff_change(principal: Principal, current: StaffMember | None, new: StaffMember) -> None:
    """Who may write a contact row. Reminders go where the row says, so an agency admin may touch
    only rows that already are, and stay, its own agency's staff; anything else is the central admin's."""
    if principal.role == Role.CENTRAL_ADMIN:
        return
    if principal.role != Role.AGENCY_ADMIN:
        raise Forbidden("Tidak berwenang", "Not allowed")
    if current is not None and not _agency_staff(current, principal.agency_id):
        raise Forbidden("Admin instansi hanya mengubah data staf instansinya sendiri",
                        "An agency admin may change only its own agency's staff rows",
                        {"username": "staf lain / not this agency's staff"})
    if new.role not in AGENCY_STAFF_ROLES:
        raise Forbidden("Admin instansi hanya mengelola admin instansi dan pejabat penghubung",
                        "An agency admin manages agency admins and liaison officers only",
                        {"role": "hanya admin pusat / central admin only"})
    if not _agency_staff(new, principal.agency_id):
        raise Forbidden("Admin instansi hanya mengelola staf instansinya", "An agency admin manages their agency's staff only",
                        {"agency_id": "instansi lain / another agency"})


def _agency_staff(member: StaffMember, agency_id: str | None) -> bool:
    return agency_id is not None and member.role in AGENCY_STAFF_ROLES and member.agency_id == agency_id


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
        raise Unprocessable("Tanggal akhir sebelum tanggal mulai", "The end date is before the start date",
                            {"end": "sebelum mulai / before start"})
