"""Who is acting, and what part of the platform they may see."""
from __future__ import annotations

import enum
from dataclasses import dataclass


class Role(str, enum.Enum):
    CENTRAL_ADMIN = "central_admin"
    AGENCY_ADMIN = "agency_admin"
    LIAISON_OFFICER = "liaison_officer"
    PROVINCIAL_ADMIN = "provincial_admin"
    REPORTER = "reporter"
    SYSTEM = "system"


STAFF_ROLES = (Role.CENTRAL_ADMIN, Role.AGENCY_ADMIN, Role.LIAISON_OFFICER, Role.PROVINCIAL_ADMIN)


@dataclass(frozen=True)
class Principal:
    """An authenticated actor. Scope fields are set according to the role:
    agency_admin -> agency_id; liaison_officer -> agency_id and unit_id;
    provincial_admin -> province_code."""

    username: str
    role: Role
    agency_id: str | None = None
    unit_id: str | None = None
    province_code: str | None = None
    email: str | None = None
    phone: str | None = None

    @property
    def actor(self) -> str:
        return f"{self.role.value}:{self.username}"


REPORTER = Principal(username="reporter", role=Role.REPORTER)
SYSTEM = Principal(username="sweep", role=Role.SYSTEM)
