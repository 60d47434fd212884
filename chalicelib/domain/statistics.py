"""Statistics as counters: what one report adds to which counter, and how counters read back.

One definition serves both the incremental path (a report change adds `delta(before, after)`
in its own transaction) and the rebuild job (the sum of `contributions(report)` over all
reports), so the two can only disagree if a write was lost.

A counter item is (scope, key). Scopes are the slices a query can ask for without
intersecting at read time; the key is `<dimension>#<YYYY-MM>#<value>`, so a period range of one
dimension is one Query. Histograms of working days (one number per day 0..HIST_CAP, plus one
for anything above) make medians exact up to the cap. They are kept per scope and month (on the
total items) only: on every dimension item they would make items grow with volume until each
filled up (1.6x the bytes read from 1,000 to 100,000 reports), so group rows have exact means
and no medians.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Iterable, Mapping

from .calendar import WorkingCalendar, to_wib_date
from .lifecycle import CLOSED, Status
from .report import Report

TOTAL = "total"
DIMENSIONS = ("agency", "unit", "category", "channel", "kind")
GROUP_BYS = (*DIMENSIONS, "month")
NONE_VALUE = "-"  # not yet dispatched / assigned / categorised
HIST_CAP = 60
SLA_STAGES = ("verification", "agency_review", "first_response", "completion")
TIMINGS = {"fr": "first_response", "cp": "completion_time"}  # counter prefix -> figure name


def _hist_names(prefix: str) -> tuple[str, ...]:
    return (*(f"{prefix}_d{i}" for i in range(HIST_CAP + 1)), f"{prefix}_dover")


COUNTS = ("received", "completed", "archived", "overdue", "referred", "rating_count", "rating_sum", "supporters")
TIMING_METRICS = tuple(
    name for prefix in TIMINGS for name in (f"{prefix}_count", f"{prefix}_sum", *_hist_names(prefix))
)
SLA_METRICS = tuple(name for stage in SLA_STAGES for name in (f"sla_{stage}_done", f"sla_{stage}_on_time"))
BASE_METRICS: tuple[str, ...] = (*COUNTS, *TIMING_METRICS, *SLA_METRICS)
HISTOGRAM_METRICS = frozenset(name for prefix in TIMINGS for name in _hist_names(prefix))
# Reports the public may not see (never dispatched, or confidential) are counted a second time
# under "np_" names on the national and provincial items; public figures are the total minus
# those. They are a minority and rarely have timings, so items stay small, and a report
# becoming public or confidential changes attributes, not which items its transaction touches.
NON_PUBLIC_PREFIX = "np_"
METRICS: tuple[str, ...] = (*BASE_METRICS, *(NON_PUBLIC_PREFIX + m for m in BASE_METRICS))
HISTOGRAM_METRICS |= {NON_PUBLIC_PREFIX + m for m in HISTOGRAM_METRICS}

Metrics = dict[str, int]
CounterKey = tuple[str, str]  # (scope, key)


# ---- scopes ---------------------------------------------------------------------------------------
def all_scope() -> str:
    return "all"


def province_scope(code: str) -> str:
    return f"prov#{code}"


def regency_scope(code: str) -> str:
    return f"reg#{code}"


def regency_by_agency_province_scope(regency: str, agency_province: str) -> str:
    """Located in `regency`, handled by an agency of another province `agency_province`."""
    return f"reg#{regency}|aprov#{agency_province}"


def agency_scope(agency_id: str) -> str:
    return f"agency#{agency_id}"


def agency_in_province_scope(agency_id: str, province: str) -> str:
    """The agency's reports located in `province`, written only when that is not its own province."""
    return f"agency#{agency_id}|prov#{province}"


def agency_in_regency_scope(agency_id: str, regency: str) -> str:
    return f"agency#{agency_id}|reg#{regency}"


def unit_scope(unit_id: str) -> str:
    return f"unit#{unit_id}"


def dimensions_of(scope: str) -> tuple[str, ...]:
    """Dimensions stored per scope. Inside an agency every report has that agency (and inside a
    unit that unit), so those dimensions would repeat the total: they are read from it instead."""
    if scope.startswith("unit#"):
        return (TOTAL, "category", "channel", "kind")
    if scope.startswith("agency#"):
        return (TOTAL, "unit", "category", "channel", "kind")
    return (TOTAL, *DIMENSIONS)


def scopes_of(report: Report) -> list[str]:
    """Every slice the report belongs to. A province slice counts a report once even when both
    its location and its agency lie in that province."""
    loc = report.location.province_code
    regency = report.location.regency_code
    agency, agency_prov = report.agency_id, report.agency_province_code
    cross = agency is not None and agency_prov is not None and agency_prov != loc
    out = [all_scope(), province_scope(loc)]
    if cross:
        out.append(province_scope(agency_prov))
    if regency:
        out.append(regency_scope(regency))
        if cross:
            out.append(regency_by_agency_province_scope(regency, agency_prov))
    if agency:
        out.append(agency_scope(agency))
        if cross:
            out.append(agency_in_province_scope(agency, loc))
        if regency:
            out.append(agency_in_regency_scope(agency, regency))
    if report.unit_id:
        out.append(unit_scope(report.unit_id))
    return out


def has_public_metrics(scope: str) -> bool:
    """Public statistics ask for the nation or a province only."""
    return scope == all_scope() or (scope.startswith("prov#") and "|" not in scope)


# ---- keys and periods ----------------------------------------------------------------------------
def period_of(moment: dt.datetime) -> str:
    """A report counts in the month (WIB) it was received."""
    return to_wib_date(moment).strftime("%Y-%m")


def counter_key(dimension: str, period: str, value: str = "") -> str:
    return f"{dimension}#{period}#{value}"


def parse_counter_key(key: str) -> tuple[str, str, str]:
    dimension, period, value = key.split("#", 2)
    return dimension, period, value


def key_range(dimension: str, first_period: str, last_period: str) -> tuple[str, str]:
    """Inclusive bounds covering every value of a dimension over whole months ('$' > '#')."""
    return f"{dimension}#{first_period}#", f"{dimension}#{last_period}$"


def months(first: str, last: str) -> list[str]:
    y, m = map(int, first.split("-"))
    end = tuple(map(int, last.split("-")))
    out = []
    while (y, m) <= end:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


# ---- what one report adds ------------------------------------------------------------------------
def _bucket(prefix: str, days: int) -> str:
    return f"{prefix}_d{days}" if days <= HIST_CAP else f"{prefix}_dover"


def working_days_taken(report: Report, calendar: WorkingCalendar) -> dict[str, int | None]:
    """Working days from receipt to first response ("fr") and to completion ("cp"), dates in
    WIB; None while that has not happened."""
    ends = {"fr": report.first_response_at,
            "cp": report.completed_at if report.status == Status.COMPLETED else None}
    start = to_wib_date(report.received_at)
    return {prefix: calendar.working_days_between(start, to_wib_date(end)) if end else None
            for prefix, end in ends.items()}


def metrics_of(report: Report, calendar: WorkingCalendar) -> Metrics:
    """The report's numbers as it stands now (only the non-zero ones)."""
    m: Metrics = {"received": 1}
    if report.status == Status.COMPLETED:
        m["completed"] = 1
    if report.status == Status.ARCHIVED:
        m["archived"] = 1
    if report.overdue and report.status not in CLOSED:
        m["overdue"] = 1
    if report.ombudsman_referred:
        m["referred"] = 1
    if report.rating is not None:
        m["rating_count"], m["rating_sum"] = 1, int(report.rating)
    m["supporters"] = report.supporter_count  # issue 14: people supporting the period's reports
    for prefix, days in working_days_taken(report, calendar).items():
        if days is not None:
            m[f"{prefix}_count"], m[f"{prefix}_sum"], m[_bucket(prefix, days)] = 1, days, 1
    for stage in SLA_STAGES:
        done, due = report.stage_done.get(stage), report.deadlines.get(stage)
        if done and due:
            m[f"sla_{stage}_done"] = 1
            if to_wib_date(dt.datetime.fromisoformat(done)) <= dt.date.fromisoformat(due):
                m[f"sla_{stage}_on_time"] = 1
    return {k: v for k, v in m.items() if v}


def dimension_values(report: Report) -> dict[str, str]:
    return {
        "agency": report.agency_id or NONE_VALUE,
        "unit": report.unit_id or NONE_VALUE,
        "category": report.category_id or NONE_VALUE,
        "channel": report.channel,
        "kind": report.kind,
        TOTAL: "",
    }


def contributions(report: Report | None, calendar: WorkingCalendar) -> dict[CounterKey, Metrics]:
    """Counter item -> numbers this report adds to it. Empty for no report (a creation's `before`)."""
    if report is None:
        return {}
    metrics = metrics_of(report, calendar)
    hidden = metrics if report.is_public else {**metrics, **{NON_PUBLIC_PREFIX + k: v for k, v in metrics.items()}}
    def numbers(scope: str, dim: str) -> Metrics:
        m = hidden if has_public_metrics(scope) else metrics
        return m if dim == TOTAL else {k: v for k, v in m.items() if k not in HISTOGRAM_METRICS}

    period = period_of(report.received_at)
    values = dimension_values(report)
    return {
        (scope, counter_key(dim, period, values[dim])): numbers(scope, dim)
        for scope in scopes_of(report)
        for dim in dimensions_of(scope)
    }


def subtract(after: Mapping[CounterKey, Metrics], before: Mapping[CounterKey, Metrics]) -> dict[CounterKey, Metrics]:
    """Per item, per metric: after - before, keeping only what changed. Each item appears once,
    as a transaction may touch an item only once."""
    out: dict[CounterKey, Metrics] = {}
    for key in after.keys() | before.keys():
        a, b = after.get(key, {}), before.get(key, {})
        diff = {name: a.get(name, 0) - b.get(name, 0) for name in a.keys() | b.keys()}
        diff = {k: v for k, v in diff.items() if v}
        if diff:
            out[key] = diff
    return out


def delta(before: Report | None, after: Report, calendar: WorkingCalendar) -> dict[CounterKey, Metrics]:
    return subtract(contributions(after, calendar), contributions(before, calendar))


def accumulate(reports: Iterable[Report], calendar: WorkingCalendar) -> dict[CounterKey, Metrics]:
    """What the counters should hold for these reports: the rebuild's definition."""
    totals: dict[CounterKey, Metrics] = defaultdict(dict)
    for report in reports:
        for key, metrics in contributions(report, calendar).items():
            item = totals[key]
            for name, value in metrics.items():
                item[name] = item.get(name, 0) + value
    return dict(totals)


# ---- reading counters back -----------------------------------------------------------------------
def add_into(target: Metrics, source: Mapping[str, int]) -> Metrics:
    for name, value in source.items():
        if value:
            target[name] = target.get(name, 0) + int(value)
    return target


def public_part(m: Mapping[str, int]) -> Metrics:
    """What the public may see of an item: everything minus the non-public reports."""
    return {k: v - m.get(NON_PUBLIC_PREFIX + k, 0) for k, v in staff_part(m).items()}


def staff_part(m: Mapping[str, int]) -> Metrics:
    return {k: v for k, v in m.items() if not k.startswith(NON_PUBLIC_PREFIX)}


def _rate(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 2) if whole else None


def median_from_histogram(buckets: list[int], over: int) -> tuple[float | None, bool]:
    """(median, above_cap). Exact while the middle value(s) fall within 0..HIST_CAP."""
    n = sum(buckets) + over
    if n == 0:
        return None, False

    def nth(k: int) -> int | None:  # 0-based k-th smallest value; None when above the cap
        seen = 0
        for day, count in enumerate(buckets):
            seen += count
            if k < seen:
                return day
        return None

    lo, hi = nth((n - 1) // 2), nth(n // 2)
    if lo is None or hi is None:
        return None, True
    middle = (lo + hi) / 2
    return (int(middle) if middle == int(middle) else middle), False


def _timing(m: Mapping[str, int], prefix: str, medians: bool) -> dict:
    count = m.get(f"{prefix}_count", 0)
    buckets = [m.get(f"{prefix}_d{i}", 0) for i in range(HIST_CAP + 1)]
    median, above = median_from_histogram(buckets, m.get(f"{prefix}_dover", 0)) if medians else (None, False)
    return {
        "count": count,
        "mean_working_days": round(m.get(f"{prefix}_sum", 0) / count, 2) if count else None,
        "median_working_days": median,
        "median_above_cap": above,
    }


def figures(m: Mapping[str, int], medians: bool = True) -> dict:
    """The published figures of one slice, from its summed counters. `medians=False` for group
    rows, whose items keep no histogram (their median is null, never a wrong number)."""
    received, completed, archived = m.get("received", 0), m.get("completed", 0), m.get("archived", 0)
    sla = {}
    for stage in SLA_STAGES:
        done, on_time = m.get(f"sla_{stage}_done", 0), m.get(f"sla_{stage}_on_time", 0)
        sla[stage] = {"finished": done, "on_time": on_time, "rate": _rate(on_time, done)}
    all_done = sum(s["finished"] for s in sla.values())
    all_on_time = sum(s["on_time"] for s in sla.values())
    sla["all_stages"] = {"finished": all_done, "on_time": all_on_time, "rate": _rate(all_on_time, all_done)}
    rating_count = m.get("rating_count", 0)
    return {
        "received": received,
        "completed": completed,
        "completion_rate": _rate(completed, received),
        "archived": archived,
        "open": received - completed - archived,
        "overdue": m.get("overdue", 0),
        "first_response": _timing(m, "fr", medians),
        "completion_time": _timing(m, "cp", medians),
        "sla_compliance": sla,
        "ombudsman_referrals": m.get("referred", 0),
        "supporters": m.get("supporters", 0),
        "rating": {"count": rating_count,
                   "average": round(m.get("rating_sum", 0) / rating_count, 2) if rating_count else None},
    }


def rank(groups: Mapping[str, Mapping[str, int]], min_reports: int) -> dict[str, int | None]:
    """Completion rate first, then SLA compliance, then volume; equal figures share a rank.
    Groups with fewer than `min_reports` received are not ranked at all."""
    def score(m: Mapping[str, int]) -> tuple:
        f = figures(m)
        return (f["completion_rate"] or 0.0, f["sla_compliance"]["all_stages"]["rate"] or 0.0, f["received"])

    eligible = sorted((v for v, m in groups.items() if m.get("received", 0) >= min_reports),
                      key=lambda v: score(groups[v]), reverse=True)
    ranks: dict[str, int | None] = {v: None for v in groups}
    previous, position = None, 0
    for i, value in enumerate(eligible, start=1):
        s = score(groups[value])
        if s != previous:
            position, previous = i, s
        ranks[value] = position
    return ranks
