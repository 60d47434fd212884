"""Signed reply addresses: `r+<report><mac>[.<username>]@<inbound domain>`.

Every e-mail the platform sends about a report answers to an address that names the report and
the person it was sent to, signed with a key only the platform holds, so a reply is understood
whatever its subject and a forged or altered address names nobody. Mail servers may change the
case of an address; everything here is read case-insensitively. The local part stays within the
64 characters SMTP allows (2 + 8 + 10 + 1 + 40)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

from .ids import normalise_tracking_id

PREFIX = "r+"
MAC_CHARS = 10  # 50 bits: a forger gets one guess per message sent, and every guess is answered
LOCAL_PART_MAX = 64
USERNAME = re.compile(r"^[a-z0-9](?:[a-z0-9._-]{0,38}[a-z0-9])?$")


@dataclass(frozen=True)
class ReplyTo:
    """Who a signed reply address was given to: the report's reporter (username None) or a staff member."""

    tracking_id: str
    username: str | None = None


def _mac(key: bytes, report: str, username: str | None) -> str:
    who = f"staff:{username}" if username is not None else "reporter"
    digest = hmac.new(key, f"reply-address|{report}|{who}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode().lower()[:MAC_CHARS]


def reply_address(key: bytes, domain: str, tracking_id: str, username: str | None = None) -> str | None:
    """The address for one recipient of mail about one report; None when it cannot be made
    (a username an address cannot carry as it is), and the plain inbound address serves."""
    report = tracking_id.replace("-", "").lower()
    if len(report) != 8 or not domain or (username is not None and not USERNAME.match(username)):
        return None
    local = f"{PREFIX}{report}{_mac(key, report, username)}" + (f".{username}" if username is not None else "")
    return f"{local}@{domain}" if len(local) <= LOCAL_PART_MAX else None


def read_reply_address(key: bytes, address: str) -> ReplyTo | None:
    """Who the address was given to, or None when it is not a reply address or its signature
    does not hold (then the message is read as one sent to the plain address)."""
    local, at, _ = (address or "").strip().rpartition("@")
    local = local.lower()
    if not at or not local.startswith(PREFIX) or len(local) < len(PREFIX) + 8 + MAC_CHARS:
        return None
    start = len(PREFIX)
    report, mac, rest = local[start:start + 8], local[start + 8:start + 8 + MAC_CHARS], local[start + 8 + MAC_CHARS:]
    if rest and (not rest.startswith(".") or not USERNAME.match(rest[1:])):
        return None
    username = rest[1:] if rest else None
    if not hmac.compare_digest(mac.encode(), _mac(key, report, username).encode()):
        return None
    tracking_id = normalise_tracking_id(report)
    return ReplyTo(tracking_id, username) if tracking_id else None
