"""E-mail conversations end to end at moto: attachments kept from a real MIME message, signed
reply addresses (the reporter's and an officer's), officers answering by e-mail through the same
rules as the staff API, and a forged address that never acts on a report."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import boto3
import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from chalicelib import wiring
from chalicelib.adapters.email_inbound import bucket
from chalicelib.config import settings
from chalicelib.domain.image_metadata import exif_orientation
from chalicelib.domain.reply_address import ReplyTo, read_reply_address, reply_address
from devtools.inbound import ses_receipt_event, store_mail
from scheduled.sweep import run_sweep
from tests.support import WIB

MAIL = Path(__file__).resolve().parent.parent / "fixtures" / "mail"
INBOX = "lapor@lapor.example.go.id"
SITI = "siti.rahmawati@example.com"
BUDI = "budi.santoso@example.co.id"
DISHUB, DLH, MEDAN = "penghubung.dishub.medan", "penghubung.dlh.medan", "admin.medan"


def staff_address(username: str) -> str:
    return f"{username}@lapor.example.go.id"


def mails_to(address: str) -> list:
    return [m for m in ses_backends[DEFAULT_ACCOUNT_ID]["ap-southeast-3"].sent_messages
            if m.destinations["ToAddresses"] == [address]]


def mime(sender: str, subject: str, text: str, message_id: str, to: str = INBOX, attach: tuple = ()) -> bytes:
    from email.message import EmailMessage

    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"], mail["Message-ID"] = sender, to, subject, message_id
    mail.set_content(text)
    for filename, data, (maintype, subtype) in attach:
        mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return mail.as_bytes()


@pytest.fixture
def reply_to(monkeypatch):
    """The stack's INBOUND_ADDRESS set, and every Reply-To the notifier sends captured (moto's SES
    keeps no Reply-To): {recipient: [reply-to address, ...]}."""
    from chalicelib import config
    from chalicelib.adapters import notifier

    monkeypatch.setenv("INBOUND_ADDRESS", INBOX)
    config.settings.cache_clear()
    captured: dict[str, list[str]] = {}

    def capture(params, **kwargs):
        for to in params["Destination"]["ToAddresses"]:
            captured.setdefault(to, []).extend(params.get("ReplyToAddresses", []))

    ses = notifier._client("ses")
    ses.meta.events.register("before-parameter-build.ses.SendEmail", capture)
    yield captured
    ses.meta.events.unregister("before-parameter-build.ses.SendEmail", capture)
    monkeypatch.delenv("INBOUND_ADDRESS")
    config.settings.cache_clear()


@pytest.fixture
def deliver(client, platform, reply_to):
    s3 = boto3.client("s3", region_name="ap-southeast-3")
    for name in (bucket(), settings().attachments_bucket):
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "ap-southeast-3"})
    counter = iter(range(1, 1000))

    def deliver(raw: bytes, to: str = INBOX):
        ses_id = f"ses{next(counter):04d}q7kx0b2n5slbk2p0m1"
        store_mail(raw, ses_id)
        return client.lambda_.invoke("inbound_email", ses_receipt_event(ses_id, wiring.now(), recipient=to)).payload

    return deliver


def tracking_id_in(mail) -> str:
    return re.search(r"\[LAPOR (\w{4}-\w{4})\]", mail.subject).group(1)


def kept_files(api, tid: str) -> list[dict]:
    status, body = api.get(f"/staff/reports/{tid}/attachments", user="admin.pusat")
    assert status == 200, body
    return body["attachments"]


def stored_bytes(tid: str) -> list[bytes]:
    s3 = boto3.client("s3", region_name="ap-southeast-3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=settings().attachments_bucket,
                                                 Prefix=f"reports/{tid}/").get("Contents", [])]
    assert all("/kept/" in k for k in keys)  # nothing half-saved: only checked, cleaned files
    return [s3.get_object(Bucket=settings().attachments_bucket, Key=k)["Body"].read() for k in keys]


# ---- attachments --------------------------------------------------------------------------------------
def test_an_emailed_photo_is_kept_without_its_gps_and_a_word_file_is_refused_by_name(deliver, api):
    raw = (MAIL / "new-report-attachments.eml").read_bytes()
    assert b"R58W90ABCDE" not in raw  # the fixture carries the photo base64-encoded, as mail does
    assert deliver(raw) == {"filed": 1}
    (answer,) = mails_to(BUDI)
    tid = tracking_id_in(answer)
    assert "surat_kepling.docx" in answer.body and "Attachments not kept" in answer.body
    assert "IMG_20241219_184512.jpg" not in answer.body
    (photo,) = kept_files(api, tid)
    assert photo["content_type"] == "image/jpeg" and photo["filename"] == "IMG_20241219_184512.jpg"
    (data,) = stored_bytes(tid)
    assert data.startswith(b"\xff\xd8\xff")
    assert b"R58W90ABCDE" not in data and b"SM-A546E" not in data and b"samsung" not in data  # serial, model
    assert exif_orientation(data) in (None, 1)  # no GPS IFD survives: at most the orientation
    from PIL import Image  # the photo still opens and has no GPS block
    import io
    assert 0x8825 not in Image.open(io.BytesIO(data)).getexif()


def test_a_reporters_reply_with_a_photo_adds_it_and_a_closed_report_refuses_it(deliver, api):
    assert deliver((MAIL / "new-report-attachments.eml").read_bytes()) == {"filed": 1}
    tid = tracking_id_in(mails_to(BUDI)[0])
    api.act(tid, "admin.pusat", "postpone", message="Mohon sebutkan nomor rumah terdekat")
    png = (MAIL / "new-report-attachments.eml").read_bytes()  # any bytes: only the photo below is kept
    jpeg = stored_bytes(tid)[0]
    reply = mime(BUDI, f"Re: [LAPOR {tid}] Laporan ditunda", "Di depan rumah nomor 17, foto kedua terlampir.",
                 "<r1@mail.example>", attach=(("lubang-2.jpg", jpeg, ("image", "jpeg")),
                                              ("catatan.txt", png[:200], ("application", "octet-stream"))))
    assert deliver(reply) == {"replied": 1}
    assert len(kept_files(api, tid)) == 2
    assert "catatan.txt" in mails_to(BUDI)[-1].body
    api.act(tid, "admin.pusat", "archive", reason="duplicate")
    late = mime(BUDI, f"Re: [LAPOR {tid}] x", "Satu foto lagi.", "<r2@mail.example>",
                attach=(("lubang-3.jpg", jpeg, ("image", "jpeg")),))
    deliver(late)
    assert len(kept_files(api, tid)) == 2
    assert "report is closed" in mails_to(BUDI)[-1].body


# ---- signed reply addresses ---------------------------------------------------------------------------
def filed_by_siti(deliver) -> str:
    assert deliver((MAIL / "new-report.eml").read_bytes()) == {"filed": 1}
    return tracking_id_in(mails_to(SITI)[0])


def test_the_filing_answer_carries_the_reporters_signed_address_and_a_reply_to_it_needs_no_subject_tag(
        deliver, api, reply_to):
    tid = filed_by_siti(deliver)
    (signed,) = reply_to[SITI]
    assert read_reply_address(settings().reply_address_key, signed) == ReplyTo(tid, None)
    api.act(tid, "admin.pusat", "postpone", message="Sebutkan nomor tiang lampu")
    assert deliver(mime(SITI, "Nomor tiang", "Tiang nomor 12, depan SD 060.", "<c1@x>", to=signed.upper()),
                   to=signed.upper()) == {"replied": 1}
    _, report = api.get(f"/staff/reports/{tid}", user="admin.pusat")
    assert report["status"] == "submitted"
    assert [e["message"] for e in report["history"] if e["action"] == "clarify"] == ["Tiang nomor 12, depan SD 060."]


def test_an_altered_reply_address_never_acts_on_a_report(deliver, api, reply_to):
    tid = filed_by_siti(deliver)
    (signed,) = reply_to[SITI]
    api.act(tid, "admin.pusat", "postpone", message="Sebutkan nomor tiang lampu")
    before = api.get(f"/staff/reports/{tid}", user="admin.pusat")[1]
    local, _, domain = signed.partition("@")
    flipped = local[:-1] + ("a" if local[-1] != "a" else "b")
    other_report = local[:2] + ("z" if local[2] != "z" else "y") + local[3:]
    for n, forged in enumerate((f"{flipped}@{domain}", f"{other_report}@{domain}", f"{local}.{DISHUB}@{domain}")):
        outcome = deliver(mime(SITI, "Nomor tiang", "Tiang nomor 12, depan SD 060.", f"<f{n}@x>", to=forged), to=forged)
        assert outcome == {"answered": 1}  # read as a new message to the plain address: no region, the format
    assert without_reads(api.get(f"/staff/reports/{tid}", user="admin.pusat")[1]) == without_reads(before)


def without_reads(view: dict) -> dict:
    """The report as stored: the history less the audit's identity reads (each view adds one)."""
    return {**view, "history": [h for h in view["history"] if h["action"] != "identity_read"]}


# ---- officers answering by e-mail ---------------------------------------------------------------------
def assigned(api, tid: str) -> None:
    api.act(tid, "admin.pusat", "dispatch", agency_id="pemkot-medan")
    api.act(tid, MEDAN, "assign", unit_id="pemkot-medan.dishub")


def test_the_officers_reminder_is_answered_by_reply_and_becomes_their_follow_up(deliver, api, platform, reply_to):
    tid = filed_by_siti(deliver)
    assigned(api, tid)
    moment = dt.datetime(2024, 12, 27, 8, 0, tzinfo=WIB)  # two working days before the first response is due
    platform.clock.set(moment)
    run_sweep(moment)
    (reminder,) = [m for m in mails_to(staff_address(DISHUB)) if "Pengingat" in m.subject]
    (signed,) = reply_to[staff_address(DISHUB)][-1:]
    assert read_reply_address(settings().reply_address_key, signed) == ReplyTo(tid, DISHUB)
    body = ("Selamat pagi Bu Siti, petugas PJU dijadwalkan memperbaiki lampu Senin 30 Desember.\n\n"
            "On Fri, 27 Dec 2024 at 08:00, LAPOR <noreply@lapor.example.go.id> wrote:\n"
            f"> {reminder.subject}\n> Buka di konsol petugas")
    answer = mime(f"Dinas Perhubungan <{staff_address(DISHUB)}>", "Re: Pengingat", body, "<o1@x>", to=signed)
    assert deliver(answer, to=signed) == {"responded": 1}
    _, report = api.get(f"/staff/reports/{tid}", user="admin.pusat")
    assert report["status"] == "in_progress"
    (follow_up,) = [e for e in report["history"] if e["action"] == "respond"]
    assert follow_up["message"] == "Selamat pagi Bu Siti, petugas PJU dijadwalkan memperbaiki lampu Senin 30 Desember."
    assert follow_up["actor"] == f"liaison_officer:{DISHUB}"
    assert "Tindak lanjut" in mails_to(SITI)[-1].subject or "follow-up" in mails_to(SITI)[-1].subject.lower()
    assert "Tanggapan Anda tercatat" in mails_to(staff_address(DISHUB))[-1].subject
    assert deliver(answer, to=signed) == {"duplicate": 1}  # SES delivered it twice: one follow-up
    assert len([e for e in api.get(f"/staff/reports/{tid}", user="admin.pusat")[1]["history"]
                if e["action"] == "respond"]) == 1


def test_an_officer_answers_by_the_subject_tag_from_their_registered_address(deliver, api):
    tid = filed_by_siti(deliver)
    assigned(api, tid)
    raw = mime(staff_address(DISHUB), f"Re: [LAPOR {tid}] Pengingat", "Sudah kami cek ke lokasi.", "<o2@x>")
    assert deliver(raw) == {"responded": 1}
    assert api.get(f"/staff/reports/{tid}", user="admin.pusat")[1]["status"] == "in_progress"


def test_staff_whom_the_rules_do_not_allow_get_an_answer_saying_why_and_nothing_changes(deliver, api, reply_to):
    tid = filed_by_siti(deliver)
    assigned(api, tid)
    before = api.get(f"/staff/reports/{tid}", user="admin.pusat")[1]
    # the agency admin handles the report but only a liaison officer gives follow-ups
    assert deliver(mime(staff_address(MEDAN), f"Re: [LAPOR {tid}] x", "Segera ditangani.", "<n1@x>")) == {"answered": 1}
    assert "cannot be given in this status" in mails_to(staff_address(MEDAN))[-1].body
    # another unit's officer, with an address signed for them (say a report moved away)
    theirs = reply_address(settings().reply_address_key, "lapor.example.go.id", tid, DLH)
    assert deliver(mime(staff_address(DLH), "Re: x", "Bukan wewenang kami.", "<n2@x>", to=theirs), to=theirs) \
        == {"answered": 1}
    refusal = mails_to(staff_address(DLH))[-1]
    assert "not yours to answer" in refusal.body and "Lampu" not in refusal.body
    # someone else writing to the officer's signed address is not the officer
    mine = reply_address(settings().reply_address_key, "lapor.example.go.id", tid, DISHUB)
    assert deliver(mime("penipu@example.net", "Re: x", "Laporan selesai.", "<n3@x>", to=mine), to=mine) \
        == {"answered": 1}
    assert without_reads(api.get(f"/staff/reports/{tid}", user="admin.pusat")[1]) == without_reads(before)
