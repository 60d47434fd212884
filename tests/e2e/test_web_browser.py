"""The public pages in a real browser (Debian chromium at phone size) against the local stack:
a citizen files a report with a photo, follows it, answers the officer and rates the result."""
from __future__ import annotations

import re
import struct
import zlib


TRACKING_ID = re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}$")
DESCRIPTION = "Setiap sore juru parkir liar memungut Rp5.000 dan menutup separuh badan jalan."


def png_bytes() -> bytes:
    """A real 8x8 PNG, generated here (red and white stripes)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + (b"\xc8\x10\x2e" if y < 4 else b"\xff\xff\xff") * 8 for y in range(8))
    header = struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def fill_form(page, title="Parkir liar di depan Pasar Petisah", files=()):
    page.goto("/")
    page.wait_for_selector("#province option[value='12']", state="attached")
    page.check("#kind-complaint")
    page.fill("#title", title)
    page.fill("#description", DESCRIPTION)
    page.fill("#occurred_on", "2024-12-18")
    page.select_option("#province", "12")
    page.select_option("#regency", "12.71")
    page.fill("#address", "Jl. Kota Baru III, depan Pasar Petisah")
    page.click("#geo-button")
    page.wait_for_selector("#geo-status:has-text('3.59520')")
    page.select_option("#agency", "pemkot-medan")
    page.select_option("#category", "illegal-parking")
    page.fill("#name", "Siti Rahmawati")
    page.fill("#email", "siti@example.com")
    page.fill("#phone", "0812-6000-1234")
    if files:
        page.set_input_files("#files", list(files))
    page.check("#consent")


def open_tracking(page, tid, code):
    page.goto("/track")
    page.fill("#tid", tid.lower().replace("-", " "))  # as people type it
    page.fill("#code", code)
    page.click("#lookup-submit")
    page.wait_for_selector("#report:not([hidden])")


def test_a_citizen_files_a_report_with_a_photo_and_finds_it_on_the_tracking_page(page, api):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "id"
    page.wait_for_selector("#province option[value='12']", state="attached")
    page.screens.shot("form")

    photo = {"name": "parkir-liar.png", "mimeType": "image/png", "buffer": png_bytes()}
    fill_form(page, files=[photo])
    assert page.locator("#file-list li").count() == 1
    assert page.inner_text("#description-count") == f"{len(DESCRIPTION)} / 5.000 karakter"
    page.screens.shot("form-filled")
    page.click("#submit")

    page.wait_for_selector("#result:not([hidden])")
    tid = page.inner_text("#result-tid")
    code = page.inner_text("#result-code")
    assert TRACKING_ID.match(tid) and re.match(r"^[0-9A-Z]{10}$", code)
    page.wait_for_selector("#upload-list .file-state.ok")
    assert page.inner_text("#upload-status") == "1 dari 1 lampiran terunggah."
    page.click("button[data-copy='result-code']")
    page.wait_for_selector("#copy-status:has-text('Kode akses tersalin.')")
    assert page.evaluate("navigator.clipboard.readText()") == code
    page.screens.shot("form-sent")

    status, staff, _ = api.call("GET", f"/staff/reports/{tid}/attachments", user="admin.medan")
    assert status == 200 and [(a["filename"], a["content_type"]) for a in staff["attachments"]] == [
        ("parkir-liar.png", "image/png")]
    status, report, _ = api.call("GET", f"/reports/{tid}", headers={"X-Access-Code": code})
    assert status == 200 and report["location"]["lat"] == 3.5952 and report["location"]["lon"] == 98.6722

    page.click("#result-track")
    page.wait_for_selector("#report:not([hidden])")
    assert page.input_value("#code") == code  # carried in this tab's sessionStorage only
    assert page.inner_text("#r-status") == "Terdisposisi ke instansi"
    assert page.inner_text("#report-title") == "Parkir liar di depan Pasar Petisah"
    assert "Pemerintah Kota Medan" in page.inner_text("#r-agency")
    link = page.locator("#r-attachments a")
    assert link.inner_text().startswith("parkir-liar.png")
    assert page.locator("#r-deadlines li.current").count() == 2  # agency review and completion
    page.screens.shot("track")


def test_the_reporter_answers_the_officer_then_accepts_and_rates_the_result(page, api):
    created = api.submit()
    tid, code = created["tracking_id"], created["access_code"]
    api.act(tid, "admin.medan", "assign", unit_id="pemkot-medan.dishub")
    api.act(tid, "penghubung.dishub.medan", "respond",
            message="Terima kasih. Petugas akan memeriksa lampu jalan tersebut pada hari Senin.")

    open_tracking(page, tid, code)
    assert page.inner_text("#r-status") == "Ditindaklanjuti"
    assert "memeriksa lampu jalan" in page.inner_text("#r-answers")
    assert page.inner_text("#reply-title") == "Kirim informasi tambahan"
    page.fill("#reply-message", "Lampu yang padam ada di depan nomor 45 dan 47.")
    page.screens.shot("track-reply")
    page.click("#reply-submit")
    page.wait_for_selector("#reply-success:not([hidden])")
    assert "Balasan pelapor" in page.inner_text("#r-timeline")
    assert "nomor 45 dan 47" in page.inner_text("#r-timeline")

    api.act(tid, "penghubung.dishub.medan", "final_answer", message="Lampu sudah diganti pada 23 Desember.")
    page.click("#lookup-submit")
    page.wait_for_selector("#decision-group:not([hidden])")
    assert page.inner_text("#r-status") == "Menunggu tanggapan pelapor"
    page.check("#decision-accept")
    page.click("#reply-submit")
    assert page.inner_text("#rating-error") == "Pilih penilaian 1–5."
    assert page.get_attribute("#rating-5", "aria-invalid") == "true"
    page.screens.shot("track-accept")
    page.check("#rating-5")
    page.fill("#reply-message", "Terima kasih, sudah menyala.")
    page.click("#reply-submit")
    page.wait_for_selector("#r-rating-row:not([hidden])")
    assert page.inner_text("#r-status") == "Selesai"
    assert page.inner_text("#r-rating") == "5 dari 5"
    assert page.locator("#reply-section").is_hidden()
    page.screens.shot("track-completed")


def test_markup_in_a_title_is_shown_as_text_and_never_runs(page, api):
    payload = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    created = api.submit(title=payload, description=f"Uraian {payload} dengan <b>tag</b>.")
    open_tracking(page, created["tracking_id"], created["access_code"])

    assert page.inner_text("#report-title") == payload
    assert page.locator("#report img, #report script, #report b").count() == 0
    assert page.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
    page.screens.shot("track-xss")
    # the page fixture fails the test on any dialog (alert) or script error


def test_bad_input_is_explained_next_to_each_field_in_the_chosen_language(page):
    page.goto("/")
    page.wait_for_selector("#province option[value='12']", state="attached")
    page.fill("#title", "Aduh")
    page.click("#submit")

    summary = page.locator("#error-summary")
    assert summary.is_visible() and summary.evaluate("el => el === document.activeElement")
    assert page.inner_text("#title-error") == "Judul harus 5–150 karakter."
    assert page.get_attribute("#title", "aria-invalid") == "true"
    assert "title-error" in page.get_attribute("#title", "aria-describedby")
    assert page.get_attribute("#title-error", "aria-live") == "polite"
    assert page.inner_text("#consent-error") == "Centang persetujuan agar laporan dapat diproses."
    assert page.inner_text("#reporter-error") == "Isi e-mail atau nomor telepon."
    page.click("#error-summary-list a >> nth=1")
    assert page.evaluate("document.activeElement.id") == "title"
    page.screens.shot("form-errors")

    # valid for the page, refused by the server: its field message lands next to the field
    fill_form(page)
    page.fill("#phone", "+62 000 0000 000")
    page.click("#submit")
    page.wait_for_selector("#phone-error:has-text('nomor telepon tidak valid')")
    assert page.inner_text("#error-summary-text") == "Data tidak valid, periksa kolom yang ditandai"

    page.click("#lang-switch")
    assert page.inner_text("#phone-error") == "Invalid phone number."
    assert page.inner_text("#error-summary-list") == "Phone/WhatsApp number: Invalid phone number."
    assert page.inner_text("#error-summary-text") == "Invalid data, check the fields listed"
    assert page.inner_text("#form-title") == "Submit your report"
    page.screens.shot("form-errors-en")
    page.reload()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.inner_text("#lang-switch") == "Bahasa Indonesia"


def test_a_retry_after_a_lost_answer_shows_the_first_report_instead_of_filing_a_second(page, api):
    fill_form(page, title="Sampah menumpuk di Jalan Brigjend Katamso")
    sent: list[dict] = []

    def lose_first_answer(route):
        response = route.fetch()  # the server does receive and store the report...
        sent.append({"key": route.request.headers.get("idempotency-key"), "body": response.json()})
        if len(sent) == 1:
            route.abort("connectionreset")  # ...but the phone never hears back
        else:
            route.fulfill(response=response)

    page.route("**/reports", lose_first_answer)
    page.click("#submit")
    page.wait_for_selector("#error-summary-text:has-text('Koneksi terputus')")
    page.click("#submit")
    page.wait_for_selector("#result:not([hidden])")

    assert len(sent) == 2 and sent[0]["key"] == sent[1]["key"]
    assert sent[0]["body"]["tracking_id"] == sent[1]["body"]["tracking_id"] == page.inner_text("#result-tid")


def test_the_pages_work_with_the_keyboard_alone(page):
    page.goto("/")
    page.wait_for_selector("#province option[value='12']", state="attached")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    for _ in range(4):  # back through the menu's three links to the language switch
        page.keyboard.press("Shift+Tab")
        if page.evaluate("document.activeElement.id") == "lang-switch":
            break
    page.keyboard.press("Enter")
    assert page.locator("html").get_attribute("lang") == "en"
    page.keyboard.press("Space")
    assert page.locator("html").get_attribute("lang") == "id"

    page.focus("#kind-complaint")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    assert page.is_checked("#kind-aspiration")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "title"
    page.keyboard.type("Usulan taman baca")
    page.focus("#submit")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the first error's link
    assert page.evaluate("document.activeElement.id") == "description"

    page.goto("/track")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "tid"
    page.keyboard.type("zzzz")
    page.keyboard.press("Enter")
    assert page.inner_text("#tid-error").startswith("Nomor laporan terdiri dari 8 huruf/angka")


def test_a_confidential_report_needs_its_access_code_on_the_tracking_page(page, api):
    created = api.submit(confidential=True)
    page.goto(f"/track?id={created['tracking_id']}")
    page.wait_for_selector("#lookup-error:not([hidden])")
    assert "kode akses" in page.inner_text("#lookup-error")
    page.fill("#code", "ABCDEFGHJK")
    page.click("#lookup-submit")
    page.wait_for_selector("#code-error:has-text('kode akses salah')")  # the same 404 as an unknown number
    page.fill("#code", created["access_code"])
    page.click("#lookup-submit")
    page.wait_for_selector("#report:not([hidden])")
    assert page.locator("#r-confidential").is_visible()

    # the reporter adds files later; one only pretends to be a photo
    page.set_input_files("#more-files", [
        {"name": "bukti.png", "mimeType": "image/png", "buffer": png_bytes()},
        {"name": "bukan-foto.png", "mimeType": "image/png", "buffer": b"<html><script>alert(1)</script></html>"},
    ])
    page.wait_for_selector("#r-attachments a:has-text('bukti.png')")
    page.wait_for_selector("#file-error:has-text('bukan-foto.png')")
    assert "isinya bukan gambar JPEG, PNG, WebP atau dokumen PDF" in page.inner_text("#file-error")
    assert page.locator("#r-attachments li").count() == 1
    page.screens.shot("track-attachments")


def test_an_overdue_report_says_so_plainly(page, api):
    # A walk-in complaint recorded late by the agency: its clocks started on the day it arrived.
    status, created, _ = api.call("POST", "/staff/reports", {
        "kind": "complaint", "title": "Jalan berlubang di Jalan Gatot Subroto",
        "description": "Lubang besar di lajur kiri, sudah dua kali menyebabkan pengendara jatuh.",
        "location": {"province_code": "12", "regency_code": "12.71"},
        "reporter": {"name": "Ahmad Fauzi", "phone": "081260001111"},
        "channel": "walk_in", "received_at": "2025-01-06T09:00:00+07:00",
    }, user="admin.medan")
    assert status == 201, created
    open_tracking(page, created["tracking_id"], created["access_code"])

    assert page.inner_text("#r-overdue") == "Terlambat"
    assert page.locator("#r-overdue-note").is_visible()
    late = page.locator("#r-deadlines li:has(.tag-late) .deadline-stage").all_inner_texts()
    assert late == ["Penelaahan oleh instansi", "Penyelesaian"]
    page.screens.shot("track-overdue")
