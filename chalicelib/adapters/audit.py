"""The audit of identity reads, in a table of its own: one item per read, written once with a
conditional put and never updated (the API's role may only PutItem and Query it); DynamoDB TTL
drops it after five years (domain.audit.AUDIT_RETENTION_YEARS).

Keys: `tracking_id` + `read_key` (the read's UTC moment, then its id) answers "who saw this
report"; the `by_user` index (`username` + `read_key`) answers "what did this person see". Both
are read newest first by one Query per page; the period is a range on `read_key`. No Scan."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from pynamodb.attributes import TTLAttribute, UnicodeAttribute
from pynamodb.models import Model

from ..domain.audit import IdentityRead
from ..domain.errors import InvalidInput
from .dynamo import index, meta

# A page's position: the last read's key, `2026-12-02T03:04:05.123456Z_<32 hex>`.
AUDIT_CURSOR_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z_[0-9a-f]{32}$"


def read_key(at: dt.datetime, event_id: str = "") -> str:
    stamp = at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return f"{stamp}_{event_id}" if event_id else stamp


class AuditModel(Model):
    Meta = meta("audit")

    tracking_id = UnicodeAttribute(hash_key=True)
    read_key = UnicodeAttribute(range_key=True)
    username = UnicodeAttribute()
    role = UnicodeAttribute()
    route = UnicodeAttribute()
    at = UnicodeAttribute()
    expires_at = TTLAttribute()
    by_user = index("by_user", "username", "read_key")


@dataclass(frozen=True)
class AuditPage:
    items: list[IdentityRead]
    next_cursor: str | None


def _read(m: AuditModel) -> IdentityRead:
    return IdentityRead(tracking_id=m.tracking_id, username=m.username, role=m.role, route=m.route,
                        at=dt.datetime.fromisoformat(m.at), event_id=m.read_key.rsplit("_", 1)[1])


class DynamoAuditLog:
    def record(self, read: IdentityRead) -> None:
        """A new item or nothing: the condition makes a second write of the same key fail
        instead of replacing the first."""
        AuditModel(read.tracking_id, read_key(read.at, read.event_id), username=read.username, role=read.role,
                   route=read.route, at=read.at.isoformat(), expires_at=read.expires_at
                   ).save(condition=AuditModel.tracking_id.does_not_exist())

    def page(self, *, tracking_id: str | None, username: str | None, since: dt.datetime | None,
             until: dt.datetime | None, limit: int, cursor: str | None, consistent: bool = False) -> AuditPage:
        """Newest first, `since` inclusive, `until` exclusive. By report when a report is named
        (the user, if named too, filters it), else by user."""
        if cursor is not None and not re.fullmatch(AUDIT_CURSOR_PATTERN, cursor):
            raise InvalidInput("Kursor tidak valid", "Invalid cursor", {"cursor": "tidak dikenal / not recognised"})
        low = read_key(since) if since else "0"
        high = read_key(until) if until else "9"  # a bare moment sorts before every key at that moment
        if cursor is not None:
            high = min(high, cursor)  # between() is inclusive: the cursor's own item is dropped below
        condition = AuditModel.read_key.between(low, high)
        if tracking_id is not None:
            found = AuditModel.query(tracking_id, condition, scan_index_forward=False, limit=limit + 2,
                                     consistent_read=consistent,
                                     filter_condition=(AuditModel.username == username) if username else None)
        else:
            found = AuditModel.by_user.query(username, condition, scan_index_forward=False, limit=limit + 2)
        rows = [m for m in found if m.read_key != cursor][: limit + 1]
        more = len(rows) > limit
        rows = rows[:limit]
        return AuditPage([_read(m) for m in rows], rows[-1].read_key if more and rows else None)
