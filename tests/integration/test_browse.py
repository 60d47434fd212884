"""GET /reports: public, non-confidential reports only, newest first or most supported, filtered
and paged, each page one Query of a sparse public index, never a reporter's identity."""
from __future__ import annotations

import pytest

from chalicelib.domain.calendar import to_wib_date
from chalicelib.domain.lifecycle import Status
from tests.integration.browse_support import put, public_report
from tests.integration.proof_support import api, assert_error_body, report_at, world  # noqa: F401 (fixtures)


def _ids(body) -> list[str]:
    return [item["tracking_id"] for item in body["items"]]


def _walk(api, query: str, limit: int) -> tuple[list[str], int]:
    ids, cursor, pages = [], None, 0
    while True:
        sep = "&" if query else ""
        status, body = api.get(f"/reports?{query}{sep}limit={limit}" + (f"&cursor={cursor}" if cursor else ""))
        assert status == 200, body
        ids += _ids(body)
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return ids, pages
        assert pages < 200


def test_only_published_non_confidential_reports_are_listed_newest_first(api):
    shown = put(public_report(minutes_ago=30), public_report(minutes_ago=10), public_report(minutes_ago=20))
    put(public_report(minutes_ago=5, published=False), public_report(minutes_ago=6, confidential=True))
    status, body = api.get("/reports")
    assert status == 200, body
    newest_first = [r.tracking_id for r in sorted(shown, key=lambda r: r.received_at, reverse=True)]
    assert _ids(body) == newest_first
    assert body["next_cursor"] is None


def test_a_report_walked_by_the_use_cases_appears_once_dispatched_and_not_before(api):
    submitted, _ = report_at("medan", "submitted")
    dispatched, _ = report_at("medan", "dispatched")
    ids = _ids(api.get("/reports")[1])
    assert dispatched in ids and submitted not in ids


def test_a_row_carries_what_the_tracking_page_shows_and_never_the_reporter(api):
    put(public_report(anonymous=False, lat=3.59, lon=98.67, supporters=3))
    item = api.get("/reports")[1]["items"][0]
    assert item["regency_name"] and item["status_label"]["id"] and item["lat"] == 3.59 and item["supporter_count"] == 3
    text = str(item)
    assert "Rina" not in text and "rina@example.com" not in text and "6001234" not in text
    assert "reporter" not in item and "access_code_hash" not in item


@pytest.mark.parametrize("query, keep", [
    ("regency_code=21.71", lambda r: r.location.regency_code == "21.71"),
    ("province_code=12", lambda r: r.location.province_code == "12"),
    ("category_id=street-lighting", lambda r: r.category_id == "street-lighting"),
    ("agency_id=pemkot-batam", lambda r: r.agency_id == "pemkot-batam"),
    ("status=completed", lambda r: r.status == Status.COMPLETED),
    ("kind=aspiration", lambda r: r.kind == "aspiration"),
    ("regency_code=12.71&category_id=street-lighting&status=dispatched",
     lambda r: (r.location.regency_code, r.category_id, r.status) == ("12.71", "street-lighting", Status.DISPATCHED)),
    ("province_code=21&regency_code=12.71", lambda r: False),
    ("received_from=2024-12-19&received_to=2024-12-19", lambda r: to_wib_date(r.received_at).isoformat() == "2024-12-19"),
    ("sort=supported&regency_code=12.71", lambda r: r.location.regency_code == "12.71"),
])
def test_each_filter_keeps_exactly_the_matching_reports_across_pages(api, query, keep):
    reports = []
    for i in range(14):
        medan = i % 2 == 0
        reports.append(public_report(
            minutes_ago=i * 60 * 5, province="12" if medan else "21", regency="12.71" if medan else "21.71",
            agency="pemkot-medan" if medan else "pemkot-batam",
            category="street-lighting" if i % 3 == 0 else "illegal-parking",
            status=Status.COMPLETED if i % 4 == 0 else Status.DISPATCHED,
            kind="aspiration" if i % 5 == 0 else "complaint", supporters=i % 3))
    put(*reports)
    ids, _ = _walk(api, query, 3)
    order = (sorted(reports, key=lambda r: r.supporter_count, reverse=True) if "supported" in query
             else sorted(reports, key=lambda r: r.received_at, reverse=True))
    expected = [r.tracking_id for r in order if keep(r)]
    if "supported" in query:
        assert sorted(ids) == sorted(expected)
        counts = {r.tracking_id: r.supporter_count for r in reports}
        assert [counts[i] for i in ids] == sorted((counts[i] for i in ids), reverse=True)
    else:
        assert ids == expected


def test_most_supported_first_pages_through_ties_without_repeating_or_skipping(api):
    reports = put(*(public_report(minutes_ago=i, supporters=[5, 1, 1, 1, 0, 9, 1][i]) for i in range(7)))
    ids, pages = _walk(api, "sort=supported", 2)
    assert sorted(ids) == sorted(r.tracking_id for r in reports) and len(ids) == 7
    counts = {r.tracking_id: r.supporter_count for r in reports}
    assert [counts[i] for i in ids] == [9, 5, 1, 1, 1, 1, 0]


def test_a_cursor_of_the_other_order_is_422_and_a_bad_parameter_400(api):
    put(public_report(minutes_ago=1), public_report(minutes_ago=2))
    cursor = api.get("/reports?limit=1")[1]["next_cursor"]
    status, body = api.get(f"/reports?sort=supported&cursor={cursor}")
    assert status == 422  # a position, but in the other order
    assert_error_body(body, code="unprocessable")
    status, body = api.get("/reports?received_from=2024-12-20&received_to=2024-12-19")
    assert status == 422
    for bad in ("status=nope", "limit=0", "limit=101", "regency_code=1271", "received_from=2024-13-01",
                "color=red", "cursor=xyz", "sort=oldest"):
        status, body = api.get(f"/reports?{bad}")
        assert status == 400, (bad, body)
        assert_error_body(body)


def test_a_filtered_page_reads_a_bounded_number_of_reports_and_still_reaches_the_old_match(api):
    from chalicelib.adapters.browse import public_page
    from chalicelib.domain.browse import PAGE_READ, PublicQuery

    many = [public_report(minutes_ago=i + 1) for i in range(PAGE_READ + 30)]
    rare = public_report(minutes_ago=100_000, category="street-lighting")
    put(*many, rare)
    page = public_page(PublicQuery(category_id="street-lighting"), 20, None)
    assert page.items == [] and page.next_cursor and page.read == PAGE_READ
    ids, pages = _walk(api, "category_id=street-lighting", 20)
    assert ids == [rare.tracking_id] and pages == 2


def test_a_browser_asking_for_html_gets_the_list_page_and_an_api_client_json(api):
    http = api.client.http
    page = http.get("/reports", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "Accept" in page.headers["Vary"] and "Content-Security-Policy" in page.headers
    for accept in ("*/*", "application/json", "application/json, text/html;q=0.5", None):
        answer = http.get("/reports", headers={"Accept": accept} if accept else {})
        assert answer.headers["Content-Type"].startswith("application/json"), accept


def test_the_list_page_has_a_map_only_with_a_tile_server_and_its_csp_allows_only_that_origin(api, monkeypatch):
    import dataclasses

    from chalicelib import config

    http = api.client.http
    page = http.get("/reports", headers={"Accept": "text/html"})
    assert 'name="lapor-map-tiles" content=""' in page.body.decode()
    assert "img-src 'self' data:;" in page.headers["Content-Security-Policy"]
    tiles = dataclasses.replace(config.settings(), map_tile_url="https://{s}.tile.example.org/{z}/{x}/{y}.png",
                                map_tile_attribution='© "Peta" <OSM>')
    monkeypatch.setattr(config, "settings", lambda: tiles)
    page = http.get("/reports", headers={"Accept": "text/html"})
    body = page.body.decode()
    assert 'content="https://{s}.tile.example.org/{z}/{x}/{y}.png"' in body
    assert 'content="© &quot;Peta&quot; &lt;OSM&gt;"' in body
    assert "img-src 'self' data: https://*.tile.example.org;" in page.headers["Content-Security-Policy"]


# ---- the Atom feed ----------------------------------------------------------------------------------------
ATOM = "{http://www.w3.org/2005/Atom}"


def _feed(api, query: str = ""):
    from xml.etree import ElementTree as ET

    response = api.client.http.get(f"/reports/feed.xml{query}")
    assert response.status_code == 200, response.body
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    return ET.fromstring(response.body), response.body.decode()


def test_the_feed_of_a_regency_and_category_is_valid_atom_with_its_newest_public_reports(api):
    wanted = put(public_report(minutes_ago=5, category="street-lighting"), public_report(minutes_ago=1, category="street-lighting"))
    put(public_report(minutes_ago=2), public_report(minutes_ago=3, regency="21.71", province="21", category="street-lighting"),
        public_report(minutes_ago=0, category="street-lighting", confidential=True))
    feed, _ = _feed(api, "?regency_code=12.71&category_id=street-lighting")
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}title") == "LAPOR! — laporan terbaru: Kota Medan · Penerangan jalan umum"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}id").rsplit("=", 1)[1] for e in entries] == [wanted[1].tracking_id, wanted[0].tracking_id]
    link = entries[0].find(f"{ATOM}link").get("href")
    assert link.startswith("http") and link.endswith(f"/track?id={wanted[1].tracking_id}")
    assert feed.find(f"{ATOM}link[@rel='self']").get("href").endswith(
        "/reports/feed.xml?category_id=street-lighting&regency_code=12.71")
    for entry in entries:  # RFC 4287: every entry has id, title, updated
        assert entry.findtext(f"{ATOM}title") and entry.findtext(f"{ATOM}updated") and entry.findtext(f"{ATOM}id")


def test_markup_and_control_characters_in_a_report_reach_the_feed_as_escaped_text(api):
    put(public_report(title='Jalan <b>rusak</b> & "berlubang"\x07', description="<script>alert(1)</script>\x0b ok"))
    feed, text = _feed(api)
    entry = feed.find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == 'Jalan <b>rusak</b> & "berlubang"'
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "Rina" not in text and "rina@example.com" not in text


def test_the_feed_refuses_list_only_and_bad_parameters_with_400(api):
    for bad in ("sort=supported", "cursor=x", "limit=5", "regency_code=x", "kind=nope"):
        response = api.client.http.get(f"/reports/feed.xml?{bad}")
        assert response.status_code == 400, bad
        assert_error_body(response.body)


# ---- duplicate suggestions while filing ---------------------------------------------------------------------
LAMP = dict(category="street-lighting", title="Lampu jalan mati di Jl. Gatot Subroto",
            description="Sudah seminggu lampu penerangan jalan di depan Indomaret padam, gelap sekali malam hari.")
ASK = "/reports/similar?regency_code=12.71&category_id=street-lighting&text=PJU+padam+Jln+Gatot+Subroto+dekat+Indomaret"


def test_similar_open_published_reports_of_the_regency_and_category_of_the_last_90_days(api):
    same = put(public_report(minutes_ago=10, **LAMP), public_report(minutes_ago=60 * 24 * 80, **LAMP))[0:2]
    other_problem = put(public_report(minutes_ago=5, category="street-lighting", title="Tiang listrik miring",
                                      description="Tiang listrik di Jl. Sei Batang Hari hampir roboh menimpa rumah warga."))
    never = put(public_report(minutes_ago=3, status=Status.COMPLETED, **LAMP),
                public_report(minutes_ago=60 * 24 * 91, **LAMP),
                public_report(minutes_ago=4, published=False, **LAMP),
                public_report(minutes_ago=6, confidential=True, **LAMP),
                public_report(minutes_ago=7, regency="12.75", **LAMP),
                public_report(minutes_ago=8, **{**LAMP, "category": "roads"}))
    status, body = api.get(ASK)
    assert status == 200, body
    ids = [i["tracking_id"] for i in body["items"]]
    assert set(ids) == {r.tracking_id for r in same}
    assert other_problem[0].tracking_id not in ids and not {r.tracking_id for r in never} & set(ids)
    assert all(0 < i["similarity"] <= 2 and i["open"] for i in body["items"])
    assert "reporter" not in str(body) and "rina@example.com" not in str(body)


def test_a_similar_report_close_by_comes_first_and_says_how_far(api):
    far, near = put(public_report(minutes_ago=1, lat=3.70, lon=98.69, **LAMP),
                    public_report(minutes_ago=2, lat=3.5952, lon=98.6722, **LAMP))
    status, body = api.get(ASK + "&lat=3.5953&lon=98.6723&agency_id=pemkot-medan")
    assert status == 200, body
    assert [i["tracking_id"] for i in body["items"]][0] == near.tracking_id
    assert body["items"][0]["distance_m"] < 50


def test_similar_reads_a_bounded_candidate_set_whatever_the_region_holds(api):
    from chalicelib.adapters.browse import open_topic_candidates
    from chalicelib.services.browse import SIMILAR_CANDIDATES

    put(*(public_report(minutes_ago=i, **LAMP) for i in range(SIMILAR_CANDIDATES + 40)))
    found, read = open_topic_candidates("12.71", "street-lighting", "2024-09-01", SIMILAR_CANDIDATES)
    assert read == len(found) == SIMILAR_CANDIDATES
    status, body = api.get(ASK)
    assert status == 200 and len(body["items"]) == 5


@pytest.mark.parametrize("query", [
    "category_id=street-lighting&text=lampu+mati",              # no regency
    "regency_code=12.71&text=lampu+mati",                       # no category
    "regency_code=12.71&category_id=street-lighting",           # no text
    "regency_code=12.71&category_id=street-lighting&text=ab",   # too short
    "regency_code=12.71&category_id=street-lighting&text=lampu&lat=80&lon=98.6",   # outside Indonesia
    "regency_code=12.71&category_id=street-lighting&text=lampu&lat=nan&lon=98.6",
    "regency_code=12.71&category_id=street-lighting&text=lampu&page=2",
])
def test_similar_refuses_what_it_cannot_answer_with_400(api, query):
    status, body = api.get(f"/reports/similar?{query}")
    assert status == 400, body
    assert_error_body(body, code="invalid_input")


def test_similar_with_one_coordinate_only_is_422(api):
    status, body = api.get("/reports/similar?regency_code=12.71&category_id=street-lighting&text=lampu&lat=3.5")
    assert status == 422
    assert_error_body(body, code="unprocessable")


def test_the_backfill_puts_reports_written_before_the_indexes_into_them_without_a_new_version(api):
    from chalicelib.adapters.store import ReportModel
    from devtools.backfill_browse import ATTRIBUTES, backfill

    old = put(public_report(minutes_ago=1, **LAMP))[0]
    put(public_report(minutes_ago=2, published=False))
    stored = ReportModel.get(old.tracking_id)
    stored.update(actions=[getattr(ReportModel, a).remove() for a in ATTRIBUTES])  # as before issue 14
    version = ReportModel.get(old.tracking_id).version
    for path in ("/reports?regency_code=12.71", "/reports?province_code=12", "/reports?sort=supported", ASK):
        assert api.get(path)[1]["items"] == [], path
    assert len(api.get("/reports")[1]["items"]) == 1  # the country's newest: keys it always had

    assert backfill() == (1, 0)
    assert [i["tracking_id"] for i in api.get("/reports?regency_code=12.71")[1]["items"]] == [old.tracking_id]
    assert [i["tracking_id"] for i in api.get("/reports?sort=supported")[1]["items"]] == [old.tracking_id]
    assert [i["tracking_id"] for i in api.get(ASK)[1]["items"]] == [old.tracking_id]
    assert ReportModel.get(old.tracking_id).version == version  # an officer's loaded copy stays current
    assert backfill() == (1, 0)  # again: the same values, nothing new
