"""GET /staff/reports/export: one row per report, the list's own filters and scope, read back with
the csv module and openpyxl; paged with a cursor; never a reporter's identity."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.integration.statistics_support import (  # noqa: F401  (fixture)
    CENTRAL, DISHUB, KEPRI, MEDAN, SUMUT, XLSX, read_csv, read_xlsx, world,
)


def export(world, query: str = "", user: str = CENTRAL, fmt: str = "csv"):
    response = world.raw(f"/staff/reports/export?format={fmt}&{query}", user=user,
                         accept=XLSX if fmt == "xlsx" else None)
    assert response.status_code == 200, response.body
    return response, read_xlsx(response.body) if fmt == "xlsx" else read_csv(response.body)


def test_one_row_per_report_newest_first_as_the_list_orders_them(world):
    response, rows = export(world)
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="laporan-')
    assert response.headers["X-Export-Rows"] == "7" and "X-Next-Cursor" not in response.headers
    assert [r["tracking_id"] for r in rows] == [item["tracking_id"] for item in world.listed("")]
    assert set(world.ids.values()) == {r["tracking_id"] for r in rows}


def test_a_completed_report_row_has_what_a_monthly_report_needs(world):
    _, rows = export(world)
    row = next(r for r in rows if r["tracking_id"] == world.ids["medan_completed"])
    assert row["received_at_wib"] == "2024-12-20 10:00:00+07:00" and row["received_month"] == "2024-12"
    assert (row["channel"], row["kind"], row["category_id"], row["category"]) == (
        "api", "complaint", "roads", "Jalan dan trotoar")
    assert (row["agency"], row["unit"]) == ("Pemerintah Kota Medan", "Dinas Perhubungan")
    assert (row["status"], row["status_label"], row["overdue"]) == ("completed", "Selesai", "false")
    assert row["deadline_completion"] == "2025-01-14" and row["deadline_first_response"] == "2024-12-31"
    assert (row["first_response_working_days"], row["completion_working_days"], row["rating"]) == ("0", "0", "5")
    waiting = next(r for r in rows if r["tracking_id"] == world.ids["pasaman_waiting"])
    assert waiting["agency_id"] == waiting["first_response_working_days"] == waiting["deadline_completion"] == ""


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_never_carry_a_reporters_identity_or_free_text(world, fmt):
    response, rows = export(world, fmt=fmt)
    raw = response.body if isinstance(response.body, bytes) else response.body.encode()
    text = "\n".join(str(v) for row in rows for v in row.values())
    for secret in ("Siti", "siti@example.com", "+6281260001234", "0812-6000-1234", "Parkir liar",
                   "Juru parkir liar memungut"):
        assert secret not in text and secret.encode() not in raw
    assert not {"reporter", "name", "email", "phone", "title", "description"} & set(rows[0])


def test_xlsx_reads_back_with_typed_cells(world):
    response, rows = export(world, fmt="xlsx")
    assert response.headers["Content-Type"] == XLSX
    _, csv_rows = export(world)
    assert [r["tracking_id"] for r in rows] == [r["tracking_id"] for r in csv_rows]
    row = next(r for r in rows if r["tracking_id"] == world.ids["medan_completed"])
    assert row["received_at_wib"] == dt.datetime(2024, 12, 20, 10, 0)  # Excel has no time zones: WIB
    assert row["deadline_completion"] == dt.datetime(2025, 1, 14)
    assert (row["rating"], row["completion_working_days"], row["overdue"]) == (5, 0, False)


def test_xlsx_is_served_to_any_client_that_accepts_it(world):
    response = world.raw("/staff/reports/export?format=xlsx", user=CENTRAL, accept="*/*")
    assert response.status_code == 200 and response.body[:2] == b"PK"


@pytest.mark.parametrize("path", ["/staff/reports/export?format=xlsx", "/staff/statistics/export?format=xlsx"])
def test_xlsx_without_an_accept_header_is_refused_in_our_error_format(world, path):
    """API Gateway would hand such a client base64 text instead of a workbook."""
    status, body = world.get(path, user=CENTRAL)
    assert status == 400 and "accept" in body["error"]["fields"] and body["error"]["message_en"]


@pytest.mark.parametrize("query, expected", [
    ("status=completed", 1), ("status=submitted", 1), ("kind=information_request", 1),
    ("agency_id=pemkot-medan", 3), ("unit_id=pemkot-medan.dlh", 1), ("province_code=21", 2),
    ("regency_code=12.72", 1), ("category_id=roads", 1), ("channel=whatsapp", 1),
    ("received_from=2024-12-01", 6), ("received_to=2024-11-30", 1), ("overdue=false", 7), ("overdue=true", 0),
    ("province_code=12&agency_id=pemkot-batam", 1),
])
def test_every_list_filter_narrows_the_export_as_it_narrows_the_list(world, query, expected):
    _, rows = export(world, query)
    assert [r["tracking_id"] for r in rows] == [i["tracking_id"] for i in world.listed(query)]
    assert len(rows) == expected


@pytest.mark.parametrize("user, query, expected", [
    (SUMUT, "", 5), (SUMUT, "province_code=21", 0), (KEPRI, "", 2), (MEDAN, "", 3),
    (MEDAN, "agency_id=pemkot-batam", 0), (DISHUB, "", 1),
])
def test_an_export_keeps_the_callers_scope(world, user, query, expected):
    response, rows = export(world, query, user=user)
    assert len(rows) == expected
    assert response.body.splitlines()[0].startswith(b"tracking_id,")  # the header row, even when empty


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_large_export_is_paged_with_a_cursor(world, fmt):
    seen, cursor, pages = [], None, 0
    while True:
        response, rows = export(world, f"limit=3{'&cursor=' + cursor if cursor else ''}", fmt=fmt)
        seen += [r["tracking_id"] for r in rows]
        pages += 1
        cursor = response.headers.get("X-Next-Cursor")
        if not cursor:
            break
    assert pages == 3 and len(seen) == len(set(seen)) == 7
    assert seen == [i["tracking_id"] for i in world.listed("")]


@pytest.mark.parametrize("query, field", [
    ("format=pdf", "format"), ("format=csv&limit=0", "limit"), ("format=csv&limit=10001", "limit"),
    ("format=csv&cursor=not-a-cursor", "cursor"), ("format=csv&group_by=agency", "group_by"),
    ("format=csv&status=closed", "status"), ("format=csv&received_from=yesterday", "received_from"),
])
def test_bad_export_parameters_are_400_naming_the_parameter(world, query, field):
    status, body = world.get(f"/staff/reports/export?{query}", user=CENTRAL)
    assert status == 400 and field in body["error"]["fields"], body


def test_exports_need_a_staff_token(world):
    status, body = world.get("/staff/reports/export?format=csv")
    assert status == 401 and body["error"]["code"] == "unauthenticated"
