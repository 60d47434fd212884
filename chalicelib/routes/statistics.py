"""Statistics and exports: GET /staff/statistics, /staff/statistics/export, /staff/reports/export
and the public GET /statistics. Parse, call a use case, map the answer."""
from __future__ import annotations

import calendar as _months
import re

from chalice import Blueprint, Response

from .. import wiring
from ..adapters import regions
from ..domain.calendar import to_wib_date
from ..domain.errors import InvalidInput, Unprocessable
from ..http import Query, guarded, json_response, staff_only
from ..lazy import lazy_import
from ..media import XLSX_TYPE
from ..services import admin
from .reports import LIST_PARAMS, cursor_in, list_filters

counters = lazy_import("chalicelib.adapters.counters")
exports = lazy_import("chalicelib.services.exports")
statistics = lazy_import("chalicelib.services.statistics")
stats = lazy_import("chalicelib.domain.statistics")

MONTH = r"^[1-9]\d{3}-(0[1-9]|1[0-2])$"
_MONTH = re.compile(MONTH, re.ASCII)
STATS_PARAMS = {"province_code", "regency_code", "agency_id", "from", "to", "group_by"}
PUBLIC_CACHE = "public, max-age=300"


class _Blueprint(Blueprint):
    """Registers the XLSX media type as binary, so API Gateway passes the workbook through."""

    def register(self, app, options):
        super().register(app, options)
        if XLSX_TYPE not in app.api.binary_types:
            app.api.binary_types.append(XLSX_TYPE)


bp = _Blueprint(__name__)
staff = staff_only(bp)


def _month(q: Query, name: str, last: bool) -> str | None:
    """YYYY-MM (MONTH), or a date on a month's edge (first day for `from`, last day for `to`):
    statistics are kept per month. A date the document allows that is not on the edge is 422."""
    value = q.str(name, max_len=10)
    if value is None or _MONTH.fullmatch(value):
        return value
    day = q.date(name)
    edge = _months.monthrange(day.year, day.month)[1] if last else 1
    month = day.strftime("%Y-%m")
    if day.day != edge or not _MONTH.fullmatch(month):
        raise Unprocessable("Periode tidak valid", "Invalid period",
                            {name: "YYYY-MM (statistik per bulan / statistics are monthly)"})
    return month


def _statistics_filters(q: Query) -> statistics.StatisticsFilters:
    return statistics.StatisticsFilters(
        province_code=q.region("province_code"), regency_code=q.region("regency_code"),
        agency_id=q.str("agency_id"), first_period=_month(q, "from", last=False),
        last_period=_month(q, "to", last=True), group_by=q.str("group_by", stats.GROUP_BYS),
    )


def _staff_statistics(who, extra: set[str] = frozenset()) -> tuple[dict, Query]:
    q = Query(bp.current_request.query_params, STATS_PARAMS | extra)
    answer = statistics.staff_statistics(counters.DynamoCounters(), wiring.directory(), who, _statistics_filters(q),
                                         wiring.now())
    return answer, q


def _format(q: Query) -> str:
    """CSV by default. A workbook is binary: API Gateway sends it as bytes only to a client whose
    Accept header names its type (or */*), and as base64 text to any other, so ask for that."""
    fmt = q.str("format", exports.FORMATS) or "csv"
    accept = (bp.current_request.headers or {}).get("accept", "")
    if fmt == "xlsx" and XLSX_TYPE not in accept and "*/*" not in accept:
        raise InvalidInput("Unduhan Excel memerlukan header Accept", "An Excel download needs an Accept header",
                           {"accept": f"{XLSX_TYPE} (atau / or */*)"})
    return fmt


def _download(export: exports.Export) -> Response:
    headers = {"Content-Type": export.content_type, "Cache-Control": "no-store",
               "Content-Disposition": f'attachment; filename="{export.filename}"',
               "X-Export-Rows": str(export.rows)}
    if export.next_cursor:
        headers["X-Next-Cursor"] = export.next_cursor
    return Response(body=export.body, status_code=200, headers=headers)


@bp.route("/staff/statistics", methods=["GET"])
@staff
def staff_statistics(who):
    return _staff_statistics(who)[0]


@bp.route("/staff/statistics/export", methods=["GET"])
@staff
def export_statistics(who):
    answer, q = _staff_statistics(who, {"format"})
    return _download(exports.export_statistics(answer, _format(q)))


@bp.route("/staff/reports/export", methods=["GET"])
@staff
def export_reports(who):
    q = Query(bp.current_request.query_params, LIST_PARAMS | {"format"})
    fmt = _format(q)
    limit = q.int("limit", exports.EXPORT_MAX_ROWS, 1, exports.EXPORT_MAX_ROWS)
    return _download(exports.export_reports(wiring.deps(), who, list_filters(q), fmt, limit,
                                            cursor_in(q), wiring.now()))


@bp.route("/statistics", methods=["GET"])
@guarded
def public_statistics():
    q = Query(bp.current_request.query_params, {"province_code", "year", "group_by"})
    province = q.region("province_code")
    if province is not None and regions.province_name(province) is None:
        raise InvalidInput("Provinsi tidak dikenal", "Unknown province", {"province_code": "tidak dikenal / unknown"})
    now = wiring.now()
    year = q.int("year", to_wib_date(now).year, admin.MIN_YEAR, admin.MAX_YEAR)
    answer = statistics.public_statistics(counters.DynamoCounters(), wiring.directory(), province, year,
                                          q.str("group_by", stats.GROUP_BYS), now)
    return json_response(answer, headers={"Cache-Control": PUBLIC_CACHE})

