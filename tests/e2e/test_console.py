"""The staff console in a real browser (Debian chromium) against the local stack: every demo role
signs in at the local Cognito from the page; a report goes from the central queue to completion
through the console; a reminder e-mail's link opens the report after sign-in; no screen has a
serious or critical accessibility violation (axe-core)."""
from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from devtools.demo_accounts import DEMO_PASSWORD
from devtools.stack import REPO_ROOT, child_env

from .conftest import ARTIFACTS, MEDAN, PHONE, _in_ci

DESKTOP = {"width": 1280, "height": 900}
AXE = sorted((REPO_ROOT / ".cache").glob("axe-core-*/axe.min.js"))
ROLES = {
    "admin.pusat": "Admin pusat", "admin.medan": "Admin instansi", "penghubung.dishub.medan": "Pejabat penghubung",
    "penghubung.dlh.medan": "Pejabat penghubung", "admin.sumut": "Admin provinsi",
}


class Console:
    """One browser context (its own sessionStorage) at a given size; fails on CSP or script errors."""

    def __init__(self, browser, stack, viewport=PHONE):
        self.context = browser.new_context(
            viewport=viewport, device_scale_factor=1, locale="id-ID", timezone_id="Asia/Jakarta",
            base_url=stack.api_url, geolocation=MEDAN, permissions=["geolocation"], accept_downloads=True)
        self.context.set_default_timeout(15000)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("pageerror", lambda exc: self.problems.append(f"uncaught: {exc}"))
        self.page.on("console", lambda msg: self.problems.append(f"console: {msg.text}")
                     if msg.type == "error" and "Content Security Policy" in msg.text else None)
        self.viewport = viewport
        self.width = viewport["width"]

    def sign_in(self, username: str, password: str = DEMO_PASSWORD, path: str = "/console") -> None:
        page = self.page
        if path:
            page.goto(path)
        page.get_by_label("Nama pengguna / Username").fill(username)
        page.get_by_label("Kata sandi / Password").fill(password)
        page.get_by_role("button", name="Masuk / Sign in").click()
        page.wait_for_selector("#who:not([hidden])")

    def open_screen(self, route: str, ready: str) -> None:
        self.page.click(f"#console-nav a[data-route={route}]")
        self.page.wait_for_selector(ready)

    def open_report(self, tid: str) -> None:
        self.page.goto(f"/console#/reports/{tid}")
        self.page.wait_for_selector("#report-title")

    def submit(self, form: str, values: dict[str, str] | None = None, expect: str = "#notice.notice-success") -> None:
        """Fills a form's controls by name, sends it and waits for `expect`."""
        for name, value in (values or {}).items():
            control = self.page.locator(f"{form} [name='{name}']")
            if control.evaluate("e => e.tagName") == "SELECT":
                control.select_option(value)
            else:
                control.fill(value)
        self.page.click(f"{form} button[type=submit]")
        self.page.wait_for_selector(expect)

    def act(self, action: str, fill: dict[str, str] | None = None) -> None:
        self.page.locator(f"#action-{action}").evaluate("d => { d.open = true; }")
        self.submit(f"#action-{action} form", fill)

    def shot(self, name: str) -> list[Path]:
        """The screen as it is now at a phone's and a desktop's width (then back to this size)."""
        ARTIFACTS.mkdir(exist_ok=True)
        paths = []
        for size in (PHONE, DESKTOP):
            self.page.set_viewport_size(size)
            paths.append(ARTIFACTS / f"console-{name}-{size['width']}.png")
            self.page.screenshot(path=str(paths[-1]), full_page=True)
        self.page.set_viewport_size(self.viewport)
        return paths

    def close(self) -> None:
        self.context.close()
        assert not self.problems, self.problems


def check_accessibility(page, screen: str) -> None:
    """axe-core run in the page (evaluated over the DevTools protocol, so the page's CSP stays as it
    is): no serious or critical violation."""
    if not AXE:
        message = "axe-core is missing: `make axe` fetches it from the npm registry"
        if _in_ci():
            pytest.fail(message)
        pytest.skip(message)
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE[-1].read_text(encoding="utf-8") + "\n;undefined")
    violations = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']})).violations
        .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))""")
    bad = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not bad, f"{screen}: {bad}"


@pytest.fixture
def console(browser, stack):
    opened: list[Console] = []

    def open_console(viewport=PHONE) -> Console:
        c = Console(browser, stack, viewport)
        opened.append(c)
        return c

    yield open_console
    for c in opened:
        c.close()


def _sent_mail(stack) -> list[dict]:
    with urllib.request.urlopen(stack.moto_url + "/moto-api/data.json", timeout=10) as answer:  # noqa: S310
        return json.loads(answer.read())["ses"]["Message"]


def test_every_demo_role_signs_in_and_sees_its_own_queue(console, api):
    api.submit(title="Antrean: drainase tersumbat di Jalan Iskandar Muda")
    for username, role in ROLES.items():
        c = console()
        c.sign_in(username)
        page = c.page
        page.wait_for_selector("#queue-table[aria-busy=false]")
        assert role in page.inner_text("#who")
        assert page.locator("html").get_attribute("lang") == "id"
        assert page.inner_text("#queue-title") == "Antrean saya"
        assert page.locator("#queue-counts li").count() == 3
        if username == "admin.medan":
            assert "drainase tersumbat" in page.inner_text("#queue-table")
        if username == "penghubung.dlh.medan":
            assert "drainase tersumbat" not in page.inner_text("#queue-table")
        # Only admins record reports; the settings are not a liaison officer's.
        assert page.locator("#console-nav a[data-route=new]").is_visible() == (role in ("Admin pusat", "Admin instansi"))
        check_accessibility(page, f"queue of {username}")
        c.close()


def test_the_queue_is_the_servers_deadline_order_with_its_counts_and_fits_a_phone(console, api):
    """Three reports typed in for Batam, received 30 days, 1 day and 0 days ago: their agency review
    clocks put them late, due soon and later. The queue shows them in that order wherever they
    fall among the rest, the counts are the server's, and at 390 px nothing scrolls sideways."""
    wib = dt.timezone(dt.timedelta(hours=7))
    now = dt.datetime.now(wib).replace(microsecond=0)
    tids = []
    for days in (0, 30, 1):
        body = {**_batam_entry(), "title": f"Antrean urut: diterima {days} hari lalu",
                "received_at": (now - dt.timedelta(days=days, minutes=5)).isoformat()}
        status, created, _ = api.call("POST", "/staff/reports", body, user="admin.pusat")
        assert status == 201, created
        tids.append(created["tracking_id"])  # typed in for an agency: dispatched, its review clock running
    today, late, soon = tids
    status, server, _ = api.call("GET", "/staff/queue?limit=200", user="admin.pusat")
    assert status == 200

    c = console()
    c.sign_in("admin.pusat")
    page = c.page
    page.wait_for_selector("#queue-table[aria-busy=false]")
    while page.locator("#queue-more").is_visible():
        page.click("#queue-more")
        page.wait_for_timeout(300)
    shown = page.locator("#queue-table tbody tr a.mono").all_inner_texts()
    assert shown == [item["tracking_id"] for item in server["items"]][: len(shown)]
    assert shown.index(late) < shown.index(soon) < shown.index(today)
    assert "late" in page.locator(f"#queue-table tr:has(a:has-text('{late}'))").get_attribute("class")
    for key, box in (("late", "#count-late"), ("due_today", "#count-today"), ("due_within_2_working_days", "#count-soon")):
        assert page.inner_text(f"{box} strong") == str(server["counts"][key])
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.evaluate("(w => w.scrollWidth <= w.clientWidth)(document.querySelector('#queue-table').parentNode)")
    check_accessibility(page, "queue at 390 px")
    c.shot("queue-order")


def _batam_entry() -> dict:
    return {"kind": "complaint", "description": "Lampu jalan padam sejak dua minggu di depan pasar.",
            "location": {"province_code": "21", "regency_code": "21.71"}, "agency_id": "pemkot-batam",
            "category_id": "street-lighting", "reporter": {"name": "Sari", "email": "sari@example.com"},
            "channel": "call_centre"}


def test_a_wrong_password_is_refused_at_cognito_and_said_in_the_chosen_language(console, stack):
    c = console()
    page = c.page
    page.goto("/console")
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.click("#lang-switch")
    page.get_by_label("Nama pengguna / Username").fill("admin.pusat")
    page.get_by_label("Kata sandi / Password").fill("salah-sekali")
    page.get_by_role("button", name="Masuk / Sign in").click()
    page.wait_for_selector("#signin-error:not([hidden])")
    assert page.inner_text("#signin-error") == "Incorrect username or password."
    # The password went to Cognito, never to the platform.
    assert requests and all(u.startswith(stack.moto_url) for u in requests if "static/" not in u and "config.json" not in u)
    check_accessibility(page, "sign-in")
    c.shot("signin-en")


def test_a_report_goes_from_the_central_queue_to_completion_through_the_console(console, api, page):
    created = api.submit(agency_id=None, title="Lampu lalu lintas mati di simpang Jalan Gatot Subroto")
    tid, code = created["tracking_id"], created["access_code"]

    central = console(DESKTOP)
    central.sign_in("admin.pusat", path=f"/console#/reports/{tid}")  # the link survives sign-in
    cp = central.page
    cp.wait_for_selector("#report-title")
    assert cp.inner_text("#r-status") == "Belum terverifikasi"
    assert "Budi Santoso" in cp.inner_text("#reporter-title + dl")
    offered = cp.locator("#actions details.action").evaluate_all("els => els.map(e => e.id)")
    assert offered == ["action-dispatch", "action-postpone", "action-correct", "action-archive", "action-mark_duplicate"]
    check_accessibility(cp, "report (central)")
    central.shot("report-submitted")
    # A server error lands next to its field: dispatch with no agency chosen.
    cp.click("#action-dispatch summary")
    cp.locator("#action-dispatch button[type=submit]").click()
    cp.wait_for_selector("#action-dispatch .field-error:not(:empty)")
    assert cp.locator("#action-dispatch select[name=agency_id]").get_attribute("aria-invalid") == "true"
    central.act("dispatch", {"agency_id": "pemkot-medan"})
    assert cp.inner_text("#r-status") == "Terdisposisi ke instansi"
    assert cp.locator("#action-dispatch summary").inner_text() == "Teruskan ke instansi lain"

    agency = console()
    agency.sign_in("admin.medan")
    agency.page.wait_for_selector(f"#queue-table a:has-text('{tid}')")
    agency.shot("queue")
    agency.page.click(f"#queue-table a:has-text('{tid}')")
    agency.page.wait_for_selector("#report-title")
    check_accessibility(agency.page, "report (agency)")
    agency.act("assign", {"unit_id": "pemkot-medan.dishub"})
    assert agency.page.inner_text("#r-status") == "Terdisposisi ke unit"

    officer = console()
    officer.sign_in("penghubung.dishub.medan")
    officer.open_report(tid)
    assert [c.strip() for c in officer.page.locator("#actions summary").all_inner_texts()] == [
        "Kirim tanggapan", "Bukan wewenang: kembalikan", "Pemeriksaan lapangan"]
    officer.act("respond", {"message": "Petugas Dishub memeriksa lampu lalu lintas hari ini."})
    assert officer.page.inner_text("#r-status") == "Ditindaklanjuti"
    officer.shot("report-in-progress")
    officer.act("final_answer", {"message": "Lampu lalu lintas sudah diperbaiki dan menyala normal."})
    assert officer.page.inner_text("#r-status") == "Menunggu tanggapan pelapor"
    assert officer.page.locator("#no-actions").is_visible()

    # Another unit's officer does not see it, neither in the queue nor by its link.
    other = console()
    other.sign_in("penghubung.dlh.medan", path=f"/console#/reports/{tid}")
    other.page.wait_for_selector("#notice.notice-error")
    assert "Laporan tidak ditemukan" in other.page.inner_text("#notice")
    other.page.goto("/console#/queue")
    other.page.wait_for_selector("#queue-table[aria-busy=false]")
    assert tid not in other.page.inner_text("#queue-table")

    # The reporter accepts on the public page (the conftest's phone page).
    page.goto("/track")
    page.fill("#tid", tid)
    page.fill("#code", code)
    page.click("#lookup-submit")
    page.wait_for_selector("#decision-group:not([hidden])")
    page.check("#decision-accept")
    page.check("#rating-5")
    page.click("#reply-submit")
    page.wait_for_selector("#r-rating-row:not([hidden])")

    central.page.reload()
    central.page.wait_for_selector("#report-title")
    assert central.page.inner_text("#r-status") == "Selesai"
    assert "selesai tepat waktu" in central.page.inner_text("#r-deadlines")
    central.shot("report-completed")


def test_someone_acting_first_reloads_the_report_and_says_so(console, api):
    tid = api.submit(agency_id=None, title="Dua admin sekaligus: pohon tumbang di Jalan Juanda")["tracking_id"]
    c = console()
    c.sign_in("admin.pusat", path=f"/console#/reports/{tid}")
    c.page.wait_for_selector("#action-postpone")
    api.act(tid, "admin.pusat", "dispatch", agency_id="pemkot-medan")  # a colleague, a moment earlier
    c.page.click("#action-postpone summary")
    c.page.fill("#action-postpone textarea[name=message]", "Mohon sebutkan nomor rumah terdekat.")
    c.page.click("#action-postpone button[type=submit]")
    c.page.wait_for_selector("#notice.notice-warning")
    assert "dimuat ulang" in c.page.inner_text("#notice")
    assert c.page.inner_text("#r-status") == "Terdisposisi ke instansi"
    assert c.page.locator("#action-postpone").count() == 0
    c.shot("conflict")


def test_the_reminder_email_links_to_the_report_which_opens_after_sign_in(console, api, stack):
    tid = api.submit(title="Pengingat: trotoar rusak di Jalan Pemuda")["tracking_id"]
    status, view, _ = api.call("GET", f"/staff/reports/{tid}", user="admin.medan")
    due = dt.date.fromisoformat(view["deadlines"]["agency_review"])
    for extra in ([], ["--digest"]):  # the sweep's reminders, then the morning digest
        done = subprocess.run([sys.executable, "-m", "scheduled.sweep", "--at", f"{due.isoformat()}T07:30:00+07:00",
                               *extra], cwd=REPO_ROOT, env=child_env(stack.env), capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]

    mail = _sent_mail(stack)
    reminders = [m for m in mail if f"[LAPOR {tid}] Pengingat" in json.dumps(m)]
    assert reminders, "no reminder e-mail for the report"
    link = f"{stack.api_url}/console#/reports/{tid}"
    assert link in json.dumps(reminders[0])
    digests = [m for m in mail if "perlu perhatian hari ini" in json.dumps(m) and tid in json.dumps(m)]
    assert digests and link in json.dumps(digests[-1])
    assert f"{stack.api_url}/console#/queue?within=2" in json.dumps(digests[-1])

    c = console(DESKTOP)
    c.page.goto(link)
    c.sign_in("admin.medan", path="")
    c.page.wait_for_selector("#report-title")
    assert c.page.inner_text("#report-title") == "Pengingat: trotoar rusak di Jalan Pemuda"
    assert "jatuh tempo hari ini" in c.page.inner_text("#r-deadlines") or "hari kerja" in c.page.inner_text("#r-deadlines")
    # The SMS's short link leads to the same page.
    c.page.goto(f"/console?r={tid}")
    c.page.wait_for_selector("#report-title")
    assert c.page.url.endswith(f"/console#/reports/{tid}")


def test_an_expired_session_asks_to_sign_in_again_and_keeps_the_work(console, api):
    tid = api.submit(title="Sesi habis: saluran air tersumbat di Jalan Ahmad Yani")["tracking_id"]
    c = console()
    c.sign_in("admin.medan", path=f"/console#/reports/{tid}")
    page = c.page
    page.click("#action-reroute summary")
    page.fill("#action-reroute textarea[name=message]", "Bukan wewenang Pemkot Medan, ini jalan nasional.")
    # The token ends (as if an hour had passed): the page notices before its next call.
    page.evaluate("""() => { const s = JSON.parse(sessionStorage.getItem('lapor.console.session'));
                           s.exp = 1; sessionStorage.setItem('lapor.console.session', JSON.stringify(s)); }""")
    page.click("#action-reroute button[type=submit]")
    page.wait_for_selector("#signin-expired:not([hidden])")
    assert page.input_value("#action-reroute textarea[name=message]").startswith("Bukan wewenang")
    c.sign_in("admin.medan", path="")
    page.click("#action-reroute button[type=submit]")
    page.wait_for_selector("#notice.notice-success")
    assert page.inner_text("#r-status") == "Belum terverifikasi"


def test_an_admin_records_a_walk_in_report(console):
    c = console()
    c.sign_in("admin.medan")
    c.open_screen("new", "#new-form")
    page = c.page
    check_accessibility(page, "manual entry")
    c.submit("#new-form", {
        "channel": "walk_in", "received_at": "2025-01-06T09:00", "title": "Lapak liar di trotoar Jalan Pandu",
        "description": "Pedagang menutup seluruh trotoar sehingga pejalan kaki turun ke jalan.",
        "province_code": "12", "regency_code": "12.71", "name": "Rina", "phone": "abc"}, expect="#new-form .has-error")
    assert page.inner_text("#new-form .has-error .field-error") == "Nomor telepon tidak valid."
    c.shot("new-errors")
    c.submit("#new-form", {"phone": "0812-6000-7777"}, expect="#report-title")
    assert page.inner_text("#report-title") == "Lapak liar di trotoar Jalan Pandu"
    assert page.inner_text("#r-status") == "Terdisposisi ke instansi"
    assert "terlambat" in page.inner_text("#r-deadlines")


def test_a_provincial_admin_sees_charts_and_downloads_the_xlsx(console, api):
    tid = api.submit(agency_id=None)["tracking_id"]  # one agency in the figures, below the ranking minimum
    api.act(tid, "admin.pusat", "dispatch", agency_id="pemkot-medan")
    c = console(DESKTOP)
    c.sign_in("admin.sumut")
    c.open_screen("stats", "#charts figure svg")
    page = c.page
    assert page.locator("#charts figure").count() == 4
    assert page.locator("#charts svg[role=img][aria-label]").count() == 4
    assert "[object" not in page.inner_text("#charts")  # the server's {id, en} notes read as text
    assert "Laporan belum cukup" in page.inner_text("#charts")  # Medan is below the ranking minimum
    check_accessibility(page, "statistics")
    c.shot("stats")
    with page.expect_download() as download:
        page.click("#export-xlsx")
    path = download.value.path()
    assert Path(path).read_bytes()[:2] == b"PK"  # a zip: the XLSX
    page.select_option("#stats-filters select[name=group_by]", "category")
    page.click("#stats-filters button[type=submit]")
    page.wait_for_selector("#charts figcaption:has-text('Tingkat penyelesaian per kategori')")
    page.click("#lang-switch")
    assert page.inner_text("#stats-title") == "Statistics"
    assert page.locator("#charts figcaption").first.inner_text() == "Completion rate per category"


def test_the_central_admin_manages_the_calendar_and_open311_keys(console):
    c = console(DESKTOP)
    c.sign_in("admin.pusat")
    c.open_screen("admin", "#calendar-list li")
    page = c.page
    page.select_option("#duty select", "pemkot-medan.dishub")
    page.wait_for_selector("#duty-list li")
    assert "penghubung.dishub.medan" in page.inner_text("#duty-list")
    assert "bertugas hari ini" in page.inner_text("#duty-list")
    check_accessibility(page, "settings (central)")

    # Contact rows are listed (a provincial admin's with its province); a category's limit is set.
    page.click("#contact-list li:has-text('admin.sumut') button")
    assert page.input_value("#contact-form [name=username]") == "admin.sumut"
    assert page.input_value("#contact-form [name=province_code]") == "12"
    c.submit("#sla-category-form", {"category_id": "street-lighting", "stage": "completion_complaint", "days": "10"},
             expect="#sla-overrides li:has-text('completion_complaint 10')")
    c.submit("#calendar-form", {"date": "2031-06-16", "note": "Cuti bersama tambahan"})
    c.submit("#key-form", {"client_name": "Aplikasi Kota Medan"}, expect="#key-once:not([hidden])")
    assert re.match(r"^lapor311\.[0-9a-f]{12}\.", page.inner_text("#new-key"))
    page.click("#keys-list li:has-text('Aplikasi Kota Medan') button")
    page.wait_for_selector("#keys-list li:has-text('Aplikasi Kota Medan') .tag")
    c.shot("settings")


def test_an_agency_admin_names_a_liaison_officer_and_their_contact(console):
    c = console()
    c.sign_in("admin.medan")
    c.open_screen("admin", "#duty select")
    page = c.page
    assert page.locator("#calendar").count() == 0 and page.locator("#keys").count() == 0
    c.submit("#contact-form", {"username": "penghubung.satpol.medan", "name": "Andi Satpol",
                               "unit_id": "pemkot-medan.satpolpp", "email": "bukan-email"}, expect="#contact-form .has-error")
    c.submit("#contact-form", {"email": "andi@pemkomedan.go.id"})
    # Now a liaison officer of the unit, the contact is given a period on duty.
    page.select_option("#duty select", "pemkot-medan.satpolpp")
    page.wait_for_selector("#assignment-new:visible")
    c.submit("#assignment-new", {"username": "penghubung.satpol.medan", "start": "2026-01-01"},
             expect="#duty-list li:has-text('penghubung.satpol.medan')")
    # The period is ended by picking it from the listed ones, not by typing its id.
    c.submit("#assignment-end", {"assignment_id": "2026-01-01~penghubung.satpol.medan", "end": "2026-12-31"},
             expect="#duty-list li:has-text('31 Desember 2026')")
    # Its contact rows are listed; editing one fills the form (no username to type).
    page.click("#contact-list li:has-text('penghubung.dishub.medan') button")
    assert page.input_value("#contact-form [name=username]") == "penghubung.dishub.medan"
    assert page.input_value("#contact-form [name=unit_id]") == "pemkot-medan.dishub"
    assert page.locator("#contact-form [name=province_code]").count() == 0
    check_accessibility(page, "settings (agency)")
    c.shot("settings-agency")


@pytest.mark.parametrize("path", ["/", "/track"])
def test_the_public_pages_have_no_serious_accessibility_violation(page, path):
    page.goto(path)
    page.wait_for_load_state("networkidle")
    check_accessibility(page, path)


def test_the_console_page_may_reach_cognito_and_reads_its_settings_from_the_stack(stack):
    with urllib.request.urlopen(stack.api_url + "/console", timeout=10) as answer:  # noqa: S310 (local)
        csp = answer.headers["Content-Security-Policy"]
        body = answer.read().decode()
    assert f"connect-src 'self' {stack.moto_url};" in csp and "script-src 'self';" in csp
    assert 'for="username">Nama pengguna / Username<' in body and "<script>" not in body
    with urllib.request.urlopen(stack.api_url + "/console/config.json", timeout=10) as answer:  # noqa: S310
        config = json.loads(answer.read())
    assert config == {"region": "ap-southeast-3", "user_pool_id": stack.state["user_pool_id"],
                      "client_id": stack.state["client_id"], "cognito_endpoint": stack.moto_url + "/",
                      "queue_statuses": ["submitted", "dispatched", "assigned", "in_progress"]}


def test_a_first_sign_in_sets_a_new_password_at_cognito(console, stack):
    from devtools.stack import aws_client

    cognito = aws_client("cognito-idp", stack.moto_url)
    pool = stack.state["user_pool_id"]
    cognito.admin_create_user(UserPoolId=pool, Username="penghubung.baru", TemporaryPassword="Sementara#2026a",
                              MessageAction="SUPPRESS", UserAttributes=[
                                  {"Name": "email", "Value": "baru@pemkomedan.go.id"},
                                  {"Name": "custom:agency_id", "Value": "pemkot-medan"},
                                  {"Name": "custom:unit_id", "Value": "pemkot-medan.dishub"}])
    cognito.admin_add_user_to_group(UserPoolId=pool, Username="penghubung.baru", GroupName="liaison_officer")
    c = console()
    page = c.page
    page.goto("/console")
    page.get_by_label("Nama pengguna / Username").fill("penghubung.baru")
    page.get_by_label("Kata sandi / Password").fill("Sementara#2026a")
    page.get_by_role("button", name="Masuk / Sign in").click()
    page.wait_for_selector("#new-password-group:not([hidden])")
    check_accessibility(page, "new password")
    page.get_by_label("Kata sandi baru / New password").fill("Baru#Sekali2026")
    page.get_by_label("Ulangi kata sandi baru / Repeat the new password").fill("Baru#Sekali2027")
    page.get_by_role("button", name="Masuk / Sign in").click()
    assert page.inner_text("#new-password2-error") == "Kedua kata sandi tidak sama."
    page.get_by_label("Ulangi kata sandi baru / Repeat the new password").fill("Baru#Sekali2026")
    page.get_by_role("button", name="Masuk / Sign in").click()
    page.wait_for_selector("#queue-table[aria-busy=false]")
    assert "Pejabat penghubung" in page.inner_text("#who")
    page.click("#sign-out")
    page.wait_for_selector("#signin:not([hidden])")
    assert page.inner_text("#notice") == "Anda telah keluar."
    assert page.evaluate("sessionStorage.getItem('lapor.console.session')") is None
