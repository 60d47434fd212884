"""Who may see which report, and what of it."""
from __future__ import annotations

from .errors import NotFound
from .lifecycle import CLOSED
from .report import Report
from .roles import Principal, Role


def in_scope(principal: Principal, report: Report) -> bool:
    role = principal.role
    if role == Role.CENTRAL_ADMIN:
        return True
    if role == Role.AGENCY_ADMIN:
        return report.agency_id is not None and report.agency_id == principal.agency_id
    if role == Role.LIAISON_OFFICER:
        return report.unit_id is not None and report.unit_id == principal.unit_id
    if role == Role.PROVINCIAL_ADMIN:
        return principal.province_code in (report.location.province_code, report.agency_province_code)
    return False


def require_scope(principal: Principal, report: Report) -> None:
    """Outside one's scope a report does not exist (404), so ids cannot be probed."""
    if not in_scope(principal, report):
        raise NotFound("Laporan tidak ditemukan", "Report not found")


HANDLERS = (Role.AGENCY_ADMIN, Role.LIAISON_OFFICER, Role.PROVINCIAL_ADMIN)


def sees_reporter_identity(principal: Principal, report: Report) -> bool:
    """The central admin always. Others see a named (not anonymous) reporter only while the
    report is open and in their scope (their unit, agency or province): once it is completed or
    archived, or has left them, the contact is no longer theirs to use (UU PDP purpose limitation)."""
    if principal.role == Role.CENTRAL_ADMIN:
        return True
    return (principal.role in HANDLERS and not report.anonymous and report.status not in CLOSED
            and in_scope(principal, report))


def shows_reporter_identity(principal: Principal, report: Report) -> bool:
    """Whether an answer to `principal` carries a name, e-mail or phone of `report`'s reporter:
    the one condition of an identity-read audit event (services/audit.py)."""
    r = report.reporter
    return sees_reporter_identity(principal, report) and any((r.name, r.email, r.phone))
