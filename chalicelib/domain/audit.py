"""Who saw a reporter: the audit event written whenever a staff answer carries a reporter's
identity (name, e-mail, phone). Append-only, kept AUDIT_RETENTION_YEARS; no AWS here."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .calendar import WIB

AUDIT_RETENTION_YEARS = 5
IDENTITY_READ = "identity_read"  # the history's action name for an audit row shown in it


@dataclass(frozen=True)
class IdentityRead:
    """One staff answer that carried a reporter's identity. `route` is why: the operation that
    answered it (method and route template, plus the action for POST .../actions)."""

    tracking_id: str
    username: str
    role: str
    route: str
    at: dt.datetime
    event_id: str

    @property
    def expires_at(self) -> dt.datetime:
        return kept_until(self.at)

    @property
    def history_message(self) -> str:
        at = self.at.astimezone(WIB).strftime("%Y-%m-%d %H:%M WIB")
        return f"identitas pelapor dilihat oleh {self.username} ({self.route}) {at}"


def kept_until(at: dt.datetime) -> dt.datetime:
    """AUDIT_RETENTION_YEARS calendar years later (29 February keeps to 28 February)."""
    try:
        return at.replace(year=at.year + AUDIT_RETENTION_YEARS)
    except ValueError:
        return at.replace(year=at.year + AUDIT_RETENTION_YEARS, day=28)
