"""Statistics counters in DynamoDB (table suffix "counters").

pk `scope` (e.g. `all`, `prov#12`, `reg#12.71`, `agency#pemkot-medan`), sk `key` =
`<dimension>#<YYYY-MM>#<value>`; one number attribute per metric (plus `np_*`, the part the public
may not see, on national and provincial items), all changed with atomic ADD
by the report change's outbox right after the change commits (the hook below). A statistics query is one
Query per (scope, dimension) over a month range: its cost depends on months x distinct values,
never on how many reports there are.
"""
from __future__ import annotations

from typing import Callable, Iterable, Iterator

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import BatchWrite, Model
from pynamodb.transactions import TransactWrite

from ..domain import statistics as stats
from ..domain.calendar import WorkingCalendar
from ..domain.report import Event, Report
from .dynamo import meta
from .store import ReportModel, to_model


def _model() -> type[Model]:
    """One NumberAttribute per metric (DynamoDB's ADD works on top-level attributes only)."""
    attrs: dict = {
        "__module__": __name__,
        "__doc__": "One counter item: a scope, a dimension value and a month.",
        "Meta": meta("counters"),
        "scope": UnicodeAttribute(hash_key=True),
        "key": UnicodeAttribute(range_key=True),
    }
    attrs.update({name: NumberAttribute(null=True) for name in stats.METRICS})
    return type("CounterModel", (Model,), attrs)


CounterModel = _model()


def _metrics(m: Model) -> stats.Metrics:
    return {name: int(v) for name in stats.METRICS if (v := getattr(m, name, None))}


def _add_actions(metrics: stats.Metrics) -> list:
    return [getattr(CounterModel, name).add(value) for name, value in sorted(metrics.items())]


# ---- incremental: through the report change's outbox --------------------------------------------
def _current_calendar() -> WorkingCalendar:
    from .. import wiring
    from ..services.calendar import current_calendar

    return current_calendar(wiring.settings_repo())


class CountersHook:
    """Puts the report change's counter deltas (merged per item) into its outbox row; the outbox
    applies them exactly once after the commit, so statistics follow every committed change."""

    def __init__(self, calendar: Callable[[], WorkingCalendar] = _current_calendar):
        self.calendar = calendar

    def __call__(self, write) -> None:
        write.change.counters.update(stats.delta(write.before, write.after, self.calendar()))


def count(txn: TransactWrite, scope: str, key: str, metrics: stats.Metrics) -> None:
    """One counter item's deltas, as one ADD in the outbox's transaction."""
    txn.update(CounterModel(scope, key), actions=_add_actions(metrics))


# ---- reading ------------------------------------------------------------------------------------------
class DynamoCounters:
    """Reads counter items; counts the items and capacity it read (the figures the bench prints).
    Items are read raw: only the attributes present are parsed, not ~290 declared ones."""

    def __init__(self) -> None:
        self.items_read = 0
        self.bytes_read = 0  # attribute names + values, as DynamoDB sizes items (roughly)
        self.capacity_units = 0.0  # as DynamoDB reports it (moto's figure is not meaningful)

    def read(self, scope: str, dimension: str, first_period: str, last_period: str) -> list[tuple[str, str, stats.Metrics]]:
        """(period, value, metrics) of one dimension over whole months: one Query (paged by 1 MB)."""
        low, high = stats.key_range(dimension, first_period, last_period)
        table, condition, start = CounterModel._get_connection(), CounterModel.key.between(low, high), None
        out = []
        while True:
            page = table.query(scope, range_key_condition=condition, exclusive_start_key=start,
                               return_consumed_capacity="TOTAL")
            for item in page.get("Items", []):
                self.bytes_read += sum(len(k) + len(next(iter(v.values()))) for k, v in item.items())
                _dim, period, value = stats.parse_counter_key(item["key"]["S"])
                out.append((period, value, {k: int(v["N"]) for k, v in item.items() if "N" in v and v["N"] != "0"}))
            self.items_read += len(page.get("Items", []))
            self.capacity_units += float((page.get("ConsumedCapacity") or {}).get("CapacityUnits", 0))
            start = page.get("LastEvaluatedKey")
            if not start:
                return out


# ---- rebuild and bulk load (jobs only: these scan) ------------------------------------------------
def stored_counters() -> dict[stats.CounterKey, stats.Metrics]:
    """Every counter item with its non-zero metrics (a Scan: rebuild job only)."""
    return {(m.scope, m.key): _metrics(m) for m in CounterModel.scan()}


def apply_differences(differences: dict[stats.CounterKey, stats.Metrics]) -> int:
    """ADDs each difference, item by item. Being additive, it commutes with report changes
    committed meanwhile (a PUT of absolute values would erase them)."""
    for (scope, key), metrics in sorted(differences.items()):
        CounterModel(scope, key).update(actions=_add_actions(metrics))
    return len(differences)


def put_counters(counters: dict[stats.CounterKey, stats.Metrics]) -> None:
    """Writes absolute values with batch writes: only for counter items nobody else writes yet."""
    with CounterModel.batch_write() as batch:
        for (scope, key), metrics in counters.items():
            batch.save(CounterModel(scope, key, **metrics))


def bulk_load(reports: Iterable[Report], calendar: WorkingCalendar, write_reports: bool = True) -> int:
    """Fast seeding for benches and seed figures: reports and their counters by batch writes
    (no history events). Counters are written as absolute values, so the counter items these
    reports touch must not exist yet."""
    reports = list(reports)
    if write_reports:
        batch: BatchWrite
        with ReportModel.batch_write() as batch:
            for report in reports:
                model = to_model(report)
                model.version = report.version or 1
                batch.save(model)
    put_counters(stats.accumulate(reports, calendar))
    return len(reports)


def iter_reports() -> Iterator[Report]:
    from .store import iter_all_reports

    return iter_all_reports()
