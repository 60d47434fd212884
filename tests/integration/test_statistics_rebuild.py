"""Rebuild == incremental: counters written by the store's transaction hook, change by change over a
random history, equal what the rebuild job recomputes from the stored reports. And the job finds
and repairs drift."""
from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from moto import mock_aws

from tests.integration.statistics_support import stats_api  # noqa: F401  (fixture)
from tests.unit.builders import CALENDAR, calculator
from tests.unit.statistics_history import histories, walk


def _fresh_tables() -> None:
    from chalicelib import config
    from chalicelib.adapters.tables import create_tables

    config.settings.cache_clear()
    create_tables()


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(histories)
def test_rebuild_equals_incremental_on_a_random_history(history):
    from chalicelib.adapters import counters
    from chalicelib.adapters.outbox import DynamoOutbox
    from chalicelib.adapters.store import DynamoReports
    from chalicelib.services.statistics import compare_counters

    specs, plan = history
    with mock_aws():
        _fresh_tables()
        outbox = DynamoOutbox(lambda message: None, counters.count)
        store = DynamoReports([counters.CountersHook(lambda: CALENDAR)], outbox=outbox)

        def persist(before, after):
            (store.add if before is None else store.save)(after)

        reports = walk(specs[:3], plan[:15], calculator(), persist)
        stored = counters.stored_counters()
        result = compare_counters(counters.iter_reports(), stored, CALENDAR)
        assert result.reports == len(reports)
        assert result.differences == {}


def test_the_rebuild_job_finds_drift_repairs_it_and_then_agrees(stats_api, capsys):
    from chalicelib.adapters.counters import CounterModel
    from scheduled import rebuild_stats

    api = stats_api
    api.completed()
    api.dispatched("pemkot-batam")
    assert rebuild_stats.main([]) == 0
    capsys.readouterr()
    CounterModel("prov#12", "total#2024-12#").update(actions=[CounterModel.received.add(5)])
    CounterModel("agency#pemkot-batam", "total#2024-12#").delete()
    assert api.stats("province_code=12")["totals"]["received"] == 7

    assert rebuild_stats.main([]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["items_differing"] == 2 and report["repaired"] is False
    assert {(d["scope"], d["key"]) for d in report["sample"]} == {
        ("prov#12", "total#2024-12#"), ("agency#pemkot-batam", "total#2024-12#")}

    assert rebuild_stats.main(["--repair"]) == 0
    assert json.loads(capsys.readouterr().out)["repaired"] is True
    assert rebuild_stats.main([]) == 0
    assert api.stats("province_code=12")["totals"]["received"] == 2
    assert api.stats("agency_id=pemkot-batam")["totals"]["received"] == 1


def test_the_monthly_check_reports_drift_as_a_metric_and_a_log_and_repairs_nothing(stats_api, capsys, caplog):
    from chalicelib.adapters.counters import CounterModel
    from scheduled import rebuild_stats

    stats_api.completed()
    CounterModel("prov#12", "total#2024-12#").update(actions=[CounterModel.received.add(5)])
    summary = rebuild_stats.monthly_check_handler({}, None)
    assert summary["items_differing"] == 1 and summary["repaired"] is False
    out = capsys.readouterr().out
    metric = next(json.loads(line) for line in out.splitlines() if '"StatisticsDrift"' in line)
    assert metric["StatisticsDrift"] in (1, [1.0])  # EMF: a value or a list of values
    (warning,) = [r for r in caplog.records if "not repaired" in r.getMessage()]
    assert warning.levelname == "WARNING" and warning.drift == {"prov#12": ["2024-12"]}
    assert stats_api.stats("province_code=12")["totals"]["received"] == 6  # still the drifted figure
    assert rebuild_stats.main([]) == 1


def test_the_monthly_check_is_scheduled_and_reports_agreement(stats_api):
    from app import app

    stats_api.dispatched()
    response = stats_api.client.lambda_.invoke(
        "monthly_stats", stats_api.client.events.generate_cw_event(
            source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]))
    assert response.payload["reports"] == 1 and response.payload["items_differing"] == 0
    assert "monthly_stats" in {e.name for e in app.event_sources}
