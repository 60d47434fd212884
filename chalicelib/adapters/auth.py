"""Staff authentication: verify Cognito user-pool ID tokens (RS256) and turn them into a Principal.

Only *ID* tokens are accepted (``token_use == "id"``): they carry ``aud`` (the app client id),
``cognito:groups`` and the ``custom:*`` scope attributes. Access tokens have no ``aud`` and no
custom attributes, so they are refused.

Decisions
---------
* Every problem with the token itself (missing, malformed, bad signature, unknown key, wrong
  ``alg``/``iss``/``aud``/``token_use``, expired) raises :class:`Unauthenticated` (HTTP 401).
  The message a caller sees is deliberately generic; the precise reason goes to the log.
  The token itself is never logged.
* A token that is *valid* but whose user is in none of the four staff groups, or whose role lacks
  its scope attribute (an agency admin without ``custom:agency_id``, a liaison officer without
  ``custom:unit_id``...), raises :class:`Forbidden` (HTTP 403): the identity is proven, signing
  in again will not help, an administrator must fix the account.
* If the JWKS cannot be fetched, :class:`Unauthenticated` is raised too (logged as a warning);
  the endpoint is refetched at most once per ``min_refetch_interval`` seconds (60 s).
"""
from __future__ import annotations

import http.client
import json
import logging
import threading
import time
import urllib.parse
import urllib.request
from functools import lru_cache
from typing import Any, Callable, Mapping

import jwt

from chalicelib.domain.errors import Forbidden, Unauthenticated
from chalicelib.domain.roles import STAFF_ROLES, Principal, Role

logger = logging.getLogger(__name__)

ALGORITHMS = ["RS256"]
MAX_LEEWAY_SECONDS = 30
MAX_TOKEN_LENGTH = 16 * 1024

# Role precedence when a user is in several groups: the first match wins.
ROLE_PRECEDENCE: tuple[Role, ...] = (
    Role.CENTRAL_ADMIN,
    Role.AGENCY_ADMIN,
    Role.LIAISON_OFFICER,
    Role.PROVINCIAL_ADMIN,
)
assert set(ROLE_PRECEDENCE) == set(STAFF_ROLES)

_MSG_INVALID = ("Token tidak valid atau kedaluwarsa", "Invalid or expired token")
_MSG_EXPIRED = ("Sesi telah berakhir, silakan masuk kembali", "Session expired, please sign in again")
_MSG_MISSING = ("Silakan masuk terlebih dahulu", "Please sign in first")
_MSG_NO_ROLE = (
    "Akun ini tidak memiliki peran petugas",
    "This account has no staff role",
)
_MSG_NO_SCOPE = (
    "Akun petugas belum lengkap (instansi/unit/provinsi belum diatur)",
    "Staff account is incomplete (agency/unit/province not set)",
)
_MSG_JWKS = (
    "Layanan autentikasi sedang tidak tersedia",
    "Authentication service is unavailable",
)


def _invalid(reason: str, *, expired: bool = False) -> Unauthenticated:
    logger.info("token refused: %s", reason)
    return Unauthenticated(*(_MSG_EXPIRED if expired else _MSG_INVALID))


class JwksUnavailable(Unauthenticated):
    """The signing keys could not be obtained (network, bad JSON). Still a 401 to the caller."""


class JwksProvider:
    """Public signing keys by ``kid``.

    ``JwksProvider(url)`` fetches ``url`` lazily with urllib (timeout 3 s) and caches the keys;
    an unknown ``kid`` triggers a refetch, at most once per ``min_refetch_interval`` seconds
    (successful or not), so random kids cannot make us hammer the endpoint.
    ``JwksProvider(jwks={"keys": [...]})`` (or a dict as first argument) uses preloaded keys;
    without a URL it never fetches.
    """

    def __init__(
        self,
        url: str | Mapping[str, Any] | None = None,
        *,
        jwks: Mapping[str, Any] | None = None,
        timeout: float = 3.0,
        min_refetch_interval: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        fetch: Callable[[str, float], Mapping[str, Any]] | None = None,
    ):
        if isinstance(url, Mapping):
            jwks, url = url, None
        if url is not None:
            scheme = urllib.parse.urlsplit(url).scheme
            if scheme not in ("https", "http"):
                raise ValueError(f"JWKS URL must be http(s), got {scheme!r}")
        self.url = url
        self.timeout = timeout
        self.min_refetch_interval = min_refetch_interval
        self._clock = clock
        self._fetch = fetch or _fetch_json
        self._keys: dict[str, jwt.PyJWK] = {}
        self._last_fetch: float | None = None
        self._lock = threading.Lock()
        self.fetch_count = 0
        if jwks is not None:
            self._keys.update(_parse_jwks(jwks))

    def get_key(self, kid: str) -> jwt.PyJWK:
        key = self._keys.get(kid)
        if key is not None:
            return key
        if self.url is None:
            raise _invalid(f"unknown kid {kid!r} (no JWKS URL)")
        with self._lock:
            key = self._keys.get(kid)  # another thread may have refreshed meanwhile
            if key is not None:
                return key
            now = self._clock()
            if self._last_fetch is not None and now - self._last_fetch < self.min_refetch_interval:
                raise _invalid(f"unknown kid {kid!r} (JWKS refetch rate-limited)")
            self._last_fetch = now
            self.fetch_count += 1
            try:
                keys = _parse_jwks(self._fetch(self.url, self.timeout))
            except (OSError, ValueError, TypeError, http.client.HTTPException) as exc:
                logger.warning("JWKS fetch from %s failed: %s", self.url, exc)
                raise JwksUnavailable(*_MSG_JWKS) from None
            self._keys = keys  # replace: keys removed from the set stop being trusted
        key = self._keys.get(kid)
        if key is None:
            raise _invalid(f"unknown kid {kid!r}")
        return key


def _fetch_json(url: str, timeout: float) -> Mapping[str, Any]:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (scheme checked)
        return json.loads(response.read(1024 * 1024))


def _parse_jwks(jwks: Mapping[str, Any]) -> dict[str, jwt.PyJWK]:
    keys: dict[str, jwt.PyJWK] = {}
    raw_keys = jwks.get("keys") if isinstance(jwks, Mapping) else None
    if not isinstance(raw_keys, list):
        raise ValueError("JWKS has no 'keys' list")
    for raw in raw_keys:
        if not isinstance(raw, Mapping):
            continue
        kid = raw.get("kid")
        if not isinstance(kid, str) or raw.get("kty") != "RSA" or raw.get("use", "sig") != "sig":
            continue
        if raw.get("alg", "RS256") != "RS256":
            continue
        try:
            keys[kid] = jwt.PyJWK(dict(raw), algorithm="RS256")
        except jwt.PyJWTError as exc:
            logger.warning("ignoring unusable JWK %r: %s", kid, exc)
    return keys


class TokenVerifier:
    """Verifies Cognito ID tokens for one user pool (``issuer``) and app client (``audience``)."""

    def __init__(self, issuer: str, audience: str, jwks_provider: JwksProvider, *, leeway: int = 30):
        if not issuer or not audience:
            raise ValueError("TokenVerifier needs a Cognito issuer and an app client id (audience)")
        self.issuer = issuer
        self.audience = audience
        self.jwks = jwks_provider
        self.leeway = max(0, min(int(leeway), MAX_LEEWAY_SECONDS))

    def verify(self, token: str) -> Principal:
        claims = self.verify_claims(token)
        return principal_from_claims(claims)

    def verify_claims(self, token: str) -> dict[str, Any]:
        """Check the token and return its claims; raises Unauthenticated."""
        if not isinstance(token, str) or not token.strip():
            raise Unauthenticated(*_MSG_MISSING)
        token = token.strip()
        if len(token) > MAX_TOKEN_LENGTH:
            raise _invalid("token too long")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise _invalid(f"malformed token ({type(exc).__name__})") from None
        if header.get("alg") not in ALGORITHMS:
            raise _invalid(f"algorithm {header.get('alg')!r} not allowed")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise _invalid("no kid in header")
        key = self.jwks.get_key(kid)
        try:
            claims = jwt.decode(
                token,
                key.key,
                algorithms=ALGORITHMS,
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={
                    "require": ["exp", "iat", "iss", "aud", "token_use", "cognito:username"],
                    "verify_signature": True,
                    "verify_exp": True,
                    "verify_iat": True,
                    "verify_aud": True,
                    "verify_iss": True,
                },
            )
        except jwt.ExpiredSignatureError:
            raise _invalid("expired", expired=True) from None
        except jwt.PyJWTError as exc:
            raise _invalid(f"{type(exc).__name__}: {exc}") from None
        if claims.get("token_use") != "id":
            raise _invalid(f"token_use {claims.get('token_use')!r} is not 'id'")
        return claims


def principal_from_claims(claims: Mapping[str, Any]) -> Principal:
    """Map verified Cognito ID-token claims to a Principal; Forbidden if no usable staff role."""
    username = claims.get("cognito:username")
    if not isinstance(username, str) or not username:
        raise _invalid("no cognito:username")
    groups = claims.get("cognito:groups") or []
    if isinstance(groups, str):  # defensive: a single group serialised as a string
        groups = [groups]
    group_set = {g for g in groups if isinstance(g, str)}
    role = next((r for r in ROLE_PRECEDENCE if r.value in group_set), None)
    if role is None:
        logger.info("token refused: user %s has no staff group", username)
        raise Forbidden(*_MSG_NO_ROLE)

    def attr(name: str) -> str | None:
        value = claims.get(name)
        if not isinstance(value, str):
            return None
        value = value.strip()
        return value or None

    principal = Principal(
        username=username,
        role=role,
        agency_id=attr("custom:agency_id"),
        unit_id=attr("custom:unit_id"),
        province_code=attr("custom:province_code"),
        email=attr("email"),
        phone=attr("phone_number"),
    )
    missing = {
        Role.AGENCY_ADMIN: principal.agency_id is None,
        Role.LIAISON_OFFICER: principal.agency_id is None or principal.unit_id is None,
        Role.PROVINCIAL_ADMIN: principal.province_code is None,
    }.get(role, False)
    if missing:
        logger.info("token refused: %s %s lacks its scope attribute", role.value, username)
        raise Forbidden(*_MSG_NO_SCOPE)
    return principal


def bearer_token(authorization: str | None) -> str:
    """The token from an ``Authorization: Bearer <token>`` header value; Unauthenticated if absent."""
    if not authorization:
        raise Unauthenticated(*_MSG_MISSING)
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _invalid("Authorization header is not 'Bearer <token>'")
    return token.strip()


@lru_cache(maxsize=1)
def verifier_from_settings() -> TokenVerifier:
    """The process-wide verifier, built once from the environment (see chalicelib.config).

    Tests that change the environment call ``verifier_from_settings.cache_clear()`` (and
    ``settings.cache_clear()``).
    """
    from chalicelib.config import settings

    s = settings()
    return TokenVerifier(
        issuer=s.cognito_issuer,
        audience=s.user_pool_client_id,
        jwks_provider=JwksProvider(s.cognito_jwks_url),
    )
