"""Inbound e-mail end to end: real MIME messages stored where the SES receipt rule's S3 action puts
them, then the rule's Lambda action event through the deployed handler (chalice's Lambda test
client), against moto; each path ends in the report store and in the e-mail moto's SES holds."""
from __future__ import annotations

import re
from email.message import EmailMessage
from pathlib import Path

import boto3
import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from chalicelib import wiring
from chalicelib.adapters.email_inbound import bucket
from devtools.inbound import ses_receipt_event, store_mail

MAIL = Path(__file__).resolve().parent.parent / "fixtures" / "mail"
REPORTER = "siti.rahmawati@example.com"
STRANGER = "penipu@example.net"
SAMPLE_TID = "XQAZ-QAXK"


def mails_to(address: str) -> list:
    return [m for m in ses_backends[DEFAULT_ACCOUNT_ID]["ap-southeast-3"].sent_messages
            if m.destinations["ToAddresses"] == [address]]


def message(subject: str, text: str, sender: str = REPORTER, message_id: str = "<m1@mail.example.com>",
            **headers: str) -> bytes:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"], mail["Message-ID"] = sender, "lapor@lapor.example.go.id", subject, message_id
    for name, value in headers.items():
        mail[name.replace("_", "-")] = value
    mail.set_content(text)
    return mail.as_bytes()


@pytest.fixture
def deliver(client, platform):
    boto3.client("s3", region_name="ap-southeast-3").create_bucket(
        Bucket=bucket(), CreateBucketConfiguration={"LocationConstraint": "ap-southeast-3"})
    counter = iter(range(1, 1000))

    def deliver(raw: bytes, ses_id: str | None = None, **verdicts: str):
        """A new SES delivery (each has its own SES messageId) of the raw message."""
        ses_id = ses_id or f"ses{next(counter):04d}o8rr0a3h5slbk2p0m1"
        store_mail(raw, ses_id)
        return client.lambda_.invoke("inbound_email", ses_receipt_event(ses_id, wiring.now(), verdicts=verdicts)).payload

    return deliver


def staff_view(api, tid: str) -> dict:
    return api.get(f"/staff/reports/{tid}", user="admin.pusat")[1]


def email_reports(api) -> list[str]:
    return [r["tracking_id"] for r in api.get("/staff/reports?channel=email", user="admin.pusat")[1]["items"]]


def sample(name: str, tracking_id: str | None = None) -> bytes:
    raw = (MAIL / name).read_bytes()
    return raw.replace(SAMPLE_TID.encode(), tracking_id.encode()) if tracking_id else raw


def filed(deliver) -> tuple[str, str]:
    assert deliver(sample("new-report.eml")) == {"filed": 1}
    (answer,) = mails_to(REPORTER)
    tid = re.search(r"\[LAPOR (\w{4}-\w{4})\]", answer.subject).group(1)
    code = re.search(r"Kode akses: <strong>(\w+)</strong>", answer.body).group(1)
    return tid, code


def test_an_email_files_a_report_from_its_subject_and_body_and_the_answer_carries_number_and_code(deliver, api):
    tid, code = filed(deliver)
    _, report = api.get(f"/staff/reports/{tid}", user="admin.pusat")
    assert report["channel"] == "email" and report["status"] == "submitted"
    assert report["title"] == "Lampu jalan mati di Jl. Sisingamangaraja"
    assert report["location"]["regency_code"] == "12.71"
    assert report["reporter"]["email"] == REPORTER and report["reporter"]["name"] == "Siti Rahmawati"
    assert report["description"].startswith("Selamat pagi,\n\nSudah dua minggu lampu jalan")
    assert "Warga Kec." not in report["description"]  # the signature is not the report
    assert report["received_at"].startswith("2024-12-20T")
    status, _ = api.get(f"/reports/{tid}", headers={"X-Access-Code": code})
    assert status == 200
    (answer,) = mails_to(REPORTER)
    assert "Your report was received" in answer.body and "balas e-mail dari LAPOR itu" in answer.body


def test_a_repeated_message_files_nothing_more_and_sends_nothing_more(deliver, api):
    tid, _ = filed(deliver)
    assert deliver(sample("new-report.eml")) == {"duplicate": 1}  # the sender's server sent it twice
    assert deliver(sample("new-report.eml"), ses_id="ses0001o8rr0a3h5slbk2p0m1") == {"duplicate": 1}  # Lambda retry
    assert email_reports(api) == [tid] and len(mails_to(REPORTER)) == 1


def test_a_reply_to_the_platform_email_adds_the_reporters_words_without_the_quoted_history(deliver, api):
    tid, _ = filed(deliver)
    api.act(tid, "admin.pusat", "dispatch", agency_id="pemkot-medan")
    api.act(tid, "admin.medan", "assign", unit_id="pemkot-medan.dishub")
    api.act(tid, "penghubung.dishub.medan", "respond", message="Di titik mana tepatnya?")
    assert deliver(sample("reply.eml", tid)) == {"replied": 1}
    _, report = api.get(f"/staff/reports/{tid}", user="admin.pusat")
    (reply,) = [e for e in report["history"] if e["action"] == "reply"]
    assert reply["message"] == ("Tiangnya yang persis di depan SD Negeri 060, nomor tiang 12.\n"
                                "Lampu di tiang 13 juga berkedip-kedip.")
    assert "Balasan Anda untuk laporan" in mails_to(REPORTER)[-1].body


def test_a_reply_from_another_address_is_refused_and_changes_nothing(deliver, api):
    tid, _ = filed(deliver)
    api.act(tid, "admin.pusat", "postpone", message="Sebutkan nomor tiang lampu")
    before = staff_view(api, tid)
    assert deliver(sample("reply.eml", tid).replace(REPORTER.encode(), STRANGER.encode())) == {"answered": 1}
    events = lambda view: {**view, "history": [e for e in view["history"] if e["action"] != "identity_read"]}  # noqa: E731
    assert events(staff_view(api, tid)) == events(before)  # the central admin's own reads aside (audit rows)
    assert ["tidak dikenal" in m.body for m in mails_to(STRANGER)] == [True]
    # the reporter's own address clarifies it, whatever case a mail program writes it in
    assert deliver(message(f"Re: [LAPOR {tid}] Laporan Anda", "Tiang nomor 12, depan SD 060.",
                           sender=REPORTER.upper(), message_id="<m2@x>")) == {"replied": 1}
    assert staff_view(api, tid)["status"] == "submitted"


@pytest.mark.parametrize("subject,text,answer", [
    ("Halo", "Apa kabar? Ini hanya salam.", "awali subjek dengan kota"),
    ("Lampu jalan mati sudah dua minggu", "Di depan rumah saya, mohon diperbaiki.", "awali subjek dengan kota"),
    ("Medan: Lampu", "mati", "minimal 10 huruf"),
    ("Re: [LAPOR ABCD-EFGH] x", "Tiang nomor 12.", "tidak dikenal"),
])
def test_what_cannot_be_understood_gets_the_email_format_and_files_nothing(deliver, api, subject, text, answer):
    assert deliver(message(subject, text)) == {"answered": 1}
    (last,) = mails_to(REPORTER)
    assert answer in last.body and '<p lang="en">' in last.body and " / " in last.subject  # both languages
    assert email_reports(api) == []


def test_a_region_named_in_the_body_files_the_report_there(deliver, api):
    assert deliver(message("Pohon tumbang menutup jalan", "Lokasi: Kab. Pasaman\nPohon besar tumbang di jalan "
                                                          "lintas Lubuk Sikaping sejak pagi.")) == {"filed": 1}
    (tid,) = email_reports(api)
    report = staff_view(api, tid)
    assert report["location"]["regency_code"] == "13.08" and report["title"] == "Pohon tumbang menutup jalan"


@pytest.mark.parametrize("raw,verdicts", [
    (message("Medan: Lampu jalan mati", "Lampu mati dua minggu.", Auto_Submitted="auto-replied"), {}),
    (message("Medan: Lampu jalan mati", "Lampu mati dua minggu.", sender="MAILER-DAEMON@example.com"), {}),
    (message("Medan: Lampu jalan mati", "Lampu mati dua minggu.", sender="not an address"), {}),
    (message("Medan: Lampu jalan mati", "Lampu mati dua minggu."), {"dmarcVerdict": "FAIL"}),
    (message("Medan: Lampu jalan mati", "Lampu mati dua minggu."), {"virusVerdict": "FAIL"}),
    (b"\x00\xff garbage \r\n\r\n", {}),
])
def test_automatic_forged_or_unreadable_mail_is_logged_and_dropped_without_an_answer(deliver, raw, verdicts):
    assert deliver(raw, **verdicts) == {"dropped": 1}
    assert ses_backends[DEFAULT_ACCOUNT_ID]["ap-southeast-3"].sent_messages == []


def test_a_reply_with_nothing_but_quoted_history_gets_the_format(deliver, api):
    tid, _ = filed(deliver)
    api.act(tid, "admin.pusat", "postpone", message="Sebutkan nomor tiang lampu")
    quoted = message(f"Re: [LAPOR {tid}] x", "On Fri, 20 Dec 2024 LAPOR wrote:\n> Sebutkan nomor tiang", message_id="<q@x>")
    assert deliver(quoted) == {"answered": 1}
    assert "Cara melapor lewat e-mail" in mails_to(REPORTER)[-1].body


def test_an_event_naming_no_stored_message_is_dropped(client, deliver):
    for event in ({}, {"Records": [{"ses": {}}]}, ses_receipt_event("missing-object", wiring.now()),
                  ses_receipt_event("../etc/passwd", wiring.now())):
        counts = client.lambda_.invoke("inbound_email", event).payload
        assert set(counts) <= {"dropped"}


def test_status_in_the_subject_is_answered_to_the_reporter_only_while_unpublished(deliver):
    tid, _ = filed(deliver)
    assert deliver(message(f"status {tid}", "", message_id="<s1@x>")) == {"status": 1}
    assert "Belum terverifikasi" in mails_to(REPORTER)[-1].body
    assert deliver(message(f"STATUS {tid}", "", sender=STRANGER, message_id="<s2@x>")) == {"answered": 1}
    assert "Belum terverifikasi" not in mails_to(STRANGER)[-1].body


@pytest.fixture
def inbound_address(monkeypatch):
    from chalicelib import config

    monkeypatch.setenv("INBOUND_ADDRESS", "lapor@lapor.example.go.id")
    config.settings.cache_clear()
    yield "lapor@lapor.example.go.id"
    monkeypatch.delenv("INBOUND_ADDRESS")
    config.settings.cache_clear()


def test_the_platforms_e_mail_is_answered_to_the_reporters_signed_reply_address_not_noreply(api, inbound_address):
    """So a reporter who simply replies to a notification reaches the platform, on that report
    whatever the subject says, instead of a noreply mailbox."""
    from chalicelib.config import settings
    from chalicelib.domain.reply_address import ReplyTo, read_reply_address

    from chalicelib.adapters import notifier

    sent = []
    ses = notifier._client("ses")

    def capture(params, **kwargs):
        sent.append(params)

    ses.meta.events.register("before-parameter-build.ses.SendEmail", capture)
    try:
        tid = api.submit()["tracking_id"]
        api.act(tid, "admin.pusat", "dispatch", agency_id="pemkot-medan")
    finally:
        ses.meta.events.unregister("before-parameter-build.ses.SendEmail", capture)
    to_reporter = [p for p in sent if p["Destination"]["ToAddresses"] == ["siti@example.com"]]
    assert to_reporter and all(p["Source"] != inbound_address for p in to_reporter)
    for p in to_reporter:
        (address,) = p["ReplyToAddresses"]
        assert address.startswith("r+") and address.endswith("@lapor.example.go.id") and len(address.split("@")[0]) <= 64
        assert read_reply_address(settings().reply_address_key, address) == ReplyTo(tid, None)
