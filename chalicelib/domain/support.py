"""Support ("dukung", issue 14): the rules of a supporter row, its one-time code and its opt-out
token. Keys are keyed hashes of a contact (never the contact itself in a key, a log or a link);
the HMAC key is passed in, so nothing here reads settings."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from .errors import InvalidTransition, NotFound
from .lifecycle import CLOSED
from .report import Report

CODE_DIGITS = 6
CODE_TTL = dt.timedelta(minutes=30)
CODE_ATTEMPTS = 5          # wrong codes before a supporter must ask for a new one
KEY_HEX = 20               # 80 bits of the HMAC: unique among one report's supporters
TOKEN_MAC_HEX = 16
CONTACT, ANONYMOUS = "c#", "a#"   # sort-key prefixes: followers are one begins_with("c#") Query

PENDING, ACTIVE, OPTED_OUT = "pending", "active", "opted_out"
UNMERGED = "unmerged"  # a duplicate's reporter row after the merge was undone: follows nothing
COUNTED = (ACTIVE, OPTED_OUT)  # a supporter (opted out of messages, still one)
# How a row came to follow a report: the citizen supported it, or a merge brought the duplicate's
# reporter (one row per contact channel) along.
VIA_SUPPORT, VIA_REPORTER = "support", "reporter"


def _mac(key: bytes, purpose: str, text: str) -> str:
    return hmac.new(key, f"{purpose}|{text}".encode(), hashlib.sha256).hexdigest()


def contact_key(key: bytes, channel: str, contact: str) -> str:
    """The row's sort key for an e-mail (lower case) or an E.164 phone: the same person the same
    key on every report, so a merge counts them once."""
    value = contact.strip().lower() if channel == "email" else contact.strip()
    return CONTACT + _mac(key, "support-contact", f"{channel}:{value}")[:KEY_HEX]


def anonymous_key(key: bytes, client: str) -> str:
    """One anonymous support per client address and report (a shared address supports once)."""
    return ANONYMOUS + _mac(key, "support-client", client)[:KEY_HEX]


def reporter_keys(key: bytes, email: str | None, phone: str | None) -> dict[str, tuple[str, str]]:
    """A reporter's contact keys: key → (channel, contact)."""
    out = {}
    if email:
        out[contact_key(key, "email", email)] = ("email", email)
    if phone:
        out[contact_key(key, "sms", phone)] = ("sms", phone)
    return out


def new_code() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))


def seal_code(key: bytes, row_key: str, code: str) -> str:
    """Keyed and bound to its row: a copy of the table cannot try the million codes offline."""
    return _mac(key, "support-code", f"{row_key}:{code.strip()}")


def code_matches(key: bytes, row_key: str, code: str, sealed: str | None) -> bool:
    return bool(sealed) and hmac.compare_digest(seal_code(key, row_key, code), sealed)


@dataclass(frozen=True)
class OptOut:
    tracking_id: str
    key: str


def opt_out_token(key: bytes, tracking_id: str, row_key: str) -> str:
    """`<tracking id>.<row key>.<mac>`: short enough for an SMS, signed so nobody stops another's mail."""
    body = f"{tracking_id}.{row_key[len(CONTACT):]}"
    return f"{body}.{_mac(key, 'support-optout', body)[:TOKEN_MAC_HEX]}"


def read_opt_out_token(key: bytes, token: str) -> OptOut:
    parts = (token or "").split(".")
    if len(parts) == 3:
        body = f"{parts[0]}.{parts[1]}"
        if hmac.compare_digest(_mac(key, "support-optout", body)[:TOKEN_MAC_HEX], parts[2]):
            return OptOut(parts[0], CONTACT + parts[1])
    raise NotFound("Tautan berhenti berlangganan tidak dikenal", "Unknown opt-out link")


def check_supportable(report: Report) -> None:
    """Support goes to open public reports; a merged duplicate's supporters belong to its original."""
    if report.duplicate_of:
        raise InvalidTransition(f"Laporan ini duplikat dari {report.duplicate_of}; dukung laporan asalnya",
                                f"This report duplicates {report.duplicate_of}; support the original")
    if report.status in CLOSED:
        raise InvalidTransition("Laporan ini sudah ditutup", "This report is closed")


def follower_keys_for(report: Report) -> tuple[str, ...]:
    """The reports whose contact rows follow this one: itself and its merged duplicates."""
    return (report.tracking_id, *report.duplicates)
