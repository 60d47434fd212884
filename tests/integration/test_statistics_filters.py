"""GET /staff/statistics and GET /statistics on one shared world of seven reports (see
statistics_support.WORLD): every filter, every group_by, every role's scope, the public figures
and the statistics export. Read-only: the world is built once for the module."""
from __future__ import annotations

import json

import pytest

from tests.integration.statistics_support import (  # noqa: F401  (fixture)
    CENTRAL, DISHUB, DLH, KEPRI, MEDAN, SUMUT, XLSX, read_csv, read_xlsx, world,
)

GROUP_BYS = ("agency", "unit", "category", "channel", "kind", "month")
YEAR = "from=2024-01&to=2024-12"


@pytest.mark.parametrize("query, expected", [
    ("", 7),
    ("province_code=12", 5),
    ("province_code=21", 2),  # handled in Kepulauan Riau, wherever located
    ("province_code=13", 1),
    ("regency_code=12.71", 4),
    ("regency_code=12.72", 1),
    ("agency_id=pemkot-medan", 3),
    ("agency_id=pemkot-batam", 2),
    ("province_code=12&agency_id=pemkot-batam", 1),  # Batam's report located in Sumatera Utara
    ("province_code=21&regency_code=12.71", 1),  # located in Medan, handled in Kepulauan Riau
    ("regency_code=12.71&agency_id=pemkot-medan", 2),
    ("province_code=12&regency_code=12.71&agency_id=pemkot-batam", 1),
    ("province_code=13&regency_code=12.71&agency_id=pemkot-batam", 0),
    ("province_code=35", 0),
    ("agency_id=unknown-agency", 0),
])
def test_each_filter_counts_what_the_report_list_shows(world, query, expected):
    assert world.stats(f"{query}&{YEAR}")["totals"]["received"] == expected
    assert len(world.listed(query)) == expected


def test_figures_cover_status_outcomes_and_rating(world):
    totals = world.stats(YEAR)["totals"]
    assert (totals["received"], totals["completed"], totals["archived"], totals["open"]) == (7, 1, 1, 5)
    assert totals["completion_rate"] == 14.29
    assert totals["rating"] == {"count": 1, "average": 5.0}
    assert totals["first_response"]["count"] == totals["completion_time"]["count"] == 1
    # four dispatched and one archived by the central admin, all the same day
    assert totals["sla_compliance"]["verification"] == {"finished": 5, "on_time": 5, "rate": 100.0}


@pytest.mark.parametrize("period, expected", [
    ("from=2024-12&to=2024-12", 6), ("from=2024-11&to=2024-11", 1), ("from=2024-11-01&to=2024-12-31", 7),
    ("from=2025-01&to=2025-03", 0), ("", 7),  # default: January of this year (WIB) to this month
])
def test_a_report_counts_in_the_month_it_was_received(world, period, expected):
    answer = world.stats(period)
    assert answer["totals"]["received"] == expected
    if not period:
        assert (answer["filters"]["from"], answer["filters"]["to"]) == ("2024-01", "2024-12")


@pytest.mark.parametrize("group_by, keys", [
    ("agency", {"pemkot-medan", "pemkot-batam", "-"}),
    ("unit", {"pemkot-medan.dishub", "pemkot-medan.dlh", "-"}),
    ("category", {"illegal-parking", "roads"}),
    ("channel", {"api", "whatsapp"}),
    ("kind", {"complaint", "information_request"}),
    ("month", {f"2024-{m:02d}" for m in range(1, 13)}),
])
def test_every_group_by_splits_the_totals(world, group_by, keys):
    answer = world.stats(f"group_by={group_by}&{YEAR}")
    groups = answer["groups"]
    assert {g["key"] for g in groups} == keys
    assert sum(g["received"] for g in groups) == answer["totals"]["received"] == 7
    assert sum(g["completed"] for g in groups) == answer["totals"]["completed"]
    assert all(g["label"] for g in groups)


def test_group_rows_have_exact_means_and_leave_medians_to_the_totals_and_months(world):
    answer = world.stats(f"group_by=unit&{YEAR}")
    assert answer["totals"]["first_response"]["median_working_days"] == 0
    dishub = next(g for g in answer["groups"] if g["key"] == "pemkot-medan.dishub")
    assert dishub["first_response"] == {"count": 1, "mean_working_days": 0.0, "median_working_days": None,
                                         "median_above_cap": False}
    december = world.stats(f"group_by=month&{YEAR}")["groups"][-1]
    assert december["first_response"]["median_working_days"] == 0


def test_group_labels_name_agencies_units_and_categories(world):
    def labels(group_by):
        return {g["key"]: g["label"] for g in world.stats(f"group_by={group_by}")["groups"]}

    assert labels("agency")["pemkot-medan"] == "Pemerintah Kota Medan"
    assert labels("agency")["-"] == "Belum ditentukan / Not yet set"
    assert labels("unit")["pemkot-medan.dishub"] == "Dinas Perhubungan (Pemerintah Kota Medan)"
    assert labels("category")["roads"] == "Jalan dan trotoar / Roads"


def test_months_come_in_order_with_empty_months_shown(world):
    groups = world.stats(f"group_by=month&{YEAR}")["groups"]
    assert [g["received"] for g in groups] == [0] * 10 + [1, 6]
    assert groups[0]["completion_rate"] is None


# ---- scopes -----------------------------------------------------------------------------------------
def test_a_provincial_admin_never_sees_another_province(world):
    assert world.stats("", user=SUMUT)["totals"]["received"] == 5
    for query in ("province_code=21", "province_code=13"):
        answer = world.stats(f"{query}&group_by=agency", user=SUMUT)
        assert answer["totals"]["received"] == 0 and answer["groups"] == []
        assert world.listed(query, user=SUMUT) == []


@pytest.mark.parametrize("query, expected", [
    ("", 2),
    ("agency_id=pemkot-medan", 0),  # Medan's agency handles nothing located in Kepulauan Riau
    ("regency_code=12.71", 1),  # located in Medan, but handled by Batam
    ("agency_id=pemkot-batam&regency_code=12.71", 1),
    ("regency_code=12.72", 0),
])
def test_a_provincial_admin_sees_reports_located_or_handled_in_their_province(world, query, expected):
    assert world.stats(query, user=KEPRI)["totals"]["received"] == expected
    assert len(world.listed(query, user=KEPRI)) == expected


def test_an_agency_admin_sees_their_agency_only(world):
    assert world.stats("", user=MEDAN)["totals"]["received"] == 3
    assert world.stats("agency_id=pemkot-batam", user=MEDAN)["totals"]["received"] == 0
    assert world.stats("regency_code=12.72", user=MEDAN)["totals"]["received"] == 1
    assert [g["key"] for g in world.stats("group_by=agency", user=MEDAN)["groups"]] == ["pemkot-medan"]
    units = {g["key"]: g["received"] for g in world.stats("group_by=unit", user=MEDAN)["groups"]}
    assert units == {"pemkot-medan.dishub": 1, "pemkot-medan.dlh": 1, "-": 1}


def test_a_liaison_officer_sees_their_unit_only(world):
    mine = world.stats("group_by=unit", user=DISHUB)
    assert mine["totals"]["received"] == 1 and [g["key"] for g in mine["groups"]] == ["pemkot-medan.dishub"]
    assert [g["key"] for g in world.stats("group_by=agency", user=DLH)["groups"]] == ["pemkot-medan"]
    assert world.stats("agency_id=pemkot-batam", user=DISHUB)["totals"]["received"] == 0


@pytest.mark.parametrize("query, field", [("province_code=12", "province_code"), ("regency_code=12.71", "regency_code")])
def test_a_liaison_officer_cannot_narrow_unit_figures_by_region(world, query, field):
    error = world.stats(query, user=DISHUB, expect=422)["error"]
    assert error["code"] == "unprocessable" and field in error["fields"]


def test_staff_statistics_need_a_staff_token(world):
    status, body = world.get("/staff/statistics")
    assert status == 401 and body["error"]["code"] == "unauthenticated"
    assert world.raw("/staff/statistics/export").status_code == 401


@pytest.mark.parametrize("query, field", [
    ("group_by=region", "group_by"), ("from=2024-13", "from"), ("province_code=Sumut", "province_code"),
    ("regency_code=1271", "regency_code"), ("limit=5", "limit"), ("from=24-01", "from"), ("from=0", "from"),
    ("from=0999-12", "from"), ("to=2024-05%0A", "to"),
])
def test_bad_statistics_parameters_are_400_naming_the_parameter(world, query, field):
    error = world.stats(query, expect=400)["error"]
    assert field in error["fields"] and error["message_id"] and error["message_en"]


@pytest.mark.parametrize("query, field", [
    ("from=2024-05-15", "from"), ("to=2024-05-30", "to"), ("from=2024-06&to=2024-01", "from"),
    ("from=1990-01&to=2024-12", "to"), ("from=0999-12-01", "from"),
])
def test_periods_the_document_allows_but_the_rules_refuse_are_422_naming_the_parameter(world, query, field):
    """A date off the month's edge, `from` after `to`, too many months: each value is a documented one."""
    error = world.stats(query, expect=422)["error"]
    assert error["code"] == "unprocessable" and field in error["fields"]


def test_agencies_below_the_default_minimum_are_shown_but_not_ranked(world):
    answer = world.stats("group_by=agency")
    assert answer["ranking"] == {"min_reports": 10}
    assert all(g["rank"] is None and g["ranking_note"]["en"] == "Not enough reports" for g in answer["groups"])


# ---- public ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("query, expected", [
    ("year=2024", 4), ("province_code=12&year=2024", 3), ("province_code=21&year=2024", 2),
    ("province_code=13&year=2024", 0), ("year=2023", 0), ("", 4),
])
def test_public_statistics_count_published_reports_that_are_not_confidential(world, query, expected):
    status, body = world.get(f"/statistics?{query}")
    assert status == 200, body
    assert body["totals"]["received"] == expected


def test_public_statistics_carry_no_identity_and_may_be_cached(world):
    response = world.raw("/statistics?province_code=12&group_by=category")
    assert response.status_code == 200 and response.headers["Cache-Control"].startswith("public")
    body = json.loads(response.body)
    assert {g["key"] for g in body["groups"]} == {"roads", "illegal-parking"}
    text = response.body.decode()
    for secret in ("Siti", "siti@example.com", "6000", "Parkir liar", "Juru parkir liar memungut"):
        assert secret not in text


@pytest.mark.parametrize("group_by", GROUP_BYS)
def test_public_statistics_group_like_the_staff_ones(world, group_by):
    status, body = world.get(f"/statistics?year=2024&group_by={group_by}")
    assert status == 200
    assert sum(g["received"] for g in body["groups"]) == body["totals"]["received"] == 4


@pytest.mark.parametrize("query, field", [
    ("province_code=99", "province_code"), ("year=20x4", "year"), ("year=1999", "year"),
    ("group_by=reporter", "group_by"), ("agency_id=pemkot-medan", "agency_id"),
])
def test_bad_public_statistics_parameters_are_400(world, query, field):
    status, body = world.get(f"/statistics?{query}")
    assert status == 400 and field in body["error"]["fields"]


# ---- statistics export -----------------------------------------------------------------------------------
def test_statistics_export_reads_back_as_csv(world):
    answer = world.stats(f"group_by=agency&{YEAR}")
    response = world.raw(f"/staff/statistics/export?format=csv&group_by=agency&{YEAR}", user=CENTRAL)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    assert "statistik-2024-01-2024-12-agency.csv" in response.headers["Content-Disposition"]
    rows = read_csv(response.body)
    assert rows[0]["group_by"] == "total" and rows[0]["received"] == "7" and rows[0]["completion_rate"] == "14.29"
    assert {r["key"]: int(r["received"]) for r in rows[1:]} == {g["key"]: g["received"] for g in answer["groups"]}
    assert all(r["ranking_note"] == "Laporan belum cukup / Not enough reports" for r in rows[1:])


def test_statistics_export_reads_back_as_xlsx(world):
    response = world.raw(f"/staff/statistics/export?format=xlsx&group_by=channel&{YEAR}", user=CENTRAL, accept=XLSX)
    assert response.status_code == 200 and response.headers["Content-Type"] == XLSX
    sheet = read_xlsx(response.body)
    assert sheet[0]["received"] == 7 and sheet[0]["completion_rate"] == 14.29
    assert {r["key"]: r["received"] for r in sheet[1:]} == {"api": 6, "whatsapp": 1}


def test_statistics_export_keeps_the_callers_scope(world):
    rows = read_csv(world.raw("/staff/statistics/export?province_code=21", user=SUMUT).body)
    assert [r["received"] for r in rows] == ["0"]
    rows = read_csv(world.raw("/staff/statistics/export?group_by=unit", user=DISHUB).body)
    assert [(r["key"], r["received"]) for r in rows] == [("", "1"), ("pemkot-medan.dishub", "1")]


def test_statistics_export_refuses_an_unknown_format(world):
    status, body = world.get("/staff/statistics/export?format=pdf", user=CENTRAL)
    assert status == 400 and "format" in body["error"]["fields"]
