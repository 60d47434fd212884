"""Statistics counters as pure functions: what a report contributes, how deltas add up, and how
counters read back as figures."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings

from chalicelib.domain import statistics as stats
from chalicelib.domain.lifecycle import Action, Status
from chalicelib.domain.report import AgencyRef, UnitRef
from chalicelib.domain.roles import REPORTER
from tests.unit.builders import AGENCY, CALENDAR, CENTRAL, LIAISON, act, calculator, started, wib
from tests.unit.statistics_history import histories, walk

MEDAN = AgencyRef(id="pemkot-medan", province_code="12", name="Pemerintah Kota Medan", regency_code="12.71",
                  units=(UnitRef("pemkot-medan.dishub", "pemkot-medan", "Dinas Perhubungan"),))
BATAM = AgencyRef(id="pemkot-batam", province_code="21", name="Pemerintah Kota Batam", regency_code="21.71")

# The most counter items one change may add to a report's transaction (see the README's budget:
# TransactWriteItems takes 100 items, and the report, its events and outbox rows need the rest).
COUNTER_ITEMS_BUDGET = 75


def completed_report(received=None, first_response=None, done=None):
    received = received or wib(2024, 12, 20, 10)
    r = started(now=received, category_id="roads")
    act(r, CENTRAL, Action.DISPATCH, received, agency=MEDAN)
    act(r, AGENCY, Action.ASSIGN, received, unit=MEDAN.units[0])
    act(r, LIAISON, Action.RESPOND, first_response or received, message="Ditangani")
    act(r, LIAISON, Action.FINAL_ANSWER, done or received, message="Selesai")
    act(r, REPORTER, Action.ACCEPT, done or received, rating=4)
    return r


# ---- where a report counts ------------------------------------------------------------------------
def test_a_report_counts_in_the_month_it_was_received_in_jakarta_time():
    late_evening_utc = dt.datetime(2023, 1, 31, 20, 0, tzinfo=dt.timezone.utc)  # 1 Feb, 03:00 WIB
    r = started(now=late_evening_utc)
    assert stats.period_of(r.received_at) == "2023-02"
    assert {key for _scope, key in stats.contributions(r, CALENDAR)} >= {"total#2023-02#"}


def test_a_province_counts_a_report_once_when_location_and_agency_are_both_in_it():
    r = started(agency=MEDAN)
    scopes = stats.scopes_of(r)
    assert scopes.count("prov#12") == 1
    assert "prov#21" not in scopes and not any("|prov#" in s or "|aprov#" in s for s in scopes)
    totals = [m for (scope, key), m in stats.contributions(r, CALENDAR).items() if key.startswith("total#")]
    assert all(m["received"] == 1 for m in totals)


def test_a_report_handled_in_another_province_counts_in_both_and_in_their_intersections():
    r = started(agency=BATAM)  # located in Kota Medan (12.71), handled by Batam (21)
    assert set(stats.scopes_of(r)) >= {
        "prov#12", "prov#21", "reg#12.71", "reg#12.71|aprov#21", "agency#pemkot-batam",
        "agency#pemkot-batam|prov#12", "agency#pemkot-batam|reg#12.71",
    }


def _public_received(report) -> dict:
    return {key: stats.public_part(m).get("received", 0) for key, m in stats.contributions(report, CALENDAR).items()
            if stats.has_public_metrics(key[0])}


def test_only_published_reports_that_are_not_confidential_count_publicly():
    assert set(_public_received(started()).values()) == {0}  # not yet dispatched
    assert set(_public_received(started(agency=MEDAN, confidential=True)).values()) == {0}
    assert set(_public_received(started(agency=MEDAN)).values()) == {0}  # addressed, not yet verified
    published = _public_received(act(started(), CENTRAL, Action.DISPATCH, wib(2024, 12, 3), agency=MEDAN))
    assert {scope for scope, _key in published} == {"all", "prov#12"} and set(published.values()) == {1}


def test_public_reports_add_no_extra_numbers_and_hidden_ones_only_on_national_and_provincial_items():
    verified = act(started(), CENTRAL, Action.DISPATCH, wib(2024, 12, 3), agency=MEDAN)
    assert not any(k.startswith(stats.NON_PUBLIC_PREFIX) for m in stats.contributions(verified, CALENDAR).values()
                   for k in m)
    hidden = {scope for (scope, _k), m in stats.contributions(started(agency=BATAM, confidential=True), CALENDAR).items()
              if "np_received" in m}
    assert hidden == {"all", "prov#12", "prov#21"}


def test_dimensions_an_agency_scope_holds_constant_are_not_stored_twice():
    assert "agency" not in stats.dimensions_of("agency#pemkot-medan")
    assert {"agency", "unit"}.isdisjoint(stats.dimensions_of("unit#pemkot-medan.dishub"))
    assert set(stats.dimensions_of("prov#12")) == {stats.TOTAL, *stats.DIMENSIONS}


def test_histograms_live_on_total_items_only_so_group_items_do_not_grow_with_volume():
    r = completed_report(received=wib(2024, 12, 20), first_response=wib(2024, 12, 27), done=wib(2025, 1, 3))
    for (scope, key), m in stats.contributions(r, CALENDAR).items():
        if key.startswith("total#"):
            assert m["fr_d3"] == 1 and m["cp_d7"] == 1, scope
        else:  # still exact means: count and sum
            assert not stats.HISTOGRAM_METRICS & set(m) and (m["fr_count"], m["fr_sum"]) == (1, 3), (scope, key)


def test_unassigned_dimensions_count_under_a_placeholder():
    values = stats.dimension_values(started())
    assert values["agency"] == values["unit"] == values["category"] == stats.NONE_VALUE


# ---- what a report adds -------------------------------------------------------------------------------
def test_response_and_completion_times_are_working_days_skipping_holidays():
    # Received Friday 20 Dec 2024; answered Friday 27 Dec: 23, 24 and 27 are working days
    # (25 Dec Christmas, 26 Dec cuti bersama, 21-22 and 28-29 weekends).
    r = completed_report(received=wib(2024, 12, 20), first_response=wib(2024, 12, 27),
                         done=wib(2025, 1, 3))
    m = stats.metrics_of(r, CALENDAR)
    assert (m["fr_count"], m["fr_sum"], m["fr_d3"]) == (1, 3, 1)
    # ... and 30, 31 Dec, 2, 3 Jan (1 Jan holiday): 7 working days to completion.
    assert (m["cp_count"], m["cp_sum"], m["cp_d7"]) == (1, 7, 1)
    assert m["completed"] == 1 and m["rating_count"] == 1 and m["rating_sum"] == 4


def test_times_beyond_the_cap_land_in_the_overflow_bucket_with_their_exact_sum():
    r = completed_report(received=wib(2023, 1, 2), first_response=wib(2023, 6, 1), done=wib(2023, 6, 1))
    m = stats.metrics_of(r, CALENDAR)
    assert m["fr_dover"] == 1 and m["fr_sum"] > stats.HIST_CAP


def test_a_stage_finished_on_its_deadline_day_is_on_time_and_the_day_after_late():
    r = started(now=wib(2024, 12, 2), agency=MEDAN)
    review_due, response_due = r.deadline("agency_review"), r.deadline("first_response")
    act(r, AGENCY, Action.ASSIGN, wib(review_due.year, review_due.month, review_due.day, 23, 30),
        unit=MEDAN.units[0])
    late = response_due + dt.timedelta(days=1)
    act(r, LIAISON, Action.RESPOND, wib(late.year, late.month, late.day, 0, 30), message="Terlambat")
    m = stats.metrics_of(r, CALENDAR)
    assert m["sla_agency_review_done"] == 1 and m["sla_agency_review_on_time"] == 1
    assert m["sla_first_response_done"] == 1 and "sla_first_response_on_time" not in m


def test_overdue_counts_open_reports_flagged_by_the_sweep_only():
    r = started(agency=MEDAN)
    r.overdue = True
    assert stats.metrics_of(r, CALENDAR)["overdue"] == 1
    r.status = Status.COMPLETED
    assert "overdue" not in stats.metrics_of(r, CALENDAR)


# ---- deltas -----------------------------------------------------------------------------------------
def test_a_change_that_moves_no_figure_adds_nothing():
    r = started(agency=MEDAN)
    before = started(agency=MEDAN)
    assert stats.delta(before, r, CALENDAR) == {}


def test_completion_moves_only_the_metrics_that_changed_once_per_item():
    before = completed_report()
    before.status, before.completed_at, before.rating = Status.AWAITING_REPORTER, None, None
    after = completed_report()
    d = stats.delta(before, after, CALENDAR)
    changed = {"completed", "cp_count", "cp_sum", "cp_d0", "rating_count", "rating_sum"}
    assert d and all(set(m) <= changed for m in d.values())
    assert all(m["completed"] == 1 for m in d.values())


def test_dispatch_to_another_agency_moves_its_counts_between_the_agencies():
    before = started(agency=MEDAN)
    after = started(agency=BATAM)
    d = stats.delta(before, after, CALENDAR)
    assert d[("agency#pemkot-medan", "total#2024-12#")]["received"] == -1
    assert d[("agency#pemkot-batam", "total#2024-12#")]["received"] == 1
    assert d[("prov#12", "agency#2024-12#pemkot-medan")]["received"] == -1
    assert ("prov#12", "total#2024-12#") not in d  # still in Sumatera Utara (by location)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories)
def test_incremental_deltas_add_up_to_the_rebuild_and_never_go_negative(history):
    specs, plan = history
    counters: dict = {}
    sizes = []

    def on_change(before, after):
        d = stats.delta(before, after, CALENDAR)
        sizes.append(len(d))
        for key, metrics in d.items():
            item = counters.setdefault(key, {})
            for name, value in metrics.items():
                item[name] = item.get(name, 0) + value
                assert item[name] >= 0, (key, name)

    reports = walk(specs, plan, calculator(), on_change)
    nonzero = {k: {n: v for n, v in m.items() if v} for k, m in counters.items()}
    assert {k: m for k, m in nonzero.items() if m} == stats.accumulate(reports, CALENDAR)
    assert max(sizes) <= COUNTER_ITEMS_BUDGET


def test_the_worst_single_change_stays_within_the_transaction_budget():
    """A published report located in Medan, moved between agencies of two other provinces."""
    jakarta = AgencyRef(id="kementerian-pupr", province_code="31", name="Kementerian PUPR")
    before = started(agency=BATAM)
    after = started(agency=BATAM)
    act(after, CENTRAL, Action.DISPATCH, after.received_at, agency=jakarta)
    after.overdue = True  # and a figure changes in the same write
    assert len(stats.delta(before, after, CALENDAR)) <= COUNTER_ITEMS_BUDGET


# ---- reading back ------------------------------------------------------------------------------------
def test_medan_2023_completion_rate_is_66_08_percent():
    f = stats.figures({"received": 678, "completed": 448})
    assert f["completion_rate"] == 66.08 and f["open"] == 230


@pytest.mark.parametrize("values, median, above", [
    ([], None, False),
    ([3], 3, False),
    ([1, 2], 1.5, False),
    ([0, 0, 5, 9, 60], 5, False),
    ([1, 61, 61], None, True),
    ([1, 2, 61], 2, False),
])
def test_median_from_the_histogram_is_exact_up_to_the_cap(values, median, above):
    buckets = [0] * (stats.HIST_CAP + 1)
    over = 0
    for v in values:
        if v > stats.HIST_CAP:
            over += 1
        else:
            buckets[v] += 1
    assert stats.median_from_histogram(buckets, over) == (median, above)


def test_group_figures_have_means_but_no_medians():
    m = {"received": 2, "fr_count": 2, "fr_sum": 3, "fr_d1": 1, "fr_d2": 1}
    assert stats.figures(m)["first_response"]["median_working_days"] == 1.5
    grouped = stats.figures(m, medians=False)["first_response"]
    assert grouped == {"count": 2, "mean_working_days": 1.5, "median_working_days": None, "median_above_cap": False}


def test_figures_of_nothing_have_no_rates():
    f = stats.figures({})
    assert f["received"] == 0 and f["completion_rate"] is None
    assert f["first_response"]["mean_working_days"] is None
    assert f["sla_compliance"]["all_stages"]["rate"] is None and f["rating"]["average"] is None


def test_sla_compliance_is_the_share_of_finished_stages_on_time():
    f = stats.figures({"sla_first_response_done": 4, "sla_first_response_on_time": 3,
                       "sla_completion_done": 4, "sla_completion_on_time": 1})
    assert f["sla_compliance"]["first_response"]["rate"] == 75.0
    assert f["sla_compliance"]["all_stages"] == {"finished": 8, "on_time": 4, "rate": 50.0}


def test_agencies_below_the_minimum_are_not_ranked_and_equals_share_a_rank():
    groups = {
        "a": {"received": 20, "completed": 18},
        "b": {"received": 20, "completed": 18},
        "c": {"received": 30, "completed": 10},
        "tiny": {"received": 2, "completed": 2},  # 100 %, but two reports prove nothing
    }
    assert stats.rank(groups, min_reports=10) == {"a": 1, "b": 1, "c": 3, "tiny": None}


def test_months_and_key_ranges_cover_whole_months():
    assert stats.months("2023-11", "2024-02") == ["2023-11", "2023-12", "2024-01", "2024-02"]
    low, high = stats.key_range("agency", "2023-01", "2023-12")
    assert low <= "agency#2023-01#a" <= high and low <= "agency#2023-12#zzz" <= high
    assert not low <= "agency#2024-01#a" <= high and not low <= "category#2023-05#x" <= high
