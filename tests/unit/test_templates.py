"""Every message template renders in both languages; every SMS fits one GSM-7 segment."""
from __future__ import annotations

import pytest

from chalicelib.services.notifications import SMS_LIMIT, TEMPLATES, is_gsm7, render

LONGEST = {
    "tracking_id": "WXYZ-7890", "title": "T" * 150, "agency": "Perumda Air Minum Tirtanadi Provinsi Sumatera Utara",
    "track_url": "https://lapor.sumutprov.go.id/track?id=WXYZ-7890", "message": "<b>ok</b> & 'quoted'",
    "due": "31-12-2024", "name": "Nama Yang Sangat Panjang Sekali", "unit": "Dinas Sumber Daya Air",
    "stage_id": "tanggapan pertama", "stage_en": "first response", "days_left": "2 hari lagi / in 2 days",
    "count": 999, "date": "30-12-2024", "items": "- A", "items_html": "<li>A</li>",
    "console_url": "https://lapor.sumutprov.go.id/console#/reports/WXYZ-7890",
    "console_short": "https://lapor.sumutprov.go.id/console?r=WXYZ-7890",
    "queue_url": "https://lapor.sumutprov.go.id/console#/queue?within=2",
    "access_code": "MD03ZH5RZJ", "status_id": "Menunggu tanggapan pelapor", "status_en": "Dispatched to agency",
    "refused": "Lampiran tidak disimpan: <b>ok</b>.exe (hanya JPEG) / Attachments not kept",
    "reason_id": "tanggapan tidak dapat diberikan pada status ini", "reason_en": "a follow-up cannot be given now",
    # issue 14: a support's code, a follower's opt-out link (the longest token), a merge's original
    "code": "123456", "original_id": "ABCD-1234", "original_url": "https://lapor.sumutprov.go.id/track?id=ABCD-1234",
    "opt_out_url": "https://lapor.sumutprov.go.id/supports/opt-out?token=WXYZ-7890."
                   "0123456789abcdef0123.0123456789abcdef",
}

NAMES = sorted(p.stem for p in TEMPLATES.glob("*.txt"))
OFFICER_NAMES = [n for n in NAMES if n.startswith("officer_")]
# Answers to inbound messages that name no report (a format answer, a limit).
NO_REPORT = {"officer_digest", "inbound_help", "inbound_no_region", "inbound_too_short", "inbound_too_many",
             "inbound_help_email", "inbound_no_region_email", "inbound_too_short_email",
             *(n for n in NAMES if n.startswith("whatsapp_"))}  # the guided dialogue's questions


@pytest.mark.parametrize("name", NAMES)
def test_sms_fits_one_gsm7_segment_with_the_tracking_number(name):
    sms = render(name, LONGEST)["sms"]
    assert len(sms) <= SMS_LIMIT and is_gsm7(sms), sms
    if name not in NO_REPORT:
        assert "WXYZ-7890" in sms


@pytest.mark.parametrize("name", NAMES)
def test_email_has_subject_text_and_escaped_html_in_both_languages(name):
    rendered = render(name, LONGEST)
    assert rendered["subject"] and " / " in rendered["subject"]
    assert rendered["text"] and rendered["html"].count('lang="en"') == 1
    assert "<b>ok</b>" not in rendered["html"]


def test_reminder_sms_carries_the_date_due():
    assert "31-12-2024" in render("officer_reminder", LONGEST)["sms"]
    assert "31-12-2024" in render("reporter_dispatched", LONGEST)["sms"]


@pytest.mark.parametrize("name", [n for n in OFFICER_NAMES if n != "officer_digest"])
def test_every_staff_message_links_to_its_report_in_the_console(name):
    rendered = render(name, LONGEST)
    assert LONGEST["console_url"] in rendered["text"]
    assert f'href="{LONGEST["console_url"]}"' in rendered["html"]
    assert rendered["sms"].endswith(LONGEST["console_short"])  # whole, never cut by the 160 limit


def test_the_digest_links_to_the_filtered_queue_in_every_channel():
    rendered = render("officer_digest", LONGEST)
    assert LONGEST["queue_url"] in rendered["text"] and LONGEST["queue_url"] in rendered["sms"]
    assert f'href="{LONGEST["queue_url"]}"' in rendered["html"]


@pytest.fixture
def origin(monkeypatch):
    from chalicelib.config import settings

    monkeypatch.setenv("PUBLIC_ORIGIN", "https://lapor.medan.go.id/api")
    settings.cache_clear()
    yield "https://lapor.medan.go.id/api"
    settings.cache_clear()


def test_console_links_come_from_the_configured_public_origin(origin):
    from chalicelib.services import notifications

    assert notifications.console_url("C0P7-RX82") == f"{origin}/console#/reports/C0P7-RX82"
    assert notifications.console_short_url("C0P7-RX82") == f"{origin}/console?r=C0P7-RX82"
    assert notifications.console_queue_url(2) == f"{origin}/console#/queue?within=2"


def test_a_reminder_built_for_a_report_carries_its_console_links(origin):
    import datetime as dt

    from chalicelib.domain.report import Notice
    from chalicelib.domain.roles import Role
    from chalicelib.domain.staff import StaffMember
    from chalicelib.services.notifications import messages_for_notice

    from .builders import MEDAN, started, wib

    report = started(agency=MEDAN)
    officer = StaffMember(username="admin.medan", name="Admin Medan", role=Role.AGENCY_ADMIN.value,
                          email="admin@medan.go.id", phone="+6281200000001", agency_id=MEDAN.id)

    class Directory:
        def agency(self, agency_id):
            return MEDAN

        def staff_with_role(self, role, scope):
            return [officer] if role == "agency_admin" else []

    due = report.deadline("agency_review")
    messages = messages_for_notice(Directory(), report, Notice("breach", "agency_review", due, "k"), wib(2024, 12, 9))
    by_channel = {m.channel: m for m in messages}
    assert f"{origin}/console#/reports/{report.tracking_id}" in by_channel["email"].text
    assert by_channel["sms"].text.endswith(f"{origin}/console?r={report.tracking_id}")
    assert len(by_channel["sms"].text) <= 160


def test_the_sms_answer_to_a_new_report_carries_its_tracking_number_and_access_code_whole():
    sms = render("inbound_filed", {**LONGEST, "status_id": "", "status_en": ""})["sms"]
    assert "WXYZ-7890" in sms and "MD03ZH5RZJ" in sms and len(sms) <= SMS_LIMIT


@pytest.mark.parametrize("name", sorted(NO_REPORT - {"officer_digest", "inbound_too_many"}))
def test_every_format_answer_shows_the_keywords(name):
    assert "LAPOR" in render(name, LONGEST)["sms"]


@pytest.mark.parametrize("name", [n for n in NAMES if n.startswith("inbound_")])
def test_every_inbound_answer_fits_before_the_160_character_guard_cuts_it(name):
    from chalicelib.services.notifications import template

    assert len(template(name)["sms"].substitute(LONGEST)) <= SMS_LIMIT
