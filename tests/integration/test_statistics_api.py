"""Counters move in the report's own transaction, through the real handlers against moto; the
seeds' Medan figures; constant read cost. (Filters, groups and scopes: test_statistics_filters.)"""
from __future__ import annotations

import pytest

from tests.integration.statistics_support import CENTRAL, DISHUB, MEDAN, SUMUT, stats_api  # noqa: F401


# ---- counters follow the report ----------------------------------------------------------------------
def test_statistics_follow_a_report_from_submission_to_completion(stats_api, platform):
    api = stats_api
    created = api.submit()
    tid, code = created["tracking_id"], created["access_code"]
    totals = api.stats()["totals"]
    assert (totals["received"], totals["open"], totals["completed"]) == (1, 1, 0)
    api.act(tid, CENTRAL, "dispatch", agency_id="pemkot-medan")
    api.act(tid, MEDAN, "assign", unit_id="pemkot-medan.dishub")
    platform.clock.advance(days=3)  # Monday 23 Dec: one working day after Friday 20 Dec
    api.act(tid, DISHUB, "respond", message="Petugas meninjau lokasi.")
    assert api.stats()["totals"]["first_response"] == {
        "count": 1, "mean_working_days": 1.0, "median_working_days": 1, "median_above_cap": False}
    platform.clock.advance(days=4)  # Friday 27 Dec: 23, 24, 27 (25 and 26 are holidays)
    api.act(tid, DISHUB, "final_answer", message="Sudah ditertibkan.")
    api.reply(tid, code, accept=True, rating=4)
    totals = api.stats()["totals"]
    assert (totals["received"], totals["completed"], totals["completion_rate"], totals["open"]) == (1, 1, 100.0, 0)
    assert totals["completion_time"]["median_working_days"] == 3
    assert totals["rating"] == {"count": 1, "average": 4.0}
    assert totals["sla_compliance"]["first_response"] == {"finished": 1, "on_time": 1, "rate": 100.0}


def test_a_change_that_loses_the_race_moves_no_counter(stats_api, platform):
    from chalicelib import wiring
    from chalicelib.domain.errors import Conflict
    from chalicelib.services import reports

    tid = stats_api.dispatched()
    first, second = wiring.deps(), wiring.deps()
    a, b = first.reports.get(tid), second.reports.get(tid)
    now = wiring.now()
    calc = reports.current_calculator(first.settings)
    a.apply(reports.Principal("admin.pusat", reports.Role.CENTRAL_ADMIN), reports.Action.REROUTE, now, calc,
            message="Bukan wewenang")
    first.reports.save(a)
    b.apply(reports.Principal("admin.medan", reports.Role.AGENCY_ADMIN, agency_id="pemkot-medan"),
            reports.Action.ASSIGN, now, calc, unit=wiring.directory().agency("pemkot-medan").units[0])
    with pytest.raises(Conflict):
        second.reports.save(b)
    groups = {g["key"]: g["received"] for g in stats_api.stats("group_by=unit")["groups"]}
    assert groups == {"-": 1}  # rerouted, never assigned


def test_an_archived_report_is_neither_open_nor_completed(stats_api):
    tid = stats_api.submit()["tracking_id"]
    stats_api.act(tid, CENTRAL, "archive", reason="spam")
    totals = stats_api.stats()["totals"]
    assert (totals["archived"], totals["open"], totals["completion_rate"]) == (1, 0, 0.0)


# ---- ranking ----------------------------------------------------------------------------------------
def test_agencies_with_too_few_reports_are_not_ranked(stats_api, monkeypatch):
    from chalicelib.config import settings

    monkeypatch.setenv("STATISTICS_RANKING_MIN_REPORTS", "2")
    settings.cache_clear()  # read once, like every setting
    api = stats_api
    api.dispatched()
    api.dispatched()
    api.dispatched("pemkot-batam")
    answer = api.stats("group_by=agency")
    assert answer["ranking"] == {"min_reports": 2}
    rows = {g["key"]: g for g in answer["groups"]}
    assert rows["pemkot-medan"]["rank"] == 1 and rows["pemkot-medan"]["ranking_note"] is None
    assert rows["pemkot-batam"]["rank"] is None
    assert rows["pemkot-batam"]["ranking_note"] == {"id": "Laporan belum cukup", "en": "Not enough reports"}
    assert [g["key"] for g in answer["groups"]] == ["pemkot-medan", "pemkot-batam"]


# ---- public ---------------------------------------------------------------------------------------------
def test_a_report_corrected_to_confidential_leaves_the_public_figures(stats_api):
    api = stats_api
    tid = api.dispatched()
    assert api.get("/statistics?year=2024")[1]["totals"]["received"] == 1
    api.act(tid, CENTRAL, "correct", confidential=True)
    assert api.get("/statistics?year=2024")[1]["totals"]["received"] == 0
    assert api.stats()["totals"]["received"] == 1



# ---- the seeds' own figures, and constant cost ------------------------------------------------------------
def test_kota_medan_2023_reproduces_678_received_448_completed_66_08_percent(stats_api):
    from bench.stats_bench import synthetic_reports
    from chalicelib import wiring
    from chalicelib.adapters import counters
    from chalicelib.demo import demo_agencies
    from chalicelib.services.calendar import current_calendar

    medan = [a for a in demo_agencies() if a.regency_code == "12.71"]
    calendar = current_calendar(wiring.settings_repo())
    # few distinct channels and categories: moto writes ~1 ms per counter item
    reports = synthetic_reports(678, agencies=medan, year=2023, completed=448, channels=("web", "sms"),
                                categories=("roads",))
    counters.bulk_load(reports, calendar)
    answer = stats_api.stats("regency_code=12.71&from=2023-01&to=2023-12&group_by=month", user=SUMUT)
    totals = answer["totals"]
    assert (totals["received"], totals["completed"], totals["completion_rate"]) == (678, 448, 66.08)
    assert sum(g["received"] for g in answer["groups"]) == 678


def test_items_read_depend_on_groups_and_months_not_on_reports(stats_api):
    api = stats_api
    api.dispatched()
    one = api.stats("group_by=agency&from=2024-01&to=2024-12")["items_read"]
    for _ in range(6):
        api.dispatched()
    many = api.stats("group_by=agency&from=2024-01&to=2024-12")
    # December's total, Medan's row, and the "-" row the reports left when they were dispatched
    assert many["totals"]["received"] == 7 and many["items_read"] == one == 3
