"""A reporter who lost the access code gets a new one through the tracking page (issue 15), in a
real browser against the local stack: ask for it, read it from the e-mail at moto, open the report
with it; the old code no longer opens it."""
from __future__ import annotations

import re

from devtools.inbound import sent_mail

from tests.e2e.test_web_browser import open_tracking


def test_a_reporter_recovers_a_lost_access_code_from_the_tracking_page(page, api, stack):
    email = "lupa.kode.browser@example.com"
    created = api.submit(confidential=True, reporter={"name": "Ayu Lestari", "email": email})
    tid, old = created["tracking_id"], created["access_code"]

    page.goto("/track")
    page.click("#recover summary")
    assert page.inner_text("#recover summary") == "Lupa kode akses?"
    page.fill("#recover-tid", tid.lower())  # as people type it
    page.screens.shot("track-recover")
    page.click("#recover-submit")
    page.wait_for_selector("#recover-done:not([hidden])")
    assert "kode akses baru telah dikirim" in page.inner_text("#recover-done")
    assert page.input_value("#tid") == tid
    page.screens.shot("track-recover-sent")

    (mail,) = [m for m in sent_mail(stack.moto_url, email) if "Kode akses baru" in m]
    new = re.search(r"Kode akses baru: (?:<strong>)?([0-9A-Z]{10})", mail).group(1)
    assert new != old

    open_tracking(page, tid, new)
    assert page.inner_text("#report-title") == "Lampu jalan padam di Jalan Sisingamangaraja"
    assert "Kode akses baru dikirim ke kontak Anda" in page.inner_text("#r-timeline")

    page.goto("/track")
    page.fill("#tid", tid)
    page.fill("#code", old)
    page.click("#lookup-submit")
    page.wait_for_selector("#code-error:not(:empty)")  # the old code is refused like any wrong one
    assert page.locator("#report").is_hidden()


def test_the_page_says_the_same_for_a_number_nobody_filed(page):
    page.goto("/track")
    page.click("#recover summary")
    page.fill("#recover-tid", "ZZZZ-ZZZZ")
    page.click("#recover-submit")
    page.wait_for_selector("#recover-done:not([hidden])")
    assert "kode akses baru telah dikirim" in page.inner_text("#recover-done")
    page.click("#lang-switch")  # the answer follows the language switch
    assert page.inner_text("#recover summary") == "Lost your access code?"
    assert "a new access code was sent there" in page.inner_text("#recover-done")
