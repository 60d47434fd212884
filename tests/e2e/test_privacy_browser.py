"""The privacy notice and the identity-read audit in a real browser (Debian chromium) against the
local stack: /privacy in both languages with no serious accessibility violation (axe-core), reached
from every public page's footer; the consent text on the form; the central admin's report page
listing who saw the reporter, which no other role's shows."""
from __future__ import annotations

import pytest

from .test_console import check_accessibility, console  # noqa: F401 (fixture)


def test_the_privacy_page_says_what_who_how_long_and_rights_in_both_languages(page):
    page.goto("/privacy")
    page.wait_for_load_state("networkidle")
    text = page.inner_text("main")
    assert "Pemberitahuan privasi" in text and "UU No. 27 Tahun 2022" in text
    assert page.inner_text("#retention-months") == "24" and page.inner_text("#spam-days") == "90"
    assert page.inner_text("#consent-version") == "2026-12"
    assert "disembunyikan" in text and "5 tahun" in text and "3 x 24 jam" in text
    check_accessibility(page, "/privacy (id)")
    page.click("#lang-switch")
    english = page.inner_text("main")
    assert "Privacy notice" in english and "months after the report is closed" in english
    assert "Your rights" in english and page.inner_text("#retention-months") == "24"
    check_accessibility(page, "/privacy (en)")


@pytest.mark.parametrize("path", ["/", "/track"])
def test_every_public_page_links_the_privacy_notice_from_its_footer(page, path):
    page.goto(path)
    page.click("footer.site-footer a[href='privacy']")
    page.wait_for_url("**/privacy")
    assert page.locator("a[href='privacy'][aria-current=page]").count() == 1


def test_the_form_states_purpose_who_sees_retention_and_rights_before_consent(page):
    page.goto("/")
    hint = page.inner_text("#consent-hint")
    assert "admin pusat" in hint and "24" in hint and "bulan setelah laporan ditutup" in hint
    assert "menghapus" in hint and "v2026-12" in hint
    page.click("#lang-switch")
    assert "months after the report is closed" in page.inner_text("#consent-hint")


def test_the_central_admins_report_page_lists_who_saw_the_reporter(console, api):  # noqa: F811
    tid = api.submit(title="Audit: lampu jalan padam di Jalan Gajah Mada")["tracking_id"]
    assert api.call("GET", f"/staff/reports/{tid}", user="admin.medan")[0] == 200  # an identity read
    central = console()
    central.sign_in("admin.pusat", path=f"/console#/reports/{tid}")
    central.page.wait_for_selector("#r-history li.identity-read")
    entry = central.page.inner_text("#r-history li.identity-read")
    assert "Identitas pelapor dilihat" in entry and "admin.medan" in entry and "GET /staff/reports/{tid}" in entry
    assert "identitas pelapor dilihat oleh admin.medan" in entry
    assert "2026-12" in central.page.inner_text("main")  # the consent version, with the reporter
    check_accessibility(central.page, "report with identity reads")
    agency = console()
    agency.sign_in("admin.medan", path=f"/console#/reports/{tid}")
    agency.page.wait_for_selector("#r-history li")
    assert agency.page.locator("#r-history li.identity-read").count() == 0
