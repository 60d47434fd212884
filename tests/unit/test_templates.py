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
}
NAMES = sorted(p.stem for p in TEMPLATES.glob("*.txt"))


@pytest.mark.parametrize("name", NAMES)
def test_sms_fits_one_gsm7_segment_with_the_tracking_number(name):
    sms = render(name, LONGEST)["sms"]
    assert len(sms) <= SMS_LIMIT and is_gsm7(sms), sms
    if name != "officer_digest":
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
