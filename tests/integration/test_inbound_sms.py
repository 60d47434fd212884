"""Two-way SMS end to end: Pinpoint-over-SNS payloads as AWS delivers them, through the deployed
handler (chalice's Lambda test client), against moto; each path ends in the report store and in
the SMS moto's SNS holds."""
from __future__ import annotations

import json

import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.sns.models import sns_backends

from chalicelib import wiring
from chalicelib.services import inbound
from tests.integration.conftest import START

REPORTER = "+6281377774321"
STRANGER = "+6285211112222"
TOLL_FREE = "+621708"


def pinpoint(body: str, sender: str = REPORTER, message_id: str = "cae173d2-66b9-564c-8309-21f858e9fb84") -> str:
    """A recorded AWS End User Messaging two-way payload (the documented shape)."""
    return json.dumps({"originationNumber": sender, "destinationNumber": TOLL_FREE,
                       "messageKeyword": (body.split() or ["KEYWORD"])[0].upper(), "messageBody": body,
                       "inboundMessageId": message_id,
                       "previousPublishedMessageId": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"})


def sms_sent() -> list[tuple[str, str]]:
    return list(sns_backends[DEFAULT_ACCOUNT_ID]["ap-southeast-3"].sms_messages.values())


@pytest.fixture
def deliver(client, platform):
    def deliver(body: str, sender: str = REPORTER, message_id: str = "msg-1", raw: str | None = None):
        event = client.events.generate_sns_event(message=raw if raw is not None else pinpoint(body, sender, message_id))
        event["Records"][0]["Sns"]["Timestamp"] = wiring.now().isoformat()
        return client.lambda_.invoke("inbound_sms", event).payload

    return deliver


def answers_to(number: str) -> list[str]:
    return [text for phone, text in sms_sent() if phone == number]


def filed(deliver, text="LAPOR MEDAN Lampu jalan mati di Jl. Sisingamangaraja sejak dua minggu", message_id="msg-1"):
    assert deliver(text, message_id=message_id) == {"filed": 1}
    (answer,) = [a for a in answers_to(REPORTER) if "Kode akses" in a][-1:]
    tid = answer.split()[1]
    code = answer.split("Kode akses ")[1].split()[0]
    return tid, code


def test_an_sms_files_a_report_and_the_answer_carries_its_tracking_number_and_access_code(deliver, api):
    tid, code = filed(deliver)
    status, report = api.get(f"/staff/reports/{tid}", user="admin.pusat")
    assert status == 200
    assert report["channel"] == "sms" and report["status"] == "submitted"
    assert report["location"]["regency_code"] == "12.71" and report["reporter"]["phone"] == REPORTER
    assert report["description"].startswith("Lampu jalan mati")
    assert report["received_at"] == START.isoformat() or report["received_at"].startswith("2024-12-20")
    # the code works on the web like any other
    status, _ = api.get(f"/reports/{tid}", headers={"X-Access-Code": code})
    assert status == 200
    (answer,) = answers_to(REPORTER)
    assert len(answer) <= 160


def test_the_access_code_answer_survives_a_crash_right_after_the_report_commits(deliver, platform, monkeypatch):
    """The answer is owed by the report's own change: if nothing after the commit runs (the
    container dies), Lambda's retry finds the message done and the sweep still sends the code."""
    from chalicelib.adapters.outbox import DynamoOutbox
    from scheduled.sweep import run_sweep

    def crash(*args, **kwargs):
        raise RuntimeError("the container died after the commit")

    monkeypatch.setattr(DynamoOutbox, "apply", crash)
    monkeypatch.setattr(DynamoOutbox, "put_alone", crash)
    text = "LAPOR MEDAN Lampu jalan mati di Jl. Sisingamangaraja sejak dua minggu"
    try:
        deliver(text)
    except RuntimeError:
        pass  # either way: the report is committed, nothing after it ran
    monkeypatch.undo()
    assert answers_to(REPORTER) == []
    deliver(text)  # Lambda's retry of the same delivery
    platform.clock.advance(minutes=2)
    run_sweep(platform.clock())
    (answer,) = answers_to(REPORTER)
    assert "Kode akses" in answer


def test_no_access_code_stays_in_the_outbox_once_its_sms_is_sent(deliver):
    from chalicelib.adapters.outbox import OutboxModel

    _tid, code = filed(deliver)
    rows = [m for m in OutboxModel.scan() if m.dedup_key]
    assert rows and all(m.status == "sent" for m in rows)
    assert not [m for m in rows if code in (m.text or "")]


def test_a_duplicate_delivery_files_nothing_more_and_sends_nothing_more(deliver, api):
    tid, _ = filed(deliver)
    assert deliver("LAPOR MEDAN Lampu jalan mati di Jl. Sisingamangaraja sejak dua minggu") == {"duplicate": 1}
    status, page = api.get("/staff/reports?channel=sms", user="admin.pusat")
    assert [r["tracking_id"] for r in page["items"]] == [tid]
    assert len(answers_to(REPORTER)) == 1


def test_the_reporter_replies_by_sms_and_the_reply_is_in_the_history(deliver, api):
    tid, _ = filed(deliver)
    api.act(tid, "admin.pusat", "dispatch", agency_id="pemkot-medan")
    api.act(tid, "admin.medan", "assign", unit_id="pemkot-medan.dishub")
    api.act(tid, "penghubung.dishub.medan", "respond", message="Di titik mana tepatnya?")
    reply = f"{tid.lower().replace('-', '')}   Depan   sekolah SD 060 "
    assert deliver(reply, message_id="msg-2") == {"replied": 1}
    assert deliver(reply, message_id="msg-2") == {"duplicate": 1}
    _, report = api.get(f"/staff/reports/{tid}", user="admin.pusat")
    replies = [e for e in report["history"] if e["action"] == "reply"]
    assert len(replies) == 1 and replies[0]["message"] == "Depan sekolah SD 060"
    assert "balasan Anda diterima" in answers_to(REPORTER)[-1]


def test_a_reply_from_another_number_is_refused_and_changes_nothing(deliver, api):
    tid, _ = filed(deliver)
    api.act(tid, "admin.pusat", "postpone", message="Sebutkan nomor tiang lampu")
    _, before = api.get(f"/staff/reports/{tid}", user="admin.pusat")
    assert deliver(f"{tid} Tiang nomor 12", sender=STRANGER, message_id="msg-3") == {"answered": 1}
    _, after = api.get(f"/staff/reports/{tid}", user="admin.pusat")
    events = lambda view: [e for e in view["history"] if e["action"] != "identity_read"]  # noqa: E731 (audit rows)
    assert events(after) == events(before) and after["status"] == "postponed"
    (answer,) = answers_to(STRANGER)
    assert "tidak dikenal" in answer
    # the reporter's own number clarifies it
    assert deliver(f"{tid} Tiang nomor 12", message_id="msg-4") == {"replied": 1}
    _, after = api.get(f"/staff/reports/{tid}", user="admin.pusat")
    assert after["status"] == "submitted"


def test_status_answers_in_one_sms_to_the_reporter_and_hides_an_unpublished_report_from_others(deliver, api):
    tid, _ = filed(deliver)
    assert deliver(f"status  {tid}", message_id="msg-5") == {"status": 1}
    answer = answers_to(REPORTER)[-1]
    assert answer.startswith(f"LAPOR {tid}: Belum terverifikasi") and len(answer) <= 160
    assert deliver(f"STATUS {tid}", sender=STRANGER, message_id="msg-6") == {"answered": 1}
    assert "Belum terverifikasi" not in answers_to(STRANGER)[-1]
    api.act(tid, "admin.pusat", "dispatch", agency_id="pemkot-medan")
    assert deliver(f"Status {tid}", sender=STRANGER, message_id="msg-7") == {"status": 1}
    assert "Terdisposisi ke instansi" in answers_to(STRANGER)[-1]


@pytest.mark.parametrize("text,answer", [
    ("halo apa kabar", "Format LAPOR"),
    ("", "Format LAPOR"),
    ("LAPOR Lampu jalan mati sudah dua minggu", "sebutkan kota/kabupaten"),
    ("LAPOR BLITAR Lampu jalan mati sudah dua minggu", "sebutkan kota/kabupaten"),
    ("LAPOR MEDAN mati", "min. 10 huruf"),
    ("STATUS", "Format LAPOR"),
])
def test_what_cannot_be_understood_gets_the_format_and_files_nothing(deliver, api, text, answer):
    assert deliver(text, message_id="msg-x") == {"answered": 1}
    assert answer in answers_to(REPORTER)[-1]
    _, page = api.get("/staff/reports?channel=sms", user="admin.pusat")
    assert page["items"] == []


def test_a_region_with_a_shared_name_is_taken_with_kota_or_kab(deliver, api):
    tid, _ = filed(deliver, "lapor  kota blitar   Lampu jalan mati di alun-alun")
    _, report = api.get(f"/staff/reports/{tid}", user="admin.pusat")
    assert report["location"]["regency_code"] == "35.72"


@pytest.mark.parametrize("raw", ["not json", "[]", json.dumps({"messageBody": "LAPOR MEDAN x"}),
                                 json.dumps({"originationNumber": "0812", "inboundMessageId": "a"}),
                                 json.dumps({"originationNumber": REPORTER, "inboundMessageId": ""})])
def test_a_payload_with_nobody_to_answer_is_logged_and_dropped_without_an_error(deliver, raw):
    assert deliver("", raw=raw) == {"dropped": 1}
    assert sms_sent() == []


def test_a_number_over_its_hourly_limit_is_told_once_then_ignored(deliver, api, monkeypatch):
    monkeypatch.setattr(inbound, "MESSAGES_PER_NUMBER_PER_HOUR", 2)
    outcomes = [deliver("STATUS AAAA-BBBB", message_id=f"m{i}") for i in range(5)]
    assert outcomes == [{"answered": 1}] * 2 + [{"limited": 1}] * 3
    assert [("terlalu banyak" in a) for a in answers_to(REPORTER)] == [False, False, True]


def test_sms_reports_count_in_the_statistics_by_channel(deliver, api):
    filed(deliver)
    status, stats = api.get("/staff/statistics?group_by=channel&from=2024-12&to=2024-12", user="admin.pusat")
    assert status == 200, stats
    by_channel = {g["key"] if "key" in g else g.get("channel"): g for g in stats["groups"]}
    assert by_channel["sms"]["received"] == 1


def answered(api, tid: str) -> None:
    """The report walked to its final answer: it waits for the reporter's decision."""
    api.act(tid, "admin.pusat", "dispatch", agency_id="pemkot-medan")
    api.act(tid, "admin.medan", "assign", unit_id="pemkot-medan.dishub")
    api.act(tid, "penghubung.dishub.medan", "respond", message="Petugas PJU dijadwalkan datang.")
    api.act(tid, "penghubung.dishub.medan", "final_answer", message="Lampu sudah diganti pada 20 Desember.")


def test_the_reporter_accepts_the_final_answer_by_sms_with_a_rating(deliver, api):
    tid, _ = filed(deliver)
    answered(api, tid)
    assert deliver(f"{tid.lower()} terima 4 Sudah menyala, terima kasih", message_id="msg-2") == {"replied": 1}
    _, report = api.get(f"/staff/reports/{tid}", user="admin.pusat")
    assert report["status"] == "completed" and report["rating"] == 4
    before = len(answers_to(REPORTER))
    assert deliver(f"{tid} terima 4", message_id="msg-2") == {"duplicate": 1}
    assert len(answers_to(REPORTER)) == before
    assert "laporan selesai" in answers_to(REPORTER)[-1]  # one SMS: the completion notice is the answer
    assert "laporan selesai" not in answers_to(REPORTER)[-2]


@pytest.mark.parametrize("text", ["SETUJU 5", "ACCEPT 5/5"])
def test_setuju_and_accept_are_the_same_decision(deliver, api, text):
    tid, _ = filed(deliver)
    answered(api, tid)
    assert deliver(f"{tid} {text}", message_id="msg-2") == {"replied": 1}
    assert api.get(f"/staff/reports/{tid}", user="admin.pusat")[1]["status"] == "completed"


def test_the_reporter_rejects_the_answer_by_sms_and_it_goes_back_to_the_officer_with_the_reason(deliver, api):
    tid, _ = filed(deliver)
    answered(api, tid)
    assert deliver(f"{tid} TOLAK Lampu masih mati tadi malam", message_id="msg-2") == {"replied": 1}
    _, report = api.get(f"/staff/reports/{tid}", user="admin.pusat")
    assert report["status"] == "in_progress"
    (reject,) = [e for e in report["history"] if e["action"] == "reject"]
    assert reject["message"] == "Lampu masih mati tadi malam"


@pytest.mark.parametrize("text", ["TERIMA", "TOLAK", "Lampu masih mati"])
def test_a_decision_without_its_rating_or_reason_gets_the_format_and_changes_nothing(deliver, api, text):
    tid, _ = filed(deliver)
    answered(api, tid)
    assert deliver(f"{tid} {text}", message_id="msg-2") == {"answered": 1}
    assert api.get(f"/staff/reports/{tid}", user="admin.pusat")[1]["status"] == "awaiting_reporter"
    last = answers_to(REPORTER)[-1]
    assert f"{tid} TERIMA" in last and "TOLAK" in last and len(last) <= 160


def test_an_sms_advertisement_is_filed_flagged_in_the_central_queue_and_not_published(deliver, api):
    text = "LAPOR MEDAN SLOT GACOR MAXWIN daftar sekarang https://bit.ly/gacor88 bonus new member WA 081234567890"
    assert deliver(text, message_id="spam-1") == {"filed": 1}
    (item,) = api.get("/staff/reports?channel=sms", user="admin.pusat")[1]["items"]
    assert item["spam_flagged"] is True and item["status"] == "submitted"
    assert api.get(f"/reports/{item['tracking_id']}")[0] == 404  # unpublished: not even its existence
