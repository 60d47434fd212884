"""The public list page (/reports) in a real browser, against its own local stack whose map tiles
come from a tile server started here: a citizen filters the list, pages through it, sees the
reports with a location on the map, opens one; at phone and desktop size, in both languages,
without a serious accessibility violation or any CSP violation (the page fixture fails on one)."""
from __future__ import annotations

import http.server
import re
import threading

import pytest

from tests.e2e.conftest import Api
from tests.e2e.test_console import check_accessibility
from tests.e2e.test_web_browser import png_bytes


class _Tiles(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        _Tiles.hits.append(self.path)
        body = png_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def tile_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Tiles)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def stack(tile_server):
    """This module's own stack: the session's has no tile server configured."""
    from devtools.stack import local_stack

    with local_stack(log=lambda message: None, extra_env={
            "MAP_TILE_URL": tile_server + "/{z}/{x}/{y}.png", "MAP_TILE_ATTRIBUTION": "© Peta Uji <b>tebal</b>"}) as info:
        yield info


@pytest.fixture(scope="module")
def api(stack):
    return Api(stack)


@pytest.fixture(scope="module")
def published(api):
    """22 public reports of Medan (the newest two about street lighting, with a location), one
    still unverified, one confidential."""
    made = []
    for i in range(22):
        lighting = i >= 20
        location = {"province_code": "12", "regency_code": "12.71", "address": f"Jl. Gatot Subroto No. {i}"}
        if lighting:
            location.update(lat=3.59 + i / 1000, lon=98.67)
        created = api.submit(title=f"{'Lampu jalan padam' if lighting else 'Parkir liar'} nomor {i}",
                             category_id="street-lighting" if lighting else "illegal-parking", location=location)
        api.act(created["tracking_id"], "admin.medan", "assign", unit_id="pemkot-medan.dishub")
        made.append(created["tracking_id"])
    hidden = [api.submit(title="Belum diverifikasi")["tracking_id"]]
    confidential = api.submit(title="Laporan rahasia", confidential=True)["tracking_id"]
    api.act(confidential, "admin.medan", "assign", unit_id="pemkot-medan.dishub")
    return made, hidden + [confidential]


def _shown(page, n: int) -> None:
    """Waits until the list says it shows n reports (the page's CSP forbids wait_for_function's eval)."""
    page.locator("#results-status", has_text=re.compile(rf"^{n} laporan ditampilkan\.$")).wait_for()
    assert page.locator("#results li").count() == n


def test_a_citizen_filters_pages_and_opens_a_report_with_the_map_at_phone_size(page, api, published):
    made, hidden = published
    page.goto("/reports")
    page.wait_for_selector("#results li")
    assert page.locator("html").get_attribute("lang") == "id"
    assert page.locator("#results li").count() == 20
    assert page.inner_text("#results-status") == "20 laporan ditampilkan; masih ada lagi."
    titles = page.locator("#results h3").all_inner_texts()
    assert titles[0] == "Lampu jalan padam nomor 21" and not {"Belum diverifikasi", "Laporan rahasia"} & set(titles)
    page.wait_for_selector("#map .leaflet-interactive")
    assert page.locator("#map .leaflet-interactive").count() == 2  # the reports with a location
    assert _Tiles.hits, "the map asked the configured tile server for tiles"
    # the attribution setting is text: shown as written, never as markup
    assert "Peta Uji <b>tebal</b>" in page.inner_text(".leaflet-control-attribution")
    assert page.locator(".leaflet-control-attribution b").count() == 0
    page.screens.shot("browse-390")
    check_accessibility(page, "browse list at 390 px")

    page.click("#more")
    page.locator("#results li").nth(21).wait_for()
    assert page.inner_text("#results-status") == "22 laporan ditampilkan."
    assert page.evaluate("document.activeElement.textContent") == "Parkir liar nomor 1"  # focus on the new rows

    page.select_option("#f-category", "street-lighting")
    page.click("#apply")
    _shown(page, 2)
    assert "category_id=street-lighting" in page.url
    assert page.get_attribute("#feed-link", "href") == "reports/feed.xml?category_id=street-lighting"

    page.reload()  # the filters live in the address: a filtered list can be shared
    _shown(page, 2)
    assert page.input_value("#f-category") == "street-lighting"
    page.click("#results li:first-child h3 a")
    page.wait_for_url("**/track?id=*")
    assert page.url.endswith(f"track?id={made[21]}")


def test_the_list_page_reads_well_in_english_on_a_desktop(page, published):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/reports?sort=supported")
    page.wait_for_selector("#results li")
    page.click("#lang-switch")
    assert page.inner_text("h1") == "Browse reports"
    assert page.input_value("#f-sort") == "supported"
    assert page.inner_text("#results-status").startswith("20 reports shown")
    assert "0 supporters" in page.inner_text("#results li:first-child")
    page.screens.shot("browse-1280-en")
    check_accessibility(page, "browse list at 1280 px, English")


def test_the_form_suggests_the_same_open_report_and_the_citizen_may_support_it_or_go_on(page, published):
    made, _ = published
    page.goto("/")
    page.wait_for_selector("#province option[value='12']", state="attached")
    page.fill("#title", "Lampu jalan mati di depan rumah")
    page.fill("#description", "Lampu penerangan jalan padam sudah dua minggu, gelap dan rawan kecelakaan malam hari.")
    page.select_option("#province", "12")
    page.select_option("#regency", "12.71")
    assert page.is_hidden("#similar")  # no category yet: nothing asked
    page.select_option("#category", "street-lighting")
    page.wait_for_selector("#similar:not([hidden])")
    titles = page.locator("#similar-list h3").all_inner_texts()
    assert set(titles) == {"Lampu jalan padam nomor 20", "Lampu jalan padam nomor 21"}  # open, same regency/category
    assert page.inner_text("#similar-status") == "Ada 2 laporan serupa yang sudah diterima. Lihat di bawah pilihan kategori."
    assert page.get_attribute("#similar-title", "id") == page.get_attribute("#similar", "aria-labelledby")
    hrefs = page.locator("#similar-list a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert sorted(hrefs) == sorted(f"track?id={tid}#dukung" for tid in made[20:22])
    page.screens.shot("form-similar-390")
    check_accessibility(page, "form with duplicate suggestions")

    page.click("#lang-switch")
    assert page.inner_text("#similar-title") == "Is this the same report?"
    assert page.locator("#similar-list a").first.inner_text() == "Support this report"
    page.click("#lang-switch")

    page.click("#similar-dismiss")  # "Bukan, kirim laporan saya"
    assert page.is_hidden("#similar")
    assert page.evaluate("document.activeElement.id") == "anonymous"
    assert page.inner_text("#similar-status") == "Saran laporan serupa ditutup. Lanjutkan mengisi laporan Anda."
    page.fill("#description", "Lampu penerangan jalan padam sudah dua minggu, gelap dan rawan kecelakaan malam hari!")
    page.wait_for_timeout(1200)
    assert page.is_hidden("#similar")  # the answer was no for this place and category: not asked again

    page.goto(f"/track?id={made[21]}#dukung")
    page.wait_for_selector("#report:not([hidden])")
    assert page.inner_text("#report-title") == "Lampu jalan padam nomor 21"
