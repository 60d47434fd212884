"""Shared machinery of the proof tests (permissions, limits, privacy, concurrency, call budgets):
one moto platform per module, emptied between tests, and the scene set without side effects."""
from __future__ import annotations

import contextlib
import dataclasses
import json
from typing import Iterator

import boto3
import jsonschema
import pytest
from chalice.test import Client
from moto import mock_aws

from chalicelib import wiring
from chalicelib.services import reports
from tests.integration.conftest import START, Api
from tests.support import start_platform

REGION = "ap-southeast-3"
BUCKET = "lapor-test-attachments"
KEEP = ("directory",)


@contextlib.contextmanager
def module_world() -> Iterator[Api]:
    """moto, the demo platform, the attachments table and bucket, and a test client of the app."""
    with mock_aws():
        platform = start_platform(START)
        boto3.client("s3", region_name=REGION).create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        from app import app

        with Client(app) as client:
            yield Api(client, platform)


@pytest.fixture(scope="module")
def world():
    """The platform of one test module (import this fixture and `api` into the module)."""
    with module_world() as api:
        yield api


@pytest.fixture
def api(world):
    """The module's platform at the frozen start moment, emptied again after the test."""
    wiring.clock = world.platform.clock  # other modules' fixtures replace the clock
    world.platform.clock.set(START)
    yield world
    clear_tables()


def clear_tables() -> None:
    """Empties every table but the directory: moto copies whole tables for each transaction, so
    a table that grows over a module makes every later write slower."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    for name, table in dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].tables.items():
        if not name.endswith(KEEP):
            table.items.clear()


def bare_deps() -> reports.Deps:
    """The app's adapters without the transaction hooks (outbox, counters): a scene is set
    faster, and the request under test still goes through the whole app."""
    from chalicelib.adapters.store import DynamoReports

    return dataclasses.replace(wiring.deps(), reports=DynamoReports())


def tick(seconds: int = 1):
    """The frozen clock a little later: two events of one report never share a moment (and so
    a notification's dedup key), as in life."""
    wiring.clock.advance(seconds=seconds)
    return wiring.now()


_ERROR_SCHEMA = None


def assert_error_body(body, status: int | None = None, code: str | None = None) -> None:
    """The platform's one error body, as /openapi.json documents it."""
    global _ERROR_SCHEMA
    if _ERROR_SCHEMA is None:
        from chalicelib.openapi import error_schema

        _ERROR_SCHEMA = error_schema()
    if isinstance(body, (str, bytes)):
        body = json.loads(body)
    jsonschema.validate(body, _ERROR_SCHEMA)
    if code:
        assert body["error"]["code"] == code, body


PLACES = {
    "medan": dict(province="12", regency="12.71", agency="pemkot-medan", unit="pemkot-medan.dishub",
                  other_unit="pemkot-medan.dlh"),
    "medan_dlh": dict(province="12", regency="12.71", agency="pemkot-medan", unit="pemkot-medan.dlh",
                      other_unit="pemkot-medan.dishub"),
    "batam": dict(province="21", regency="21.71", agency="pemkot-batam", unit="pemkot-batam.dishub",
                  other_unit="pemkot-batam.dinkes"),
}
WALK = ("submitted", "dispatched", "assigned", "in_progress", "awaiting_reporter", "completed")


def report_at(place_name: str, status: str) -> tuple[str, str]:
    """(tracking id, access code) of a fresh report of `place_name` walked to `status` by the
    use cases themselves, without side effects (bare_deps)."""
    from chalicelib.domain.report import Location, Reporter
    from chalicelib.domain.roles import Principal, Role

    place = PLACES[place_name]
    new = reports.NewReport(kind="complaint", title="Parkir liar di Jalan Gatot Subroto",
                            description="Juru parkir liar memungut Rp5.000 di depan pasar setiap sore.",
                            location=Location(place["province"], place["regency"]), category_id="illegal-parking",
                            reporter=Reporter("Rina Marlina", email="rina@example.com", phone="+6281260001234"),
                            channel="web")
    report, code = reports.submit_report(bare_deps(), new, tick())
    tid = report.tracking_id
    agency = Principal("setup.agency", Role.AGENCY_ADMIN, agency_id=place["agency"])
    liaison = Principal("setup.liaison", Role.LIAISON_OFFICER, agency_id=place["agency"], unit_id=place["unit"])
    steps = [
        (Principal("setup.central", Role.CENTRAL_ADMIN), "dispatch", {"agency_id": place["agency"]}),
        (agency, "assign", {"unit_id": place["unit"]}),
        (liaison, "respond", {"message": "Kami tinjau."}),
        (liaison, "final_answer", {"message": "Sudah diperbaiki."}),
    ]
    for who, action, params in steps[: min(WALK.index(status), 4)]:
        reports.staff_action(bare_deps(), who, tid, action, params, tick())
    if status == "completed":
        reports.reporter_reply(bare_deps(), tid, code, reports.ReporterReply(accept=True, rating=4), tick())
    tick()
    return tid, code
