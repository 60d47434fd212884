"""Fixtures for the statistics and export tests: a client with report helpers, and a shared
read-only world of seven reports."""
from __future__ import annotations

import contextlib
import csv
import io

import pytest
from chalice.test import Client

from tests.integration.conftest import START, Api
from tests.support import report_body, start_platform

CENTRAL, MEDAN, DISHUB, DLH, SUMUT, KEPRI = (
    "admin.pusat", "admin.medan", "penghubung.dishub.medan", "penghubung.dlh.medan", "admin.sumut", "admin.kepri",
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class StatsApi(Api):
    """The report helpers plus a full walk and raw responses (exports are not JSON)."""

    def raw(self, path: str, user: str | None = None, accept: str | None = None):
        headers = {**(self.platform.headers(user) if user else {}), **({"Accept": accept} if accept else {})}
        return self.client.http.get(path, headers=headers)

    def stats(self, query: str = "", user: str = CENTRAL, expect: int = 200) -> dict:
        status, body = self.get(f"/staff/statistics?{query}", user=user)
        assert status == expect, body
        return body

    def completed(self, rating: int = 5, unit: str = "pemkot-medan.dishub", **overrides) -> str:
        """Submitted, dispatched to Kota Medan, assigned, answered, accepted: its tracking id."""
        created = self.submit(**overrides)
        tid = created["tracking_id"]
        self.act(tid, CENTRAL, "dispatch", agency_id="pemkot-medan")
        self.act(tid, MEDAN, "assign", unit_id=unit)
        officer = DISHUB if unit.endswith("dishub") else DLH
        self.act(tid, officer, "respond", message="Petugas meninjau lokasi.")
        self.act(tid, officer, "final_answer", message="Sudah ditertibkan.")
        self.reply(tid, created["access_code"], accept=True, rating=rating)
        return tid

    def dispatched(self, agency_id: str = "pemkot-medan", **overrides) -> str:
        created = self.submit(**overrides)
        self.act(created["tracking_id"], CENTRAL, "dispatch", agency_id=agency_id)
        return created["tracking_id"]

    def staff_entry(self, *, received_at: str, channel: str = "sms", agency_id: str | None = None,
                    **overrides) -> str:
        """A report the central admin records as it arrived by another channel, earlier."""
        body = report_body(channel=channel, received_at=received_at, **overrides)
        if agency_id:
            body["agency_id"] = agency_id
        status, created = self.post("/staff/reports", body, user=CENTRAL)
        assert status == 201, created
        return created["tracking_id"]

    def listed(self, query: str, user: str = CENTRAL) -> list[dict]:
        status, body = self.get(f"/staff/reports?limit=200&{query}", user=user)
        assert status == 200, body
        return body["items"]


@contextlib.contextmanager
def statistics_client(platform):
    from app import app

    with Client(app) as client:
        yield StatsApi(client, platform)


@pytest.fixture
def stats_api(platform):
    with statistics_client(platform) as api:
        yield api


WORLD = {  # name -> what build_world did with it
    "medan_completed": "located in Kota Medan, handled by Pemkot Medan (Dinas Perhubungan), completed, rated 5",
    "batam": "located in Batam, dispatched to Pemkot Batam",
    "medan_by_batam": "located in Kota Medan, dispatched to Pemkot Batam (information request)",
    "siantar_november": "recorded by staff: WhatsApp, 4 Nov 2024, Pematangsiantar (12.72), to Pemkot Medan",
    "archived": "located in Kota Medan, archived as spam before any dispatch",
    "confidential": "located in Kota Medan, confidential, at Pemkot Medan's Dinas Lingkungan Hidup",
    "pasaman_waiting": "located in Pasaman (13.08), waiting for verification",
}


def build_world(api: StatsApi) -> dict[str, str]:
    """Seven reports covering places, agencies, units, channels, kinds, months and statuses."""
    ids = {"medan_completed": api.completed(category_id="roads", rating=5)}
    ids["batam"] = api.dispatched("pemkot-batam", location={"province_code": "21", "regency_code": "21.71"})
    ids["medan_by_batam"] = api.dispatched("pemkot-batam", kind="information_request")
    ids["siantar_november"] = api.staff_entry(
        received_at="2024-11-04T09:00:00+07:00", channel="whatsapp", agency_id="pemkot-medan",
        location={"province_code": "12", "regency_code": "12.72"})
    ids["archived"] = api.submit()["tracking_id"]
    api.act(ids["archived"], CENTRAL, "archive", reason="spam")
    ids["confidential"] = api.dispatched(confidential=True, anonymous=True)
    api.act(ids["confidential"], MEDAN, "assign", unit_id="pemkot-medan.dlh")
    ids["pasaman_waiting"] = api.submit(location={"province_code": "13", "regency_code": "13.08"})["tracking_id"]
    return ids


@pytest.fixture(scope="module")
def world():
    """One platform per test module, built once: for tests that only read."""
    from moto import mock_aws

    with mock_aws():
        platform = start_platform(START)
        with statistics_client(platform) as api:
            api.ids = build_world(api)
            yield api


def read_csv(body: bytes | str) -> list[dict[str, str]]:
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    return list(csv.DictReader(io.StringIO(text)))


def read_xlsx(body: bytes) -> list[dict]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row)) for row in rows[1:]]
