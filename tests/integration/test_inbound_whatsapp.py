"""WhatsApp end to end: recorded Cloud API webhook JSON (tests/fixtures/whatsapp/), signed with the
app secret kept in moto's Secrets Manager, through the deployed route; every path ends in the
report store and in the messages the platform sent, as a local Graph API recorder (real HTTP)
received them."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import boto3
import pytest

from chalicelib import config
from chalicelib.adapters.whatsapp import forget_credentials, signature
from devtools.whatsapp_recorder import Recorder

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "whatsapp"
APP_SECRET = "whatsapp-app-secret-for-tests-0123456789"
VERIFY_TOKEN = "lapor-verify-token-for-tests"
ACCESS_TOKEN = "EAAGtestaccesstoken"
SECRET_NAME = "lapor-test-whatsapp"
PHONE_NUMBER_ID = "106540352242922"
REPORTER = "+6281377774321"
STRANGER = "+6285211112222"
PATH = "/inbound/whatsapp"


def recorded(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def text_event(text: str, message_id: str, sender: str = REPORTER) -> dict:
    payload = recorded("text-message.json")
    message = payload["entry"][0]["changes"][0]["value"]["messages"][0]
    message.update({"from": sender.lstrip("+"), "id": message_id, "text": {"body": text}})
    payload["entry"][0]["changes"][0]["value"]["contacts"][0]["wa_id"] = sender.lstrip("+")
    return payload


def image_event(media_id: str, message_id: str, caption: str | None = "as recorded") -> dict:
    payload = recorded("image-message.json")
    message = payload["entry"][0]["changes"][0]["value"]["messages"][0]
    message["id"] = message_id
    message["image"]["id"] = media_id
    if caption is None:
        message["image"].pop("caption")
    elif caption != "as recorded":
        message["image"]["caption"] = caption
    return payload


@pytest.fixture
def recorder():
    r = Recorder().start()
    yield r
    r.stop()


@pytest.fixture
def whatsapp(platform, recorder, monkeypatch):
    """WhatsApp configured as the stack does it: the secret in Secrets Manager, named by a setting."""
    monkeypatch.setenv("WHATSAPP_SECRET_NAME", SECRET_NAME)
    monkeypatch.setenv("WHATSAPP_PHONE_NUMBER_ID", PHONE_NUMBER_ID)
    monkeypatch.setenv("WHATSAPP_API_BASE", recorder.url)
    config.settings.cache_clear()
    forget_credentials()
    boto3.client("secretsmanager", region_name="ap-southeast-3").create_secret(
        Name=SECRET_NAME, SecretString=json.dumps({"app_secret": APP_SECRET, "verify_token": VERIFY_TOKEN,
                                                   "access_token": ACCESS_TOKEN}))
    s3 = boto3.client("s3", region_name="ap-southeast-3")
    s3.create_bucket(Bucket=config.settings().attachments_bucket,
                     CreateBucketConfiguration={"LocationConstraint": "ap-southeast-3"})
    yield recorder
    forget_credentials()
    config.settings.cache_clear()


@pytest.fixture
def post(client, whatsapp):
    def post(payload, sign: str | None = "right", raw: bytes | None = None):
        body = raw if raw is not None else json.dumps(payload).encode()
        headers = {"Content-Type": "application/json"}
        if sign == "right":
            headers["X-Hub-Signature-256"] = signature(body, APP_SECRET)
        elif sign == "wrong":
            headers["X-Hub-Signature-256"] = signature(body, "not-the-app-secret")
        response = client.http.post(PATH, headers=headers, body=body)
        return response.status_code, json.loads(response.body)

    return post


@pytest.fixture
def say(post):
    """The reporter writes one message (a new message id each time unless given)."""
    counter = iter(range(1, 1000))

    def say(text: str, message_id: str | None = None, sender: str = REPORTER):
        status, body = post(text_event(text, message_id or f"wamid.test-{next(counter)}", sender))
        assert status == 200, body
        return body["received"]

    return say


def answers(recorder: Recorder, number: str = REPORTER) -> list[str]:
    return recorder.texts_to(number)


def walk(say, kind="2", region="Kota Medan", what="Lampu jalan mati di Jl. Sisingamangaraja sejak dua minggu"):
    assert say("Halo, mau lapor") == {"asked": 1}
    assert say(kind) == {"asked": 1}
    assert say(region) == {"asked": 1}
    return say(what)


def tracking_and_code(text: str) -> tuple[str, str]:
    return text.split()[1], text.split("Kode akses ")[1].split()[0]


# ---- the handshake and the signature ------------------------------------------------------------
def test_the_verification_handshake_echoes_the_challenge_only_for_our_verify_token(client, whatsapp):
    ok = client.http.get(f"{PATH}?hub.mode=subscribe&hub.verify_token={VERIFY_TOKEN}&hub.challenge=1158201444")
    assert ok.status_code == 200 and ok.body == b"1158201444"
    assert ok.headers["Content-Type"].startswith("text/plain")
    wrong = client.http.get(f"{PATH}?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444")
    assert wrong.status_code == 403 and json.loads(wrong.body)["error"]["code"] == "forbidden"
    assert client.http.get(f"{PATH}?hub.mode=unsubscribe&hub.verify_token={VERIFY_TOKEN}&hub.challenge=1").status_code == 403
    assert client.http.get(PATH).status_code == 403


@pytest.mark.parametrize("sign", [None, "wrong"])
def test_an_unsigned_or_wrongly_signed_delivery_is_401_and_changes_nothing(post, api, whatsapp, sign):
    status, body = post(text_event("LAPOR MEDAN Lampu jalan mati di Jl. Sisingamangaraja", "wamid.forged"), sign=sign)
    assert status == 401 and body["error"]["code"] == "unauthenticated"
    assert "X-Hub-Signature-256" in body["error"]["message_en"]
    _, page = api.get("/staff/reports?channel=whatsapp", user="admin.pusat")
    assert page["items"] == [] and whatsapp.sent == []


def test_a_signed_body_changed_by_one_byte_is_refused(post):
    body = json.dumps(text_event("LAPOR MEDAN Lampu jalan mati di Jl. Sisingamangaraja", "wamid.x")).encode()
    header = signature(body, APP_SECRET)
    status, _ = post(None, sign=None, raw=body.replace(b"MEDAN", b"BINJAI"))
    assert status == 401
    assert header.startswith("sha256=") and len(header) == 7 + 64


def test_a_status_callback_is_taken_with_200_and_files_and_sends_nothing(post, api, whatsapp):
    status, body = post(recorded("status-delivered.json"))
    assert status == 200 and body["received"] == {"skipped": 1}
    _, page = api.get("/staff/reports?channel=whatsapp", user="admin.pusat")
    assert page["items"] == [] and whatsapp.sent == []


def test_a_signed_body_that_is_not_a_webhook_payload_is_still_200(post, whatsapp):
    assert post(None, raw=b"not json at all") == (200, {"received": {}})
    assert post({"object": "whatsapp_business_account", "entry": "nonsense"}) == (200, {"received": {}})
    assert whatsapp.sent == []


# ---- commands, as on SMS -------------------------------------------------------------------------
def test_a_lapor_command_files_at_once_and_the_answer_carries_the_tracking_number_and_access_code(say, api, whatsapp):
    assert say("LAPOR MEDAN Lampu jalan mati di Jl. Sisingamangaraja sejak dua minggu") == {"filed": 1}
    (answer,) = answers(whatsapp)
    tid, code = tracking_and_code(answer)
    _, report = api.get(f"/staff/reports/{tid}", user="admin.pusat")
    assert report["channel"] == "whatsapp" and report["kind"] == "complaint"
    assert report["reporter"]["phone"] == REPORTER and report["reporter"]["name"] == "Siti Rahmawati"
    assert report["location"]["regency_code"] == "12.71"
    assert api.get(f"/reports/{tid}", headers={"X-Access-Code": code})[0] == 200
    assert whatsapp.tokens and all(t == f"Bearer {ACCESS_TOKEN}" for t in whatsapp.tokens)
    assert all(m["phone_number_id"] == PHONE_NUMBER_ID and m["to"] == REPORTER.lstrip("+") for m in whatsapp.sent)


def test_status_and_reply_commands_work_as_on_sms(say, api, whatsapp):
    say("LAPOR MEDAN Lampu jalan mati di Jl. Sisingamangaraja sejak dua minggu")
    tid, _ = tracking_and_code(answers(whatsapp)[0])
    assert say(f"STATUS {tid}") == {"status": 1}
    assert "Belum terverifikasi" in answers(whatsapp)[-1]
    api.act(tid, "admin.pusat", "postpone", message="Sebutkan nomor tiang lampu")
    assert say(f"{tid} Tiang nomor 12") == {"replied": 1}
    _, report = api.get(f"/staff/reports/{tid}", user="admin.pusat")
    assert report["status"] == "submitted"


# ---- the guided dialogue -------------------------------------------------------------------------
def test_the_guided_dialogue_asks_kind_region_and_what_then_files_once_with_the_code(say, api, whatsapp):
    assert walk(say) == {"filed": 1}
    asked, filed = answers(whatsapp)[:3], answers(whatsapp)[3]
    assert "1 Pengaduan, 2 Aspirasi, 3 Permintaan informasi" in asked[0]
    assert "kota/kabupaten" in asked[1] and "apa yang terjadi" in asked[2]
    tid, code = tracking_and_code(filed)
    _, report = api.get(f"/staff/reports/{tid}", user="admin.pusat")
    assert report["kind"] == "aspiration" and report["channel"] == "whatsapp"
    assert report["location"] == {**report["location"], "province_code": "12", "regency_code": "12.71"}
    assert report["description"] == "Lampu jalan mati di Jl. Sisingamangaraja sejak dua minggu"
    assert api.get(f"/reports/{tid}", headers={"X-Access-Code": code})[0] == 200
    # the dialogue is over: the next message starts a new one
    assert say("Halo lagi") == {"asked": 1}
    assert "1 Pengaduan" in answers(whatsapp)[-1]


def test_a_bare_lapor_opens_the_dialogue_and_lapor_without_a_region_is_answered_as_on_sms(say, whatsapp):
    assert say("lapor") == {"asked": 1}
    assert "1 Pengaduan" in answers(whatsapp)[-1]
    assert say("BATAL") == {"cancelled": 1}
    assert say("LAPOR Lampu jalan mati di depan pasar") == {"answered": 1}
    assert "sebutkan kota/kabupaten" in answers(whatsapp)[-1]


def test_a_wrong_answer_is_asked_again_and_batal_cancels_without_filing(say, api, whatsapp):
    say("Selamat pagi")
    assert say("tujuh") == {"asked": 1}
    assert "balas 1 (Pengaduan)" in answers(whatsapp)[-1]
    assert say("pengaduan") == {"asked": 1}
    assert say("Atlantis") == {"asked": 1}
    assert "tidak dikenal" in answers(whatsapp)[-1]
    assert say("Blitar") == {"asked": 1}  # a city and a regency: which one?
    assert "tidak dikenal" in answers(whatsapp)[-1]
    assert say("Kab Blitar") == {"asked": 1}
    assert say("rusak") == {"asked": 1}  # too short to be a report
    assert say("batal") == {"cancelled": 1}
    assert "dibatalkan" in answers(whatsapp)[-1]
    _, page = api.get("/staff/reports?channel=whatsapp", user="admin.pusat")
    assert page["items"] == []


def test_the_same_message_delivered_twice_takes_one_turn_and_files_one_report(say, api, whatsapp):
    assert say("Halo", message_id="wamid.a") == {"asked": 1}
    assert say("Halo", message_id="wamid.a") == {"duplicate": 1}
    assert say("1", message_id="wamid.b") == {"asked": 1}
    assert say("1", message_id="wamid.b") == {"duplicate": 1}
    assert say("Medan", message_id="wamid.c") == {"asked": 1}
    what = "Jalan berlubang besar di depan pasar, sudah sebulan"
    assert say(what, message_id="wamid.d") == {"filed": 1}
    assert say(what, message_id="wamid.d") == {"duplicate": 1}
    _, page = api.get("/staff/reports?channel=whatsapp", user="admin.pusat")
    assert len(page["items"]) == 1
    assert len(answers(whatsapp)) == 4  # three questions and one filing answer, each sent once


def test_a_dialogue_left_longer_than_its_expiry_starts_over(say, platform, api, whatsapp):
    say("Halo")
    say("1")
    platform.clock.advance(minutes=29)
    assert say("Medan") == {"asked": 1}  # still running: the region is taken
    assert "apa yang terjadi" in answers(whatsapp)[-1]
    platform.clock.advance(minutes=31)
    assert say("Jalan berlubang besar di depan pasar, sudah sebulan") == {"asked": 1}
    assert "1 Pengaduan" in answers(whatsapp)[-1]  # asked the kind again: nothing was filed
    _, page = api.get("/staff/reports?channel=whatsapp", user="admin.pusat")
    assert page["items"] == []


def test_a_photo_becomes_the_reports_attachment_without_its_metadata(post, say, api, whatsapp):
    from tests.unit.test_image_metadata import TELLTALES, jpeg

    photo = jpeg()
    whatsapp.media["1348975962656352"] = (photo, "image/jpeg")
    say("Halo")
    say("1")
    say("Medan")
    status, body = post(image_event("1348975962656352", "wamid.photo"))
    assert status == 200 and body["received"] == {"filed": 1}
    tid, _ = tracking_and_code(answers(whatsapp)[-1])
    _, report = api.get(f"/staff/reports/{tid}", user="admin.pusat")
    assert report["description"] == "Lubang besar di Jl. Sisingamangaraja depan SD 060"
    _, listed = api.get(f"/staff/reports/{tid}/attachments", user="admin.pusat")
    (attachment,) = listed["attachments"]
    assert attachment["content_type"] == "image/jpeg" and attachment["filename"] == "whatsapp-1.jpg"
    from chalicelib.adapters.attachments import S3Files

    stored = boto3.client("s3", region_name="ap-southeast-3").list_objects_v2(
        Bucket=config.settings().attachments_bucket)["Contents"]
    (key,) = [o["Key"] for o in stored if "/kept/" in o["Key"]]
    data = S3Files().read(key, 10 * 1024 * 1024)
    assert data.startswith(b"\xff\xd8\xff") and not any(t in data for t in TELLTALES)


def test_a_photo_without_words_is_kept_until_the_words_come(post, say, api, whatsapp):
    from tests.unit.test_image_metadata import jpeg

    whatsapp.media["55501"] = (jpeg(), "image/jpeg")
    say("Halo")
    say("3")
    say("Kota Binjai")
    status, body = post(image_event("55501", "wamid.photo-only", caption=None))
    assert body["received"] == {"asked": 1} and "lebih lengkap" in answers(whatsapp)[-1]
    assert say("Minta informasi jadwal perbaikan jalan di Binjai") == {"filed": 1}
    tid, _ = tracking_and_code(answers(whatsapp)[-1])
    _, report = api.get(f"/staff/reports/{tid}", user="admin.pusat")
    assert report["kind"] == "information_request"
    _, listed = api.get(f"/staff/reports/{tid}/attachments", user="admin.pusat")
    assert len(listed["attachments"]) == 1


def test_a_file_that_is_not_an_accepted_type_is_left_out_and_the_report_stands(post, say, api, whatsapp):
    whatsapp.media["66601"] = (b"MZ\x90\x00" + b"\x00" * 64, "image/jpeg")
    say("Halo")
    say("1")
    say("Medan")
    status, body = post(image_event("66601", "wamid.exe", caption="Pungutan liar di loket Samsat Medan"))
    assert body["received"] == {"filed": 1}
    tid, _ = tracking_and_code(answers(whatsapp)[-1])
    _, listed = api.get(f"/staff/reports/{tid}/attachments", user="admin.pusat")
    assert listed["attachments"] == []


def test_the_per_sender_limit_holds_for_dialogue_messages_too(say, whatsapp, monkeypatch):
    from chalicelib.services import inbound

    monkeypatch.setattr(inbound, "MESSAGES_PER_NUMBER_PER_HOUR", 3)
    for text in ("Halo", "1", "Medan"):
        assert say(text) == {"asked": 1}
    assert say("Jalan berlubang besar di depan pasar, sudah sebulan") == {"limited": 1}
    assert say("lagi") == {"limited": 1}
    assert len(answers(whatsapp)) == 4  # told once


def test_messages_from_two_senders_keep_two_dialogues(say, api, whatsapp):
    say("Halo")
    say("Halo", sender=STRANGER)
    say("1")
    say("2", sender=STRANGER)
    say("Medan")
    say("Kota Binjai", sender=STRANGER)
    assert say("Jalan berlubang besar di depan pasar, sudah sebulan") == {"filed": 1}
    assert say("Usul taman bermain di kelurahan kami", sender=STRANGER) == {"filed": 1}
    _, page = api.get("/staff/reports?channel=whatsapp", user="admin.pusat")
    assert sorted(r["kind"] for r in page["items"]) == ["aspiration", "complaint"]


def test_no_dialogue_row_names_the_number(say, whatsapp):
    from chalicelib.adapters.dialogues import DialogueModel

    say("Halo")
    rows = list(DialogueModel.scan(DialogueModel.key.startswith("dialogue#")))
    assert len(rows) == 1
    assert REPORTER.lstrip("+") not in json.dumps(rows[0].attribute_values, default=str)
    assert rows[0].expires_at > dt.datetime(2024, 12, 20, tzinfo=dt.timezone.utc)


# ---- outbound: the reporter is told on the channel they used --------------------------------------
def sms_to(number: str) -> list[str]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    return [text for phone, text in sns_backends[DEFAULT_ACCOUNT_ID]["ap-southeast-3"].sms_messages.values()
            if phone == number]


def filed_by_whatsapp(say, whatsapp) -> str:
    assert say("LAPOR MEDAN Lampu jalan mati di Jl. Sisingamangaraja sejak dua minggu") == {"filed": 1}
    return tracking_and_code(answers(whatsapp)[-1])[0]


def test_a_status_change_reaches_a_whatsapp_reporter_as_one_template_message(say, api, whatsapp):
    tid = filed_by_whatsapp(say, whatsapp)
    api.act(tid, "admin.pusat", "dispatch", agency_id="pemkot-medan")
    template = whatsapp.sent[-1]
    assert template["type"] == "template" and template["to"] == REPORTER.lstrip("+")
    assert template["template"]["name"] == "lapor_dispatched" and template["template"]["language"] == {"code": "id"}
    params = [p["text"] for p in template["template"]["components"][0]["parameters"]]
    assert params[0] == tid and params[1] == "Pemerintah Kota Medan" and params[3].endswith(f"/track?id={tid}")
    api.act(tid, "admin.medan", "assign", unit_id="pemkot-medan.dishub")
    api.act(tid, "penghubung.dishub.medan", "respond", message="Sudah kami cek.\n\nTiang nomor berapa?")
    follow_up = whatsapp.sent[-1]["template"]
    assert follow_up["name"] == "lapor_follow_up"
    assert follow_up["components"][0]["parameters"][1]["text"] == "Sudah kami cek. Tiang nomor berapa?"  # no line breaks
    assert sms_to(REPORTER) == []  # one message per event, on WhatsApp only
    assert len([m for m in whatsapp.sent if m["type"] == "template"]) == 2


def test_the_template_language_is_a_setting(say, api, whatsapp, monkeypatch):
    tid = filed_by_whatsapp(say, whatsapp)
    monkeypatch.setenv("WHATSAPP_TEMPLATE_LANGUAGE", "en")
    config.settings.cache_clear()
    api.act(tid, "admin.pusat", "dispatch", agency_id="pemkot-medan")
    assert whatsapp.sent[-1]["template"]["language"] == {"code": "en"}


def test_a_template_refused_for_good_goes_once_as_sms_instead(say, api, whatsapp, platform):
    from scheduled.sweep import run_sweep

    tid = filed_by_whatsapp(say, whatsapp)
    whatsapp.refused.add(REPORTER.lstrip("+"))
    api.act(tid, "admin.pusat", "dispatch", agency_id="pemkot-medan")
    (sms,) = sms_to(REPORTER)
    assert sms.startswith(f"LAPOR {tid}: diteruskan ke instansi")
    platform.clock.advance(hours=2)
    run_sweep(platform.clock())
    assert len(sms_to(REPORTER)) == 1 and [m for m in whatsapp.sent if m["type"] == "template"] == []


def test_without_whatsapp_configured_the_reporter_is_told_by_sms(say, api, whatsapp, monkeypatch):
    tid = filed_by_whatsapp(say, whatsapp)
    monkeypatch.setenv("WHATSAPP_PHONE_NUMBER_ID", "")
    config.settings.cache_clear()
    api.act(tid, "admin.pusat", "dispatch", agency_id="pemkot-medan")
    assert len(sms_to(REPORTER)) == 1 and [m for m in whatsapp.sent if m["type"] == "template"] == []


def test_a_graph_api_outage_delays_the_template_and_the_sweep_sends_it_once_without_sms(say, api, whatsapp, platform):
    from scheduled.sweep import run_sweep

    tid = filed_by_whatsapp(say, whatsapp)
    whatsapp.failing = 1
    api.act(tid, "admin.pusat", "dispatch", agency_id="pemkot-medan")
    assert [m for m in whatsapp.sent if m["type"] == "template"] == []
    platform.clock.advance(minutes=5)
    run_sweep(platform.clock())
    platform.clock.advance(minutes=5)
    run_sweep(platform.clock())
    assert len([m for m in whatsapp.sent if m["type"] == "template"]) == 1 and sms_to(REPORTER) == []


@pytest.mark.parametrize("channel,told", [("sms", {"sms"}), ("email", {"email"}), ("web", {"sms", "email"}),
                                          ("call_centre", {"sms", "email"})])
def test_the_reporter_is_told_on_the_channel_the_report_came_by(api, channel, told):
    from chalicelib.adapters.outbox import OutboxModel
    from tests.support import report_body

    body = {**report_body(), "channel": channel, "received_at": "2024-12-20T09:00:00+07:00"}
    status, created = api.post("/staff/reports", body, user="admin.pusat")
    assert status == 201, created
    api.act(created["tracking_id"], "admin.pusat", "dispatch", agency_id="pemkot-medan")
    sent = {m.channel for m in OutboxModel.scan() if (m.dedup_key or "").startswith(created["tracking_id"])
            and "|reporter|" in m.dedup_key}
    assert sent == told


def status_event(wamid: str, state: str) -> dict:
    payload = recorded("status-delivered.json")
    status = payload["entry"][0]["changes"][0]["value"]["statuses"][0]
    status.update(id=wamid, status=state)
    if state == "failed":
        status["errors"] = [{"code": 131026, "title": "Message undeliverable"}]
    return payload


def test_a_template_meta_reports_failed_after_accepting_it_goes_once_as_sms(say, api, post, whatsapp):
    tid = filed_by_whatsapp(say, whatsapp)
    api.act(tid, "admin.pusat", "dispatch", agency_id="pemkot-medan")
    wamid = f"wamid.local-{len(whatsapp.sent)}"  # the recorder's id for the template just sent
    assert whatsapp.sent[-1]["type"] == "template" and sms_to(REPORTER) == []
    assert post(status_event(wamid, "sent")) == (200, {"received": {"skipped": 1}})
    assert post(status_event(wamid, "failed")) == (200, {"received": {"skipped": 1, "fallback": 1}})
    (sms,) = sms_to(REPORTER)
    assert sms.startswith(f"LAPOR {tid}: diteruskan ke instansi")
    assert post(status_event(wamid, "failed")) == (200, {"received": {"skipped": 1}})  # Meta repeating itself
    assert len(sms_to(REPORTER)) == 1


def test_a_delivered_template_forgets_its_fallback(say, api, post, whatsapp):
    from chalicelib.adapters.whatsapp_fallbacks import WhatsAppFallbackModel

    tid = filed_by_whatsapp(say, whatsapp)
    api.act(tid, "admin.pusat", "dispatch", agency_id="pemkot-medan")
    wamid = f"wamid.local-{len(whatsapp.sent)}"
    (row,) = WhatsAppFallbackModel.scan(WhatsAppFallbackModel.key.startswith("whatsapp-fallback#"))
    assert row.key == f"whatsapp-fallback#{wamid}" and row.recipient == REPORTER
    assert post(status_event(wamid, "delivered"))[0] == 200
    assert list(WhatsAppFallbackModel.scan(WhatsAppFallbackModel.key.startswith("whatsapp-fallback#"))) == []
    post(status_event(wamid, "failed"))
    assert sms_to(REPORTER) == []
