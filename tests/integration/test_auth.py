"""Staff token verification against real Cognito-shaped ID tokens issued by moto."""
from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import json
import logging
import os
import socket
import time
from importlib import resources

import pytest

# Keep clients inside the mock: fake credentials, no endpoint override, no profile.
for _name in list(os.environ):
    if _name.startswith("AWS_ENDPOINT_URL") or _name == "AWS_PROFILE":
        del os.environ[_name]
os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
os.environ["AWS_DEFAULT_REGION"] = "ap-southeast-3"
os.environ.pop("AWS_SESSION_TOKEN", None)

import boto3  # noqa: E402
import jwt  # noqa: E402
from moto import mock_aws  # noqa: E402

from chalicelib.adapters import auth  # noqa: E402
from chalicelib.adapters.auth import (  # noqa: E402
    JwksProvider,
    JwksUnavailable,
    TokenVerifier,
    bearer_token,
    verifier_from_settings,
)
from chalicelib.adapters.cognito_setup import create_staff_user, create_user_pool  # noqa: E402
from chalicelib.domain.errors import Forbidden, Unauthenticated  # noqa: E402
from chalicelib.domain.roles import Principal, Role  # noqa: E402

REGION = "ap-southeast-3"
PASSWORD = "Lapor#Test2026!"


def _moto_resource(name: str) -> dict:
    return json.loads(gzip.decompress((resources.files("moto") / "cognitoidp" / "resources" / name).read_bytes()))


MOTO_PUBLIC_JWKS = _moto_resource("jwks-public.json.gz")
MOTO_PRIVATE_KEY = jwt.PyJWK(_moto_resource("jwks-private.json.gz"), algorithm="RS256").key

USERS = {
    "admin.pusat": dict(role=Role.CENTRAL_ADMIN, phone="+6281200000001"),
    "admin.medan": dict(role=Role.AGENCY_ADMIN, agency_id="pemkot-medan", province_code="12"),
    "penghubung.dishub.medan": dict(
        role=Role.LIAISON_OFFICER, agency_id="pemkot-medan", unit_id="pemkot-medan.dishub"
    ),
    "admin.sumut": dict(role=Role.PROVINCIAL_ADMIN, province_code="12"),
    # broken accounts: valid tokens that must not become a Principal
    "admin.tanpa.instansi": dict(role=Role.AGENCY_ADMIN),
}


def _login(client, client_id: str, username: str) -> dict:
    return client.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]


@pytest.fixture(scope="module")
def pool():
    with mock_aws():
        client = boto3.client("cognito-idp", region_name=REGION)
        pool_id, client_id = create_user_pool(client, "lapor-test-staff")
        for username, spec in USERS.items():
            create_staff_user(client, pool_id, username, PASSWORD, email=f"{username}@lapor.example.go.id", **spec)
        # several groups: the highest-ranked role wins
        create_staff_user(client, pool_id, "multi", PASSWORD, Role.PROVINCIAL_ADMIN, "multi@x.id", province_code="21")
        client.admin_add_user_to_group(UserPoolId=pool_id, Username="multi", GroupName="liaison_officer")
        client.admin_add_user_to_group(UserPoolId=pool_id, Username="multi", GroupName="central_admin")
        # no group at all
        client.admin_create_user(UserPoolId=pool_id, Username="nogroup", MessageAction="SUPPRESS")
        client.admin_set_user_password(UserPoolId=pool_id, Username="nogroup", Password=PASSWORD, Permanent=True)
        tokens = {name: _login(client, client_id, name) for name in [*USERS, "multi", "nogroup"]}
        yield {
            "client": client,
            "pool_id": pool_id,
            "client_id": client_id,
            "issuer": f"https://cognito-idp.{REGION}.amazonaws.com/{pool_id}",
            "tokens": tokens,
        }


@pytest.fixture
def verifier(pool) -> TokenVerifier:
    return TokenVerifier(pool["issuer"], pool["client_id"], JwksProvider(MOTO_PUBLIC_JWKS))


def id_token(pool, username="admin.pusat") -> str:
    return pool["tokens"][username]["IdToken"]


def claims_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def resign(claims: dict, *, key=MOTO_PRIVATE_KEY, kid="dummy", **changes) -> str:
    """A token signed with moto's own private key (so only the claims differ)."""
    payload = {**claims, **changes}
    payload = {k: v for k, v in payload.items() if v is not None}
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": kid})


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# ---------------------------------------------------------------- accepted tokens


def test_central_admin_principal(pool, verifier):
    principal = verifier.verify(id_token(pool))
    assert principal == Principal(
        username="admin.pusat",
        role=Role.CENTRAL_ADMIN,
        email="admin.pusat@lapor.example.go.id",
        phone="+6281200000001",
    )


def test_agency_admin_scope(pool, verifier):
    principal = verifier.verify(id_token(pool, "admin.medan"))
    assert principal.role is Role.AGENCY_ADMIN
    assert (principal.agency_id, principal.unit_id, principal.province_code) == ("pemkot-medan", None, "12")


def test_liaison_officer_scope(pool, verifier):
    principal = verifier.verify(id_token(pool, "penghubung.dishub.medan"))
    assert principal.role is Role.LIAISON_OFFICER
    assert principal.agency_id == "pemkot-medan"
    assert principal.unit_id == "pemkot-medan.dishub"
    assert principal.actor == "liaison_officer:penghubung.dishub.medan"


def test_provincial_admin_scope(pool, verifier):
    principal = verifier.verify(id_token(pool, "admin.sumut"))
    assert (principal.role, principal.province_code, principal.agency_id) == (Role.PROVINCIAL_ADMIN, "12", None)


def test_several_groups_first_in_precedence_wins(pool, verifier):
    assert set(claims_of(id_token(pool, "multi"))["cognito:groups"]) == {
        "provincial_admin",
        "liaison_officer",
        "central_admin",
    }
    assert verifier.verify(id_token(pool, "multi")).role is Role.CENTRAL_ADMIN


def test_bearer_prefix_and_whitespace(pool, verifier):
    token = id_token(pool)
    assert bearer_token(f"Bearer {token}") == token
    assert bearer_token(f"bearer   {token}  ") == token
    for bad in (None, "", "Bearer", "Bearer ", f"Basic {token}", token):
        with pytest.raises(Unauthenticated):
            bearer_token(bad)


def test_expiry_within_leeway_is_accepted(pool, verifier):
    now = int(time.time())
    token = resign(claims_of(id_token(pool)), iat=now - 3600, exp=now - 10)
    assert verifier.verify(token).username == "admin.pusat"


def test_leeway_is_capped_at_30_seconds(pool):
    v = TokenVerifier(pool["issuer"], pool["client_id"], JwksProvider(MOTO_PUBLIC_JWKS), leeway=3600)
    assert v.leeway == 30
    now = int(time.time())
    with pytest.raises(Unauthenticated):
        v.verify(resign(claims_of(id_token(pool)), iat=now - 7200, exp=now - 60))


# ---------------------------------------------------------------- refused tokens


def test_expired_token(pool, verifier):
    now = int(time.time())
    token = resign(claims_of(id_token(pool)), iat=now - 3700, auth_time=now - 3700, exp=now - 100)
    with pytest.raises(Unauthenticated) as err:
        verifier.verify(token)
    assert err.value.message_en == "Session expired, please sign in again"
    assert err.value.message_id


def test_issued_in_the_future(pool, verifier):
    now = int(time.time())
    with pytest.raises(Unauthenticated):
        verifier.verify(resign(claims_of(id_token(pool)), iat=now + 600, exp=now + 4200))


@pytest.mark.parametrize("claim", ["exp", "iat", "iss", "aud", "token_use", "cognito:username"])
def test_missing_required_claim(pool, verifier, claim):
    with pytest.raises(Unauthenticated):
        verifier.verify(resign(claims_of(id_token(pool)), **{claim: None}))


def test_tampered_signature(pool, verifier):
    header, payload, signature = id_token(pool).split(".")
    middle = len(signature) // 2
    flipped = signature[:middle] + ("A" if signature[middle] != "A" else "B") + signature[middle + 1 :]
    with pytest.raises(Unauthenticated) as err:
        verifier.verify(f"{header}.{payload}.{flipped}")
    assert err.value.message_en == "Invalid or expired token"


def test_tampered_payload_privilege_escalation(pool, verifier):
    header, _, signature = id_token(pool, "penghubung.dishub.medan").split(".")
    claims = claims_of(id_token(pool, "penghubung.dishub.medan"))
    claims["cognito:groups"] = ["central_admin"]
    forged = b64(json.dumps(claims).encode())
    with pytest.raises(Unauthenticated):
        verifier.verify(f"{header}.{forged}.{signature}")


def test_signed_by_another_key_with_same_kid(pool, verifier):
    from cryptography.hazmat.primitives.asymmetric import rsa

    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(Unauthenticated):
        verifier.verify(resign(claims_of(id_token(pool)), key=other))


def test_unknown_kid(pool, verifier):
    with pytest.raises(Unauthenticated):
        verifier.verify(resign(claims_of(id_token(pool)), kid="not-in-jwks"))


def test_wrong_audience(pool):
    v = TokenVerifier(pool["issuer"], "another-app-client", JwksProvider(MOTO_PUBLIC_JWKS))
    with pytest.raises(Unauthenticated):
        v.verify(id_token(pool))


def test_wrong_audience_in_token(pool, verifier):
    with pytest.raises(Unauthenticated):
        verifier.verify(resign(claims_of(id_token(pool)), aud="another-app-client"))


def test_wrong_issuer(pool):
    other_pool = f"https://cognito-idp.{REGION}.amazonaws.com/{REGION}_someotherpool"
    v = TokenVerifier(other_pool, pool["client_id"], JwksProvider(MOTO_PUBLIC_JWKS))
    with pytest.raises(Unauthenticated):
        v.verify(id_token(pool))


def test_wrong_issuer_in_token(pool, verifier):
    with pytest.raises(Unauthenticated):
        verifier.verify(resign(claims_of(id_token(pool)), iss="https://evil.example/" + pool["pool_id"]))


def test_access_token_is_refused(pool, verifier):
    access = pool["tokens"]["admin.pusat"]["AccessToken"]
    assert claims_of(access)["token_use"] == "access"
    with pytest.raises(Unauthenticated):
        verifier.verify(access)


def test_access_token_use_even_with_audience(pool, verifier):
    with pytest.raises(Unauthenticated):
        verifier.verify(resign(claims_of(id_token(pool)), token_use="access"))


def test_alg_none(pool, verifier):
    claims = claims_of(id_token(pool))
    for alg in ("none", "None", "NONE"):
        unsigned = f"{b64(json.dumps({'alg': alg, 'kid': 'dummy', 'typ': 'JWT'}).encode())}.{b64(json.dumps(claims).encode())}."
        with pytest.raises(Unauthenticated):
            verifier.verify(unsigned)


def test_hs256_with_public_key_as_secret(pool, verifier):
    """The classic RS/HS confusion: HMAC keyed with the (public) RSA key material."""
    claims = claims_of(id_token(pool))
    header = b64(json.dumps({"alg": "HS256", "kid": "dummy", "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    public_jwk = MOTO_PUBLIC_JWKS["keys"][0]
    from cryptography.hazmat.primitives import serialization

    pem = (
        jwt.PyJWK(public_jwk)
        .key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    for secret in (pem, json.dumps(public_jwk).encode(), public_jwk["n"].encode()):
        sig = hmac.new(secret, f"{header}.{body}".encode(), hashlib.sha256).digest()
        with pytest.raises(Unauthenticated):
            verifier.verify(f"{header}.{body}.{b64(sig)}")


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "   ",
        None,
        42,
        "garbage",
        "a.b.c",
        "a.b",
        "....",
        "eyJhbGciOiJSUzI1NiJ9.eyJ9.sig",
        "Bearer x.y.z",
        "\x00\xff",
        "x" * 20000,
    ],
)
def test_garbage(verifier, garbage):
    with pytest.raises(Unauthenticated):
        verifier.verify(garbage)


def test_valid_token_without_staff_group_is_forbidden(pool, verifier):
    with pytest.raises(Forbidden) as err:
        verifier.verify(id_token(pool, "nogroup"))
    assert err.value.message_en == "This account has no staff role"


def test_unknown_group_only_is_forbidden(pool, verifier):
    with pytest.raises(Forbidden):
        verifier.verify(resign(claims_of(id_token(pool)), **{"cognito:groups": ["reporter", "system", "Admin"]}))


def test_role_without_scope_is_forbidden(pool, verifier):
    with pytest.raises(Forbidden):
        verifier.verify(id_token(pool, "admin.tanpa.instansi"))
    claims = claims_of(id_token(pool, "penghubung.dishub.medan"))
    with pytest.raises(Forbidden):
        verifier.verify(resign(claims, **{"custom:unit_id": "  "}))


def test_token_is_never_logged(pool, verifier, caplog):
    caplog.set_level(logging.DEBUG)
    good = id_token(pool)
    verifier.verify(good)
    header, payload, signature = good.split(".")
    for bad in (good + "x", f"{header}.{payload}.AAAA", id_token(pool, "nogroup")):
        with pytest.raises((Unauthenticated, Forbidden)):
            verifier.verify(bad)
    text = caplog.text
    assert caplog.records, "refusals should be logged"
    for part in (signature, payload):
        assert part not in text


# ---------------------------------------------------------------- JWKS provider


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_jwks_fetched_lazily_cached_and_refetch_rate_limited(pool):
    calls = []

    def fetch(url, timeout):
        calls.append((url, timeout))
        return MOTO_PUBLIC_JWKS

    clock = FakeClock()
    provider = JwksProvider("https://example.invalid/jwks.json", clock=clock, fetch=fetch)
    v = TokenVerifier(pool["issuer"], pool["client_id"], provider)
    assert calls == []
    v.verify(id_token(pool))
    v.verify(id_token(pool, "admin.medan"))
    assert calls == [("https://example.invalid/jwks.json", 3.0)]

    unknown = resign(claims_of(id_token(pool)), kid="rotated")
    with pytest.raises(Unauthenticated):
        v.verify(unknown)  # right after the first fetch: no refetch
    assert len(calls) == 1
    clock.now += 61
    with pytest.raises(Unauthenticated):
        v.verify(unknown)  # 61 s later: one refetch
    assert len(calls) == 2
    for _ in range(5):
        with pytest.raises(Unauthenticated):
            v.verify(unknown)  # within 60 s: no refetch
    assert len(calls) == 2
    clock.now += 61
    with pytest.raises(Unauthenticated):
        v.verify(unknown)
    assert len(calls) == 3
    assert v.verify(id_token(pool)).username == "admin.pusat"  # known kid: still cached


def test_jwks_key_rotation_picked_up(pool):
    from cryptography.hazmat.primitives.asymmetric import rsa

    new_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    new_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(new_key.public_key()))
    new_jwk.update(kid="k2", alg="RS256", use="sig")
    published = {"keys": list(MOTO_PUBLIC_JWKS["keys"])}
    clock = FakeClock()
    provider = JwksProvider("https://example.invalid/jwks.json", clock=clock, fetch=lambda u, t: published)
    v = TokenVerifier(pool["issuer"], pool["client_id"], provider)
    v.verify(id_token(pool))
    published["keys"] = published["keys"] + [new_jwk]
    clock.now += 61
    assert v.verify(resign(claims_of(id_token(pool)), key=new_key, kid="k2")).username == "admin.pusat"


def test_jwks_fetch_failure_is_unauthenticated():
    def fetch(url, timeout):
        raise OSError("connection refused")

    provider = JwksProvider("https://example.invalid/jwks.json", fetch=fetch)
    with pytest.raises(JwksUnavailable) as err:
        provider.get_key("dummy")
    assert isinstance(err.value, Unauthenticated)
    with pytest.raises(Unauthenticated):  # rate-limited: no second attempt within 60 s
        provider.get_key("dummy")
    assert provider.fetch_count == 1


def test_preloaded_provider_never_fetches():
    provider = JwksProvider(jwks=MOTO_PUBLIC_JWKS)
    assert provider.get_key("dummy").key is not None
    with pytest.raises(Unauthenticated):
        provider.get_key("other")
    assert provider.fetch_count == 0


def test_jwks_url_must_be_http():
    with pytest.raises(ValueError):
        JwksProvider("file:///etc/passwd")


def test_verifier_needs_issuer_and_audience():
    with pytest.raises(ValueError):
        TokenVerifier("", "client", JwksProvider(MOTO_PUBLIC_JWKS))
    with pytest.raises(ValueError):
        TokenVerifier("https://issuer", "", JwksProvider(MOTO_PUBLIC_JWKS))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_against_moto_server_jwks_over_http(monkeypatch):
    """The local-run wiring: tokens from a moto server, JWKS fetched over HTTP from it,
    issuer in the AWS form, all from the environment via verifier_from_settings()."""
    from moto.server import ThreadedMotoServer

    from chalicelib.config import settings

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        endpoint = f"http://127.0.0.1:{port}"
        client = boto3.client("cognito-idp", region_name=REGION, endpoint_url=endpoint)
        pool_id, client_id = create_user_pool(client, "lapor-http")
        create_staff_user(
            client, pool_id, "admin.kepri", PASSWORD, "provincial_admin", "k@x.id", province_code="21"
        )
        token = _login(client, client_id, "admin.kepri")["IdToken"]

        monkeypatch.setenv("COGNITO_USER_POOL_ID", pool_id)
        monkeypatch.setenv("COGNITO_CLIENT_ID", client_id)
        monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
        monkeypatch.delenv("AWS_REGION", raising=False)
        monkeypatch.delenv("COGNITO_ISSUER", raising=False)
        monkeypatch.setenv("COGNITO_JWKS_URL", f"{endpoint}/{pool_id}/.well-known/jwks.json")
        settings.cache_clear()
        verifier_from_settings.cache_clear()
        try:
            v = verifier_from_settings()
            assert v is verifier_from_settings()
            assert v.issuer == f"https://cognito-idp.{REGION}.amazonaws.com/{pool_id}"
            principal = v.verify(token)
            assert (principal.role, principal.province_code) == (Role.PROVINCIAL_ADMIN, "21")
            assert v.jwks.fetch_count == 1
        finally:
            settings.cache_clear()
            verifier_from_settings.cache_clear()
    finally:
        server.stop()


def test_module_never_logs_at_warning_for_bad_tokens(pool, verifier, caplog):
    """Bad tokens are routine (expired sessions): INFO, not WARNING noise."""
    caplog.set_level(logging.DEBUG, logger=auth.__name__)
    with pytest.raises(Unauthenticated):
        verifier.verify("a.b.c")
    assert all(r.levelno <= logging.INFO for r in caplog.records)
