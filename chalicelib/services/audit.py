"""Identity reads: recorded when a staff answer carries a reporter's identity, read back by the
central admin (GET /staff/audit, its CSV export, the report's history). The rule of who sees an
identity is the domain's (access.shows_reporter_identity), so the view and the audit never differ."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from ..domain.access import shows_reporter_identity
from ..domain.audit import IDENTITY_READ, IdentityRead
from ..domain.calendar import WIB
from ..domain.errors import Forbidden, Unprocessable
from ..domain.report import Report
from ..domain.roles import Principal, Role

HISTORY_READS = 100  # the newest reads the report's history shows; /staff/audit?report= has them all
EXPORT_MAX_ROWS = 5_000  # one Query's worth (~1 MB of ~200-byte items), one page of the export
AUDIT_COLUMNS = ("at_wib", "tracking_id", "username", "role", "route", "event_id")


def identity_read(log, principal: Principal, report: Report, route: str, now: dt.datetime) -> bool:
    """One audit item when, and only when, this answer shows `report`'s reporter to `principal`."""
    if not shows_reporter_identity(principal, report):
        return False
    log.record(IdentityRead(report.tracking_id, principal.username, principal.role.value, route, now,
                            uuid.uuid4().hex))
    return True


def _central_only(principal: Principal) -> None:
    if principal.role != Role.CENTRAL_ADMIN:
        raise Forbidden("Hanya admin pusat yang dapat membaca audit", "Only the central admin may read the audit")


@dataclass(frozen=True)
class AuditFilters:
    tracking_id: str | None = None
    username: str | None = None
    date_from: dt.date | None = None  # WIB days, both inclusive
    date_to: dt.date | None = None

    def period(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise Unprocessable("Periode tidak valid", "Invalid period", {"from": "setelah `to` / after `to`"})
        start = dt.datetime.combine(self.date_from, dt.time(), WIB) if self.date_from else None
        end = dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time(), WIB) if self.date_to else None
        return start, end


def _page(log, principal: Principal, filters: AuditFilters, limit: int, cursor: str | None):
    _central_only(principal)
    if filters.tracking_id is None and filters.username is None:
        raise Unprocessable("Sebutkan laporan atau pengguna", "Name a report or a user",
                           {"report": "report atau / or user", "user": "report atau / or user"})
    since, until = filters.period()
    return log.page(tracking_id=filters.tracking_id, username=filters.username, since=since, until=until,
                    limit=limit, cursor=cursor)


def as_json(read: IdentityRead) -> dict[str, Any]:
    return {"at": read.at.isoformat(), "tracking_id": read.tracking_id, "username": read.username,
            "role": read.role, "route": read.route, "event_id": read.event_id}


def list_reads(log, principal: Principal, filters: AuditFilters, limit: int, cursor: str | None) -> dict[str, Any]:
    page = _page(log, principal, filters, limit, cursor)
    return {"items": [as_json(r) for r in page.items], "next_cursor": page.next_cursor}


def export_reads(log, principal: Principal, filters: AuditFilters, limit: int, cursor: str | None,
                 now: dt.datetime):
    """CSV under the exports' injection rules (a username or route is never run as a formula)."""
    from .exports import CSV_TYPE, Export, write_csv

    page = _page(log, principal, filters, limit, cursor)
    rows = ([r.at.astimezone(WIB).replace(microsecond=0), r.tracking_id, r.username, r.role, r.route, r.event_id]
            for r in page.items)
    stamp = now.astimezone(WIB).strftime("%Y%m%d-%H%M")
    return Export(write_csv(AUDIT_COLUMNS, rows), CSV_TYPE, f"audit-identitas-{stamp}.csv", page.next_cursor,
                  len(page.items))


def history_entries(log, principal: Principal, report: Report) -> list[dict[str, Any]]:
    """The report's identity reads as history entries, for the central admin only; read from the
    audit rows (nothing stored twice), newest HISTORY_READS."""
    if principal.role != Role.CENTRAL_ADMIN:
        return []
    page = log.page(tracking_id=report.tracking_id, username=None, since=None, until=None, limit=HISTORY_READS,
                    cursor=None, consistent=True)
    return [{"at": r.at.isoformat(), "actor": r.username, "role": r.role, "action": IDENTITY_READ,
             "from_status": None, "to_status": None, "message": r.history_message, "visibility": "staff",
             "data": {"route": r.route}} for r in reversed(page.items)]
