"""Tracking numbers people can read over the phone, and access codes kept secret."""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets

# Crockford base32: no I, L, O, U, so nothing is misheard or misread.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_TRACKING_RE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


def new_tracking_id() -> str:
    """8 random symbols (40 bits) as XXXX-XXXX: unguessable, not sequential."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_tracking_id(text: str) -> str | None:
    """Accepts what people type: lower case, spaces, no dash, O for 0, I/L for 1."""
    cleaned = re.sub(r"[\s-]", "", text or "").upper().translate(str.maketrans("OIL", "011"))
    if len(cleaned) != 8:
        return None
    candidate = f"{cleaned[:4]}-{cleaned[4:]}"
    return candidate if _TRACKING_RE.match(candidate) else None


def new_access_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(10))


def hash_access_code(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def access_code_matches(code: str | None, stored_hash: str) -> bool:
    """Constant-time comparison of hashes, so timing says nothing about the code."""
    given = hash_access_code(code or "")
    return hmac.compare_digest(given.encode(), stored_hash.encode())
