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


SEALED = "hmac-sha256"
SALT_BYTES = 16


def _normalise_code(code: str) -> str:
    return code.strip().upper()


def seal_access_code(code: str, key: bytes, salt: bytes | None = None) -> str:
    """`hmac-sha256$<salt>$<mac>`: keyed, so a copy of the table alone cannot try the 2^50 codes;
    salted per code, so two reports' stored values never show that their codes are equal."""
    salt = secrets.token_bytes(SALT_BYTES) if salt is None else salt
    return f"{SEALED}${salt.hex()}${_mac(key, salt, _normalise_code(code))}"


def _mac(key: bytes, salt: bytes, code: str) -> str:
    return hmac.new(key, salt + code.encode(), hashlib.sha256).hexdigest()


def hash_access_code(code: str) -> str:
    """The first stored form (unsalted SHA-256), still read so reports filed before sealing keep
    their codes; new codes are sealed with `seal_access_code`."""
    return hashlib.sha256(_normalise_code(code).encode()).hexdigest()


def access_code_matches(code: str | None, stored: str | None, key: bytes) -> bool:
    """Constant-time, for both stored forms. With nothing stored (no such report) it still
    computes a MAC, so the time taken does not tell an unknown id from a wrong code."""
    scheme, _, rest = (stored or "").partition("$")
    if scheme == SEALED:
        salt_hex, _, expected = rest.partition("$")
        try:
            salt = bytes.fromhex(salt_hex)
        except ValueError:
            return False
        given = _mac(key, salt, _normalise_code(code or ""))
    else:
        expected, given = stored or "", hash_access_code(code or "")
    return bool(code and stored) and hmac.compare_digest(given.encode(), expected.encode())
