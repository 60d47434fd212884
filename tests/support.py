"""Shared fixtures' machinery: a moto-backed platform with demo data and staff tokens, a frozen
clock, and small helpers to file and walk reports through the real HTTP handlers."""
from __future__ import annotations

import datetime as dt
import gzip
import json
from dataclasses import dataclass, field
from importlib import resources

import os

import boto3

from chalicelib import config, wiring
from chalicelib.adapters import auth
from chalicelib.adapters.cognito_setup import create_staff_user, create_user_pool
from chalicelib.adapters.tables import create_tables
from chalicelib.demo import load_demo_data, load_demo_staff
from chalicelib.services import calendar as calendar_service
from devtools.demo_accounts import DEMO_ACCOUNTS, DEMO_PASSWORD

WIB = dt.timezone(dt.timedelta(hours=7))


class FrozenClock:
    def __init__(self, moment: dt.datetime):
        self.moment = moment

    def __call__(self) -> dt.datetime:
        return self.moment

    def set(self, moment: dt.datetime) -> None:
        self.moment = moment

    def advance(self, **kwargs) -> None:
        self.moment += dt.timedelta(**kwargs)


def moto_jwks() -> dict:
    raw = (resources.files("moto") / "cognitoidp" / "resources" / "jwks-public.json.gz").read_bytes()
    return json.loads(gzip.decompress(raw))


@dataclass
class Platform:
    """The app wired to moto, with one ID token per demo account."""

    clock: FrozenClock
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[username]}", "Content-Type": "application/json"}


def start_platform(now: dt.datetime) -> Platform:
    config.settings.cache_clear()
    create_tables()
    load_demo_data()
    cognito = boto3.client("cognito-idp", region_name="ap-southeast-3")
    pool_id, client_id = create_user_pool(cognito, "lapor-test")
    os.environ["COGNITO_USER_POOL_ID"] = pool_id
    os.environ["COGNITO_CLIENT_ID"] = client_id
    config.settings.cache_clear()
    s = config.settings()
    verifier = auth.TokenVerifier(s.cognito_issuer, client_id, auth.JwksProvider(jwks=moto_jwks()))
    wiring.directory.cache_clear()
    wiring.settings_repo.cache_clear()
    calendar_service.invalidate()
    clock = FrozenClock(now)
    wiring.clock = clock
    wiring.use_token_verifier(verifier)
    platform = Platform(clock)
    for account in DEMO_ACCOUNTS:
        create_staff_user(cognito, pool_id, account.username, DEMO_PASSWORD, account.role, account.email,
                          agency_id=account.agency_id, unit_id=account.unit_id,
                          province_code=account.province_code, phone=account.phone)
        result = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                       AuthParameters={"USERNAME": account.username, "PASSWORD": DEMO_PASSWORD})
        platform.tokens[account.username] = result["AuthenticationResult"]["IdToken"]
    load_demo_staff(DEMO_ACCOUNTS)
    boto3.client("ses", region_name="ap-southeast-3").verify_domain_identity(Domain="lapor.example.go.id")
    return platform



def report_body(**overrides) -> dict:
    body = {
        "kind": "complaint",
        "title": "Parkir liar di Jalan Gatot Subroto",
        "description": "Juru parkir liar memungut Rp5.000 di depan pasar setiap sore.",
        "occurred_on": "2024-12-18",
        "location": {"province_code": "12", "regency_code": "12.71", "address": "Jl. Gatot Subroto, Medan"},
        "category_id": "illegal-parking",
        "reporter": {"name": "Siti Rahmawati", "email": "siti@example.com", "phone": "0812-6000-1234"},
    }
    body.update(overrides)
    return body
