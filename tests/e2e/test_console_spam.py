"""A report the spam score flagged, as the central admin meets it in the console (real browser,
local stack): marked in the queue and on the report page, in both languages."""
from __future__ import annotations

from .test_console import DESKTOP, check_accessibility, console  # noqa: F401 (fixture)

SPAM = ("SLOT GACOR MAXWIN hari ini, daftar sekarang di https://bit.ly/gacor88 bonus new member 100%, "
        "deposit pulsa tanpa potongan. WA 0812 3456 7890")


def test_the_central_admin_sees_a_flagged_report_marked_in_the_queue_and_on_its_page(console, api):  # noqa: F811
    flagged = api.submit(title="Promo slot gacor maxwin hari ini", description=SPAM)
    ordinary = api.submit(agency_id=None, title="Trotoar rusak di Jalan Pemuda dekat pasar")
    assert flagged["status"] == "submitted"
    c = console(DESKTOP)
    c.sign_in("admin.pusat")
    page = c.page
    page.wait_for_selector("#queue-table[aria-busy=false]")
    while page.locator("#queue-more").is_visible() and flagged["tracking_id"] not in page.inner_text("#queue-table"):
        page.click("#queue-more")
        page.wait_for_selector("#queue-table[aria-busy=false]")
    rows = page.locator("#queue-table tr", has_text=flagged["tracking_id"])
    assert "Diduga spam" in rows.first.inner_text()
    check_accessibility(page, "queue with a flagged report")
    c.open_report(flagged["tracking_id"])
    assert page.inner_text("#r-spam") == "Diduga spam"
    c.open_report(ordinary["tracking_id"])
    assert page.locator("#r-spam").count() == 0
