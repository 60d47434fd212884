"""Statistics use cases: a caller's filters become one counter scope, read with one Query per
dimension over the months asked for. Cost depends on months and distinct values, never on the
number of reports."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Iterable, Protocol

from ..domain import statistics as stats
from ..domain.calendar import WorkingCalendar, to_wib_date
from ..domain.errors import Forbidden, Unprocessable
from ..domain.report import Report
from ..domain.roles import Principal, Role

MAX_MONTHS = 120
NOT_ENOUGH_REPORTS = {"id": "Laporan belum cukup", "en": "Not enough reports"}
NONE_LABEL = "Belum ditentukan / Not yet set"


def ranking_min_reports() -> int:
    """Fair ranking: below this many reports received in the period an agency is not ranked."""
    from ..config import settings

    return settings().ranking_min_reports


class Counters(Protocol):
    items_read: int

    def read(self, scope: str, dimension: str, first_period: str, last_period: str) -> list[tuple[str, str, stats.Metrics]]: ...


class Directory(Protocol):
    def agency(self, agency_id: str) -> Any: ...
    def agencies(self) -> list: ...
    def categories(self) -> list[dict]: ...


@dataclass(frozen=True)
class StatisticsFilters:
    province_code: str | None = None
    regency_code: str | None = None
    agency_id: str | None = None
    first_period: str | None = None  # YYYY-MM, inclusive
    last_period: str | None = None
    group_by: str | None = None


@dataclass(frozen=True)
class Slice:
    """The one counter scope answering a query, and the dimensions it holds constant."""

    scope: str | None  # None: the filters cannot overlap the caller's scope (empty answer)
    fixed: dict[str, str] = field(default_factory=dict)
    public: bool = False  # published, non-confidential reports only

    def read(self, counters: Counters, dimension: str, first: str, last: str) -> list[tuple[str, str, stats.Metrics]]:
        if self.scope is None:
            return []
        part = stats.public_part if self.public else stats.staff_part
        return [(period, value, part(m)) for period, value, m in counters.read(self.scope, dimension, first, last)]


def _in_province(regency: str, province: str) -> bool:
    return regency.startswith(f"{province}.")


def _slice(province: str | None, regency: str | None, agency_id: str | None, directory: Directory) -> Slice:
    """Filters combine with AND, as in GET /staff/reports (a province is location OR agency)."""
    if agency_id:
        agency = directory.agency(agency_id)
        agency_province = agency.province_code if agency else None
        fixed = {"agency": agency_id}
        if regency:
            if province and not _in_province(regency, province) and agency_province != province:
                return Slice(None)
            return Slice(stats.agency_in_regency_scope(agency_id, regency), fixed)
        if province and agency_province != province:
            return Slice(stats.agency_in_province_scope(agency_id, province), fixed)
        return Slice(stats.agency_scope(agency_id), fixed)
    if regency:
        if province and not _in_province(regency, province):
            return Slice(stats.regency_by_agency_province_scope(regency, province))
        return Slice(stats.regency_scope(regency))
    if province:
        return Slice(stats.province_scope(province))
    return Slice(stats.all_scope())


def resolve(principal: Principal, f: StatisticsFilters, directory: Directory) -> Slice:
    """The caller's scope intersected with the filters. Filters that cannot overlap the scope
    give an empty answer, as GET /staff/reports gives an empty list."""
    role, province, agency_id = principal.role, f.province_code, f.agency_id
    if role == Role.CENTRAL_ADMIN:
        pass
    elif role == Role.PROVINCIAL_ADMIN:
        if province not in (None, principal.province_code):
            return Slice(None)
        province = principal.province_code
    elif role == Role.AGENCY_ADMIN:
        if agency_id not in (None, principal.agency_id):
            return Slice(None)
        agency_id = principal.agency_id
    elif role == Role.LIAISON_OFFICER:
        if agency_id not in (None, principal.agency_id):
            return Slice(None)
        if province or f.regency_code:
            raise Unprocessable(
                "Statistik unit tidak dapat dipersempit per wilayah",
                "A unit's statistics cannot be narrowed by region",
                {"province_code" if province else "regency_code": "tidak untuk unit / not for a unit"})
        return Slice(stats.unit_scope(principal.unit_id or ""),
                     {"agency": principal.agency_id or stats.NONE_VALUE, "unit": principal.unit_id or ""})
    else:
        raise Forbidden("Peran ini tidak dapat melihat statistik", "This role may not read statistics")
    return _slice(province, f.regency_code, agency_id, directory)


def period_bounds(first: str | None, last: str | None, now: dt.datetime) -> tuple[str, str]:
    """Whole months; by default January of the current year (WIB) up to the current month."""
    today = to_wib_date(now)
    first = first or f"{today.year:04d}-01"
    last = last or today.strftime("%Y-%m")
    if first > last:
        raise Unprocessable("Periode tidak valid", "Invalid period", {"from": "setelah 'to' / after 'to'"})
    if len(stats.months(first, last)) > MAX_MONTHS:
        raise Unprocessable("Periode terlalu panjang", "Period too long",
                            {"to": f"maksimal {MAX_MONTHS} bulan / at most {MAX_MONTHS} months"})
    return first, last


# ---- the answer ---------------------------------------------------------------------------------------
def _labels(dimension: str, directory: Directory) -> dict[str, str]:
    if dimension == "agency":
        return {a.id: a.name for a in directory.agencies()}
    if dimension == "unit":
        return {u.id: f"{u.name} ({a.name})" for a in directory.agencies() for u in a.units}
    if dimension == "category":
        return {c["id"]: f"{c['name']} / {c['name_en']}" if c.get("name_en") else c["name"]
                for c in directory.categories()}
    return {}


def _summed(rows: list[tuple[str, str, stats.Metrics]], by: str) -> dict[str, stats.Metrics]:
    out: dict[str, stats.Metrics] = {}
    for period, value, metrics in rows:
        stats.add_into(out.setdefault(period if by == "period" else value, {}), metrics)
    return out


def figures_for(counters: Counters, directory: Directory, where: Slice, first: str, last: str,
                group_by: str | None, min_reports: int) -> dict[str, Any]:
    """Totals of the slice (with exact medians) and, when asked, one row per group (agencies
    ranked fairly): one Query for the totals, one more for a grouped dimension."""
    totals_rows = where.read(counters, stats.TOTAL, first, last)
    totals: stats.Metrics = {}
    for _period, _value, metrics in totals_rows:
        stats.add_into(totals, metrics)
    answer: dict[str, Any] = {"totals": stats.figures(totals)}
    if group_by is None:
        return answer
    if group_by == "month":
        by_month = _summed(totals_rows, "period")
        answer["groups"] = [{"key": m, "label": m, **stats.figures(by_month.get(m, {}))}
                            for m in stats.months(first, last)]
        return answer
    stored = where.scope is not None and group_by in stats.dimensions_of(where.scope)
    if stored:
        groups = _summed(where.read(counters, group_by, first, last), "value")
    elif where.scope is not None:  # a dimension the scope holds constant: its single group is the total
        groups = {where.fixed[group_by]: totals}
    else:
        groups = {}
    groups = {k: v for k, v in groups.items() if v.get("received")}
    labels = _labels(group_by, directory)
    rows = [{"key": k, "label": NONE_LABEL if k == stats.NONE_VALUE else labels.get(k, k),
             **stats.figures(m, medians=not stored)} for k, m in groups.items()]
    if group_by == "agency":
        ranks = stats.rank(groups, min_reports)
        for row in rows:
            row["rank"] = ranks[row["key"]]
            row["ranking_note"] = None if row["rank"] is not None else NOT_ENOUGH_REPORTS
        rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, -r["received"], r["key"]))
        answer["ranking"] = {"min_reports": min_reports}
    else:
        rows.sort(key=lambda r: (-r["received"], r["key"]))
    answer["groups"] = rows
    return answer


def staff_statistics(counters: Counters, directory: Directory, principal: Principal, f: StatisticsFilters,
                     now: dt.datetime, min_reports: int | None = None) -> dict[str, Any]:
    where = resolve(principal, f, directory)
    first, last = period_bounds(f.first_period, f.last_period, now)
    body = figures_for(counters, directory, where, first, last, f.group_by,
                       ranking_min_reports() if min_reports is None else min_reports)
    return {
        "filters": {"province_code": f.province_code, "regency_code": f.regency_code, "agency_id": f.agency_id,
                    "from": first, "to": last, "group_by": f.group_by},
        **body,
        "items_read": counters.items_read,
    }


def public_statistics(counters: Counters, directory: Directory, province_code: str | None, year: int | None,
                      group_by: str | None, now: dt.datetime, min_reports: int | None = None) -> dict[str, Any]:
    """Published reports only (dispatched at least once, never confidential): the items' totals
    minus their "np_" (non-public) numbers."""
    year = year or to_wib_date(now).year
    first, last = f"{year:04d}-01", f"{year:04d}-12"
    base = stats.province_scope(province_code) if province_code else stats.all_scope()
    body = figures_for(counters, directory, Slice(base, public=True), first, last, group_by,
                       ranking_min_reports() if min_reports is None else min_reports)
    return {"filters": {"province_code": province_code, "year": year, "group_by": group_by}, **body}


# ---- rebuild --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RebuildResult:
    reports: int
    items_expected: int
    items_stored: int
    differences: dict[stats.CounterKey, stats.Metrics]

    def summary(self, repaired: bool, sample: int = 20) -> dict[str, Any]:
        return {
            "reports": self.reports, "items_expected": self.items_expected, "items_stored": self.items_stored,
            "items_differing": len(self.differences), "repaired": repaired and bool(self.differences),
            "sample": [{"scope": s, "key": k, "missing": d} for (s, k), d in sorted(self.differences.items())[:sample]],
        }


def compare_counters(reports: Iterable[Report], stored: dict[stats.CounterKey, stats.Metrics],
                     calendar: WorkingCalendar) -> RebuildResult:
    """What the counters should hold (recomputed from every report) minus what they hold:
    empty when incremental and rebuild agree. Adding the result repairs them."""
    counted = 0

    def counting() -> Iterable[Report]:
        nonlocal counted
        for report in reports:
            counted += 1
            yield report

    expected = stats.accumulate(counting(), calendar)
    return RebuildResult(counted, len(expected), len(stored), stats.subtract(expected, stored))
