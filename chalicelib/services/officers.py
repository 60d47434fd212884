"""Staff contact rows and liaison officers' assignments, kept by admins through the API."""
from __future__ import annotations

import datetime as dt

from ..domain.errors import Conflict, Forbidden, InvalidInput, NotFound, Unprocessable
from ..domain.roles import Principal, Role
from ..domain.staff import ROLE_SCOPE, Assignment, StaffMember, check_period, check_staff_change


def _unit_agency(directory, unit_id: str):
    agency_id, dot, unit = unit_id.partition(".")
    if not (agency_id and dot and unit):  # not "<agency>.<unit>": no key to read
        raise NotFound("Unit tidak ditemukan", "Unit not found")
    agency = directory.agency(agency_id)
    if agency is None or agency.unit(unit_id) is None:
        raise NotFound("Unit tidak ditemukan", "Unit not found")
    return agency


def _may_manage(principal: Principal, agency_id: str | None) -> None:
    if principal.role == Role.CENTRAL_ADMIN:
        return
    if principal.role == Role.AGENCY_ADMIN and agency_id is not None and agency_id == principal.agency_id:
        return
    raise Forbidden("Hanya admin instansi ini atau admin pusat", "Only this agency's admin or the central admin")


def list_assignments(directory, principal: Principal, unit_id: str) -> list[Assignment]:
    agency = _unit_agency(directory, unit_id)
    _may_manage(principal, agency.id)
    return directory.assignments(unit_id)


def assign(directory, principal: Principal, unit_id: str, username: str, start: dt.date,
           end: dt.date | None, decree: str | None, replaces: str | None) -> Assignment:
    """A new period for a liaison officer. `replaces` ends the named period the day before,
    so a rotation (the yearly SK) never leaves a gap or an overlap by accident."""
    agency = _unit_agency(directory, unit_id)
    _may_manage(principal, agency.id)
    check_period(start, end)
    member = directory.staff(username)
    if member is None or member.role != Role.LIAISON_OFFICER.value or member.unit_id != unit_id:
        raise Unprocessable("Pengguna bukan pejabat penghubung unit ini", "The user is not a liaison officer of this unit",
                            {"username": "bukan penghubung unit ini / not this unit's liaison officer"})
    existing = {a.id: a for a in directory.assignments(unit_id)}
    if replaces is not None:
        old = existing.get(replaces)
        if old is None:
            raise Unprocessable("Penugasan yang diganti tidak ada", "The replaced assignment does not exist",
                                {"replaces": "tidak ditemukan / not found"})
        if start <= old.start:
            raise Unprocessable("Penugasan baru harus mulai setelah yang lama", "The new period must start after the old one",
                                {"start": "sebelum penugasan lama / before the old period"})
        directory.put_assignment(Assignment(old.unit_id, old.username, old.start, start - dt.timedelta(days=1), old.decree))
    assignment = Assignment(unit_id, username, start, end, decree)
    if assignment.id in existing:
        raise Conflict("Penugasan ini sudah ada", "This assignment already exists", {"start": "duplikat / duplicate"})
    directory.put_assignment(assignment)
    return assignment


def end_assignment(directory, principal: Principal, unit_id: str, assignment_id: str, end: dt.date) -> Assignment:
    agency = _unit_agency(directory, unit_id)
    _may_manage(principal, agency.id)
    current = {a.id: a for a in directory.assignments(unit_id)}.get(assignment_id)
    if current is None:
        raise NotFound("Penugasan tidak ditemukan", "Assignment not found")
    check_period(current.start, end)
    ended = Assignment(current.unit_id, current.username, current.start, end, current.decree)
    directory.put_assignment(ended)
    return ended


def put_staff(directory, principal: Principal, member: StaffMember) -> StaffMember:
    """Contact rows the platform uses to reach staff (Cognito holds the sign-in)."""
    check_staff_change(principal, directory.staff(member.username), member)
    missing = {f: "wajib untuk peran ini / required for this role"
               for f in ROLE_SCOPE.get(member.role, ()) if not getattr(member, f)}
    if missing:
        raise InvalidInput("Cakupan peran tidak lengkap", "The role's scope is incomplete", missing)
    if member.unit_id:
        agency = _unit_agency(directory, member.unit_id)
        if agency.id != member.agency_id:
            raise Unprocessable("Unit bukan bagian dari instansi", "The unit is not part of the agency",
                                {"unit_id": "instansi lain / another agency"})
    elif member.agency_id and directory.agency(member.agency_id) is None:
        raise Unprocessable("Instansi tidak dikenal", "Unknown agency", {"agency_id": "tidak dikenal / unknown"})
    directory.put_staff(member)
    return member


STAFF_CURSOR_PATTERN = r"^[a-z_]{1,32}~[A-Za-z0-9._-]{1,64}$"  # a role/scope partition: "liaison_officer~pemkot-medan.dlh"


def _partitions(directory, principal: Principal, provinces) -> list[tuple[str, str]]:
    """The directory's staff#<role>#<scope> partitions whose rows the caller may edit, in a fixed
    order: an agency admin's agency (its admins, then each unit's liaison officers); for the
    central admin every one (central admins, provincial admins by province, then each agency's)."""
    if principal.role == Role.AGENCY_ADMIN:
        agencies = [a for a in [directory.agency(principal.agency_id or "")] if a is not None]
        head: list[tuple[str, str]] = []
    elif principal.role == Role.CENTRAL_ADMIN:
        agencies = directory.agencies()
        head = [(Role.CENTRAL_ADMIN.value, "all")] + [(Role.PROVINCIAL_ADMIN.value, p) for p in provinces]
    else:
        raise Forbidden("Hanya admin instansi atau admin pusat", "Only an agency admin or the central admin")
    return head + [part for a in agencies for part in
                   [(Role.AGENCY_ADMIN.value, a.id)] + [(Role.LIAISON_OFFICER.value, u.id) for u in a.units]]


def list_staff(directory, principal: Principal, provinces, limit: int,
               cursor: str | None) -> tuple[list[StaffMember], str | None]:
    """Contact rows the caller may edit, a page of whole role/scope partitions (each one Query)
    of at least `limit` rows unless none are left; the cursor names the next partition."""
    parts = _partitions(directory, principal, provinces)
    start = 0
    if cursor is not None:
        role, _, scope = cursor.partition("~")
        if (role, scope) not in parts:
            raise Unprocessable("Kursor tidak valid", "Invalid cursor", {"cursor": "tidak dikenal / not recognised"})
        start = parts.index((role, scope))
    rows: list[StaffMember] = []
    for i in range(start, len(parts)):
        if len(rows) >= limit:
            return rows, "~".join(parts[i])
        rows.extend(sorted(directory.staff_with_role(*parts[i]), key=lambda m: m.username))
    return rows, None
