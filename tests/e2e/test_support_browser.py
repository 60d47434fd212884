"""The support box of the tracking page (#dukung, issue 14) in a real browser against the local
stack: a citizen arrives from "Dukung laporan ini", supports anonymously or with an e-mail and the
code it receives, in Indonesian or English, with the keyboard; a merged duplicate links both ways."""
from __future__ import annotations

import json
import re
import urllib.request

CENTRAL = "admin.pusat"


def _code_sent_to(stack, address: str) -> str:
    with urllib.request.urlopen(stack.moto_url + "/moto-api/data.json", timeout=10) as answer:  # noqa: S310
        mails = json.loads(answer.read())["ses"]["Message"]
    subjects = [m.get("subject") or m.get("Subject") or json.dumps(m) for m in mails
                if address in json.dumps(m).lower()]
    return re.search(r"\b(\d{6})\b", subjects[-1]).group(1)


def _public_report(api, title: str, **overrides) -> str:
    # Named to an agency: created dispatched; the agency's assign publishes it.
    tid = api.submit(title=title, **overrides)["tracking_id"]
    api.act(tid, "admin.medan", "assign", unit_id="pemkot-medan.dishub")
    return tid


def test_a_citizen_arriving_at_dukung_supports_with_an_e_mail_and_its_code(page, api, stack):
    tid = _public_report(api, "Dukungan: lampu jalan padam di Jalan Gajah Mada")
    page.goto(f"/track?id={tid}#dukung")
    page.wait_for_selector("#dukung:not([hidden])")
    page.wait_for_selector("#dukung:focus")  # focus lands on the support box
    assert page.inner_text("#r-supporters") == "0 orang"
    assert page.inner_text("#support-title") == "Dukung laporan ini"
    page.fill("#support-contact", "bukan-alamat@")
    page.click("#support-submit")
    assert "valid" in page.inner_text("#support-contact-error")
    assert page.get_attribute("#support-contact", "aria-invalid") == "true"
    page.fill("#support-contact", "pendukung.browser@example.com")
    page.click("#support-submit")
    page.wait_for_selector("#support-code-form:not([hidden])")
    assert "e-mail" in page.inner_text("#support-success")
    page.wait_for_selector("#support-code:focus")
    page.fill("#support-code", "12")
    page.click("#support-code-submit")
    assert "6 angka" in page.inner_text("#support-code-error")
    page.fill("#support-code", _code_sent_to(stack, "pendukung.browser@example.com"))
    page.keyboard.press("Enter")  # the keyboard alone submits
    page.wait_for_selector("#support-success:has-text('tercatat')")
    assert page.inner_text("#r-supporters") == "1 orang"
    page.screens.shot("support-counted")


def test_an_anonymous_support_in_english_and_a_second_click_counts_once(page, api):
    tid = _public_report(api, "Dukungan: trotoar rusak di Jalan Pemuda")
    page.goto(f"/track?id={tid}")
    page.wait_for_selector("#dukung:not([hidden])")
    page.click("#lang-switch")
    assert page.inner_text("#support-title") == "Support this report"
    page.click("#support-submit")
    page.wait_for_selector("#support-success:has-text('counted')")
    assert page.inner_text("#r-supporters") == "1 people"
    page.goto(f"/track?id={tid}")
    page.wait_for_selector("#dukung:not([hidden])")
    page.click("#support-submit")
    page.wait_for_selector("#support-success:has-text('already')")
    assert page.inner_text("#r-supporters") == "1 people"


def test_a_merged_duplicate_and_its_original_link_to_each_other(page, api):
    original = _public_report(api, "Dukungan: banjir di Jalan Brigjend Katamso")
    duplicate = _public_report(api, "Dukungan: genangan air di Jalan Katamso",
                               reporter={"name": "Rahmat Hidayat", "email": "rahmat@example.com"})
    api.act(duplicate, CENTRAL, "mark_duplicate", of=original)
    page.goto(f"/track?id={duplicate}")
    page.wait_for_selector("#r-duplicate-of:not([hidden])")
    assert page.inner_text("#r-duplicate-of") == f"Laporan ini duplikat dari {original}"
    assert page.locator("#dukung").is_hidden()  # support goes to the original
    page.click(f"#r-duplicate-of a:has-text('{original}')")
    page.wait_for_selector("#r-duplicates:not([hidden])")
    assert page.inner_text("#r-duplicates") == f"Laporan duplikat: {duplicate}"
    assert page.inner_text("#r-supporters") == "1 orang"  # the duplicate's reporter joined (another person)


def test_the_console_marks_and_unmarks_a_duplicate_and_the_support_box_passes_axe(browser, stack, api, page):
    from tests.e2e.test_console import PHONE, Console, check_accessibility

    original = _public_report(api, "Dukungan: sampah menumpuk di Jalan Thamrin")
    duplicate = _public_report(api, "Dukungan: tumpukan sampah Jl. Thamrin",
                               reporter={"name": "Sari Dewi", "email": "sari@example.com"})
    c = Console(browser, stack, PHONE)
    try:
        c.sign_in("admin.medan")
        c.page.wait_for_selector("#queue-table[aria-busy=false]")
        assert c.page.locator("#queue-table td.supporters").count() >= 2  # the queue shows each count
        assert c.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # still fits a phone
        c.open_report(duplicate)
        c.act("mark_duplicate", {"of": original.lower()})
        c.page.wait_for_selector(f"#view a:has-text('{original}')")
        assert c.page.locator("#action-unmark_duplicate").count() == 1
        c.act("unmark_duplicate")
        c.page.wait_for_selector("#action-mark_duplicate")
    finally:
        c.close()
    page.goto(f"/track?id={original}#dukung")
    page.wait_for_selector("#dukung:focus")
    check_accessibility(page, "support box")
