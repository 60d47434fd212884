"""CSV and Excel exports: one row per report (the columns a monthly report needs), or one row
per statistics group. Never a reporter's identity, nor free text (title, description, messages)
that may carry it.

Size: a Lambda answers at most 6 MB synchronously (API Gateway: 10 MB, 29 s), so a report export
is paged: each response holds at most EXPORT_MAX_ROWS rows (~3 MB of CSV) and, when more remain,
an opaque cursor for the next page. 50,000 rows are five requests.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from ..domain import statistics as stats
from ..domain.calendar import WIB, WorkingCalendar
from ..domain.lifecycle import STATUS_LABELS
from ..domain.report import Report
from ..domain.roles import Principal
from ..media import XLSX_TYPE
from .calendar import current_calendar
from .reports import Deps, ListFilters, list_query

EXPORT_MAX_ROWS = 10_000
_CHUNK = 2_500  # reports read per store call while filling a page
from ..media import XLSX_TYPE  # noqa: E402 (shared with the routes that serve it)
CSV_TYPE = "text/csv; charset=utf-8"
FORMATS = ("csv", "xlsx")

DEADLINE_STAGES = ("verification", "agency_review", "first_response", "completion")
REPORT_COLUMNS: tuple[str, ...] = (
    "tracking_id", "received_at_wib", "received_month", "channel", "kind", "category_id", "category",
    "province_code", "regency_code", "agency_id", "agency", "unit_id", "unit", "status", "status_label",
    *(f"deadline_{s}" for s in DEADLINE_STAGES), "overdue", "first_response_working_days",
    "completion_working_days", "rating", "ombudsman_referred",
)


@dataclass(frozen=True)
class Export:
    body: bytes | str
    content_type: str
    filename: str
    next_cursor: str | None = None
    rows: int = 0


# ---- writers -----------------------------------------------------------------------------------------
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _looks_like_formula(text: str) -> bool:
    """A lone trigger ("-", the exports' own "none") computes nothing and stays as it is."""
    return len(text) > 1 and text.startswith(FORMULA_TRIGGERS)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _text(value: Any) -> str:
    """Every value the export did not compute as a number, a flag or a moment, as plain text."""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _csv_cell(value: Any) -> Any:
    """Numbers stay numbers; any text a spreadsheet would run is prefixed with a quote (OWASP)."""
    if _is_number(value):
        return value
    text = _text(value)
    return "'" + text if _looks_like_formula(text) else text


def write_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_csv_cell(v) for v in header])
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    return out.getvalue()


def _xlsx_cells(sheet, values: Sequence[Any]) -> list[Any]:
    """Numbers, flags and moments typed; everything else a string cell that can never be a formula
    (openpyxl makes any str starting with '=' a live formula), quote-prefixed when it looks like one
    so it stays text when someone edits it in Excel."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cells: list[Any] = []
    for value in values:
        if _is_number(value) or isinstance(value, (bool, dt.date)) or value is None:
            cells.append(value.replace(tzinfo=None) if isinstance(value, dt.datetime) else value)
            continue
        text = ILLEGAL_CHARACTERS_RE.sub("", _text(value))  # XML cannot carry them: dropped, not a 500
        cell = WriteOnlyCell(sheet, text)
        cell.data_type = "s"
        if _looks_like_formula(text):
            cell.quotePrefix = True
        cells.append(cell)
    return cells


def write_xlsx(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """openpyxl in write_only mode: rows stream into the file, memory stays flat."""
    from openpyxl import Workbook  # only export requests pay for the import

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append(_xlsx_cells(sheet, header))
    for row in rows:
        sheet.append(_xlsx_cells(sheet, row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def render(fmt: str, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> tuple[bytes | str, str]:
    if fmt == "xlsx":
        return write_xlsx(title, header, rows), XLSX_TYPE
    return write_csv(header, rows), CSV_TYPE


# ---- reports ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Names:
    agencies: dict[str, str]
    units: dict[str, str]
    categories: dict[str, str]

    @classmethod
    def load(cls, directory) -> "Names":
        agencies = directory.agencies()
        return cls({a.id: a.name for a in agencies}, {u.id: u.name for a in agencies for u in a.units},
                   {c["id"]: c["name"] for c in directory.categories()})


def report_row(report: Report, names: Names, calendar: WorkingCalendar, now: dt.datetime) -> list[Any]:
    taken = stats.working_days_taken(report, calendar)
    received = report.received_at.astimezone(WIB)
    return [
        report.tracking_id, received.replace(microsecond=0), received.strftime("%Y-%m"), report.channel,
        report.kind, report.category_id, names.categories.get(report.category_id or ""),
        report.location.province_code, report.location.regency_code, report.agency_id,
        names.agencies.get(report.agency_id or ""), report.unit_id, names.units.get(report.unit_id or ""),
        report.status.value, STATUS_LABELS[report.status][0],
        *(report.deadline(s) for s in DEADLINE_STAGES), report.is_overdue(now), taken["fr"], taken["cp"],
        report.rating, report.ombudsman_referred,
    ]


def _collect(deps: Deps, query, limit: int, cursor: str | None) -> tuple[list[Report], str | None]:
    """Up to `limit` reports, newest first, and the cursor of what remains (None: nothing)."""
    reports: list[Report] = []
    while len(reports) < limit:
        page = deps.reports.list(query, min(_CHUNK, limit - len(reports)), cursor)
        reports.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    return reports, cursor


def export_reports(deps: Deps, principal: Principal, filters: ListFilters, fmt: str, limit: int,
                   cursor: str | None, now: dt.datetime) -> Export:
    """One page of the export. Scope and filters are exactly those of GET /staff/reports."""
    query = list_query(principal, filters)
    reports, next_cursor = _collect(deps, query, limit, cursor) if query is not None else ([], None)
    names, calendar = Names.load(deps.directory), current_calendar(deps.settings)
    rows = (report_row(r, names, calendar, now) for r in reports)
    body, content_type = render(fmt, "Laporan", REPORT_COLUMNS, rows)
    stamp = now.astimezone(WIB).strftime("%Y%m%d-%H%M")
    return Export(body, content_type, f"laporan-{stamp}.{fmt}", next_cursor, len(reports))


# ---- statistics ---------------------------------------------------------------------------------------
STATISTICS_COLUMNS: tuple[str, ...] = (
    "group_by", "key", "label", "received", "completed", "completion_rate", "archived", "open", "overdue",
    "first_response_mean_working_days", "first_response_median_working_days",
    "completion_mean_working_days", "completion_median_working_days",
    *(f"sla_{s}_rate" for s in (*stats.SLA_STAGES, "all_stages")),
    "ombudsman_referrals", "supporters", "rating_average", "rank", "ranking_note",
)


def _median_cell(timing: dict) -> Any:
    return f">{stats.HIST_CAP}" if timing["median_above_cap"] else timing["median_working_days"]


def statistics_row(group_by: str, key: str, label: str, f: dict) -> list[Any]:
    note = f.get("ranking_note")
    return [
        group_by, key, label, f["received"], f["completed"], f["completion_rate"], f["archived"], f["open"],
        f["overdue"], f["first_response"]["mean_working_days"], _median_cell(f["first_response"]),
        f["completion_time"]["mean_working_days"], _median_cell(f["completion_time"]),
        *(f["sla_compliance"][s]["rate"] for s in (*stats.SLA_STAGES, "all_stages")),
        f["ombudsman_referrals"], f.get("supporters", 0), f["rating"]["average"], f.get("rank"),
        f"{note['id']} / {note['en']}" if note else None,
    ]


def export_statistics(answer: dict, fmt: str) -> Export:
    """The totals row first, then one row per group, as GET /staff/statistics answers them."""
    flt = answer["filters"]
    group_by = flt.get("group_by") or ""
    rows = [statistics_row("total", "", "Total", answer["totals"])]
    rows += [statistics_row(group_by, g["key"], g["label"], g) for g in answer.get("groups", [])]
    body, content_type = render(fmt, "Statistik", STATISTICS_COLUMNS, rows)
    name = f"statistik-{flt['from']}-{flt['to']}{'-' + group_by if group_by else ''}.{fmt}"
    return Export(body, content_type, name, None, len(rows))
