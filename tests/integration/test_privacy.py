"""A reporter's name, e-mail and phone never reach a log line, a public answer, an export or an
Open311 answer. The whole walk (submit, dispatch, assign, respond, reply, final answer, accept,
sweep, statistics, exports, Open311) runs with every log captured where it is really written:
Powertools' handler keeps the stream it saw when it was created (STACK-NOTES), so its stream is
swapped for a buffer, the root logger gets one too, and capfd takes whatever else is printed."""
from __future__ import annotations

import contextlib
import io
import json
import logging
import re
import zipfile

from botocore.exceptions import ClientError

from tests.integration.proof_support import (  # noqa: F401 (api, world: fixtures)
    api, tick, world)
from tests.support import report_body

CENTRAL, MEDAN, DISHUB = "admin.pusat", "admin.medan", "penghubung.dishub.medan"
NAME, EMAIL, PHONE = "Zainab Kusumawardhani", "zainab.kusuma@example.org", "0813-7777-4321"
# Every form the identity may take once stored or rendered (the phone is kept in E.164).
SECRETS = (NAME, "Kusumawardhani", EMAIL, "zainab.kusuma", PHONE, "+6281377774321", "81377774321", "7777-4321",
           "77774321")


def leaks(text: str) -> list[str]:
    folded = text.lower().replace("\\u0040", "@")
    return [s for s in SECRETS if s.lower() in folded]


@contextlib.contextmanager
def captured_logs():
    """Every log line the app writes, at DEBUG for its own loggers and INFO for the rest."""
    buffer = io.StringIO()
    ours = logging.getLogger("lapor")
    swapped = [(h, h.stream) for h in ours.handlers if isinstance(h, logging.StreamHandler)]
    assert swapped, "Powertools' logger has no stream handler to capture"
    for handler, _ in swapped:
        handler.setStream(buffer)
    root = logging.getLogger()
    extra = logging.StreamHandler(buffer)
    extra.setLevel(logging.INFO)
    levels = (ours.level, root.level)
    ours.setLevel(logging.DEBUG)
    root.setLevel(logging.INFO)
    root.addHandler(extra)
    try:
        yield buffer
    finally:
        root.removeHandler(extra)
        ours.setLevel(levels[0])
        root.setLevel(levels[1])
        for handler, stream in swapped:
            handler.setStream(stream)


def _text(response) -> str:
    body = response.body
    if isinstance(body, bytes) and body[:2] == b"PK":  # xlsx: the sheets' XML
        with zipfile.ZipFile(io.BytesIO(body)) as book:
            return "\n".join(book.read(n).decode("utf-8", "replace") for n in book.namelist())
    return body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)


def _open311_key(api) -> str:
    status, body = api.post("/staff/open311/keys", {"client_name": "Aplikasi Uji"}, user=CENTRAL)
    assert status == 201, body
    return body["api_key"]


def full_walk(api) -> dict[str, str]:
    """The walk of a named report from submission to completion; answers every public answer,
    export and Open311 answer it met, by name."""
    http = api.client.http
    public: dict[str, str] = {}
    body = report_body(reporter={"name": NAME, "email": EMAIL, "phone": PHONE})
    response = http.post("/reports", body=json.dumps(body),
                         headers={"Content-Type": "application/json", "Idempotency-Key": "privacy-walk-1"})
    assert response.status_code == 201, response.body
    public["submit"] = _text(response)
    created = json.loads(response.body)
    tid, code = created["tracking_id"], created["access_code"]
    steps = [(CENTRAL, {"action": "dispatch", "agency_id": "pemkot-medan"}),
             (MEDAN, {"action": "assign", "unit_id": "pemkot-medan.dishub"}),
             (DISHUB, {"action": "respond", "message": "Petugas akan meninjau lokasi."})]
    for user, action in steps:
        tick(60)
        assert api.post(f"/staff/reports/{tid}/actions", action, user=user)[0] == 200
        assert api.get("/staff/queue", user=user)[0] == 200  # its log lines are scanned too
    tick(60)
    reply = http.post(f"/reports/{tid}/replies", body=json.dumps({"message": "Lokasinya di depan pasar."}),
                      headers={"Content-Type": "application/json", "X-Access-Code": code})
    public["reply"] = _text(reply)
    tick(60)
    assert api.post(f"/staff/reports/{tid}/actions", {"action": "final_answer", "message": "Sudah ditertibkan."},
                    user=DISHUB)[0] == 200
    tick(60)
    accept = http.post(f"/reports/{tid}/replies", body=json.dumps({"accept": True, "rating": 5}),
                       headers={"Content-Type": "application/json", "X-Access-Code": code})
    assert accept.status_code == 200, accept.body
    public["accept"] = _text(accept)
    from scheduled.sweep import run_sweep

    run_sweep(tick(3600))
    for label, extra in (("track", {}), ("track as reporter", {"X-Access-Code": code})):
        response = http.get(f"/reports/{tid}", headers=extra)
        assert response.status_code == 200
        public[label] = _text(response)
    public["attachments"] = _text(http.get(f"/reports/{tid}/attachments"))
    for name in ("/reports", "/reports?sort=supported", "/reports?regency_code=12.71&kind=complaint",
                 "/reports/feed.xml", "/reports/feed.xml?regency_code=12.71&category_id=illegal-parking"):
        response = http.get(name)  # public browsing (issue 14)
        assert response.status_code == 200 and tid in _text(response), (name, response.body)
        public[f"browse {name}"] = _text(response)
    similar = http.get("/reports/similar?regency_code=12.71&category_id=illegal-parking&text=Parkir+liar+pasar")
    assert similar.status_code == 200, similar.body
    public["similar"] = _text(similar)
    key = _open311_key(api)
    for name in (f"/open311/v2/requests/{tid}.json", f"/open311/v2/requests/{tid}.xml",
                 f"/open311/v2/requests/{tid}.json?extensions=true&api_key={key}",
                 "/open311/v2/requests.json?extensions=true", "/open311/v2/requests.xml",
                 f"/open311/v2/tokens/{tid}.json"):
        response = http.get(name)
        assert response.status_code == 200, (name, response.body)
        public[f"open311 {name}"] = _text(response)
    public.update(_statistics_and_exports(api))
    return public


def _statistics_and_exports(api) -> dict[str, str]:
    out = {}
    paths = [("/statistics?year=2024", None), ("/staff/statistics", CENTRAL),
             ("/staff/statistics/export?format=csv", CENTRAL), ("/staff/statistics/export?format=xlsx", CENTRAL),
             ("/staff/reports/export?format=csv", CENTRAL), ("/staff/reports/export?format=xlsx", CENTRAL),
             (f"/staff/audit?user={CENTRAL}", CENTRAL), (f"/staff/audit/export?user={CENTRAL}", CENTRAL)]
    for path, user in paths:
        headers = {"Accept": "*/*", **(api.platform.headers(user) if user else {})}
        response = api.client.http.get(path, headers=headers)
        assert response.status_code == 200, (path, response.body)
        out[path] = _text(response)
    return out


def test_the_scanner_finds_the_identity_in_every_form_it_takes():
    assert leaks(json.dumps({"to": EMAIL.upper()})) == [EMAIL, "zainab.kusuma"]
    assert "+6281377774321" in leaks('{"recipient": "+6281377774321"}')
    assert leaks("Laporan dari Zainab Kusumawardhani") == [NAME, "Kusumawardhani"]


def test_a_full_walk_logs_nothing_of_the_reporters_identity(api, capfd):
    with captured_logs() as logs:
        full_walk(api)
    out, err = capfd.readouterr()
    text = logs.getvalue() + out + err
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) > 20, "the capture saw too little to prove anything"
    assert any('"notification sent"' in line for line in lines)  # e-mail and SMS went to the reporter
    assert any('"path": "/reports"' in line or '"path":"/reports"' in line for line in lines)
    assert [line for line in lines if leaks(line)] == []


def test_no_public_answer_export_or_open311_answer_carries_the_reporters_identity(api):
    public = full_walk(api)
    assert len(public) >= 15
    assert {label: leaks(text) for label, text in public.items() if leaks(text)} == {}


def test_the_identity_is_kept_for_those_allowed_to_see_it(api):
    """The other side of the coin: staff in scope do see who reported (so the scan is not blind)."""
    body = report_body(reporter={"name": NAME, "email": EMAIL, "phone": PHONE})
    tid = api.post("/reports", body)[1]["tracking_id"]
    status, view = api.get(f"/staff/reports/{tid}", user=CENTRAL)
    assert status == 200 and set(leaks(json.dumps(view))) >= {NAME, EMAIL, "+6281377774321"}


def test_a_provider_error_naming_the_recipient_does_not_put_the_address_in_the_log(api, capfd):
    from chalicelib.adapters import notifier

    ses = notifier._client("ses")

    def rejected(**kwargs):
        raise ClientError({"Error": {"Code": "MessageRejected", "Message": (
            "Email address is not verified. The following identities failed the check in region "
            f"AP-SOUTHEAST-3: {EMAIL}")}}, "SendEmail")

    ses.meta.events.register("before-call.ses.SendEmail", rejected)
    try:
        with captured_logs() as logs:
            body = report_body(reporter={"name": NAME, "email": EMAIL})
            tid = api.post("/reports", body)[1]["tracking_id"]
            tick(60)
            assert api.post(f"/staff/reports/{tid}/actions", {"action": "dispatch", "agency_id": "pemkot-medan"},
                            user=CENTRAL)[0] == 200
    finally:
        ses.meta.events.unregister("before-call.ses.SendEmail", rejected)
    text = logs.getvalue() + "".join(capfd.readouterr())
    assert "notification delayed" in text
    assert [line for line in text.splitlines() if leaks(line)] == []


def test_access_codes_are_compared_in_constant_time_and_stored_hashed(api):
    import inspect

    from chalicelib.domain import ids

    created = api.submit()
    assert "hmac.compare_digest" in inspect.getsource(ids.access_code_matches)
    from chalicelib.adapters.store import ReportModel

    stored = json.dumps(ReportModel.get(created["tracking_id"]).body.as_dict())
    assert created["access_code"] not in stored
    assert re.search(r'"access_code_hash": "hmac-sha256\$[0-9a-f]{32}\$[0-9a-f]{64}"', stored)  # keyed and salted


def test_lists_show_no_reporter_and_the_view_an_anonymous_one_only_to_the_central_admin(api):
    """Minimisation: a list or queue row never names a reporter (for anyone); the report view
    does, to those allowed, and that read is audited (test_identity_audit.py)."""
    body = report_body(reporter={"name": NAME, "email": EMAIL, "phone": PHONE}, anonymous=True,
                       agency_id="pemkot-medan")
    tid = api.post("/reports", body)[1]["tracking_id"]
    for user in (MEDAN, CENTRAL):
        for path in ("/staff/queue", "/staff/reports"):
            status, rows = api.get(path, user=user)
            assert status == 200 and [i["tracking_id"] for i in rows["items"]] == [tid]
            assert leaks(json.dumps(rows)) == [] and "reporter" not in rows["items"][0]
    status, theirs = api.get(f"/staff/reports/{tid}", user=MEDAN)
    assert leaks(json.dumps(theirs)) == [] and theirs["reporter"]["name"] == "Anonim"
    status, central = api.get(f"/staff/reports/{tid}", user=CENTRAL)
    assert status == 200 and set(leaks(json.dumps(central))) >= {NAME, EMAIL}


def test_the_inbound_sms_paths_log_nothing_of_the_senders_number(api, capfd):
    """Filing, a duplicate, a reply, a stranger's reply, STATUS, nonsense and an unusable payload,
    through the deployed SMS handler: every log line they write is scanned for the number."""
    from tests.integration.test_inbound_sms import pinpoint

    number, stranger = "+6281377774321", "+6281377774329"
    client = api.client

    def sms(body, message_id, sender=number, raw=None):
        event = client.events.generate_sns_event(message=raw or pinpoint(body, sender, message_id))
        return client.lambda_.invoke("inbound_sms", event).payload

    with captured_logs() as logs:
        assert sms("LAPOR MEDAN Lampu jalan mati di depan pasar sejak Senin", "p-1") == {"filed": 1}
        assert sms("LAPOR MEDAN Lampu jalan mati di depan pasar sejak Senin", "p-1") == {"duplicate": 1}
        _, page = api.get("/staff/reports?channel=sms", user=CENTRAL)
        tid = page["items"][0]["tracking_id"]
        api.post(f"/staff/reports/{tid}/actions", {"action": "postpone", "message": "Pasar yang mana?"}, user=CENTRAL)
        assert sms(f"{tid} Pasar Petisah", "p-2") == {"replied": 1}
        assert sms(f"{tid} Pasar Petisah", "p-3", sender=stranger) == {"answered": 1}
        assert sms(f"STATUS {tid}", "p-4") == {"status": 1}
        assert sms("halo", "p-5") == {"answered": 1}
        assert sms("", "p-6", raw=json.dumps({"originationNumber": "0813-7777-4321", "inboundMessageId": "p-6"})) \
            == {"dropped": 1}
    out, err = capfd.readouterr()
    lines = [line for line in (logs.getvalue() + out + err).splitlines() if line.strip()]
    assert sum('"inbound sms"' in line for line in lines) == 6 and any('"notification sent"' in line for line in lines)
    assert [line for line in lines if leaks(line) or "+6281377774329" in line] == []


def test_the_inbound_email_paths_log_nothing_of_the_senders_address_or_words(api, capfd):
    """Filing, a duplicate, a reply with quoted history, a stranger's reply, nonsense and an
    automatic message, through the deployed e-mail handler: every log line is scanned for the
    address, the name and the words."""
    import boto3

    from chalicelib import wiring
    from chalicelib.adapters.email_inbound import bucket
    from devtools.inbound import ses_receipt_event, store_mail
    from tests.integration.test_inbound_email import message

    boto3.client("s3", region_name="ap-southeast-3").create_bucket(
        Bucket=bucket(), CreateBucketConfiguration={"LocationConstraint": "ap-southeast-3"})
    sender, words = f"{NAME} <{EMAIL}>", "Pasar Petisah"

    def mail(subject, text, n, who=sender, **headers):
        store_mail(message(subject, text, sender=who, message_id=f"<{n}@mail.example.org>", **headers), f"ses-{n}")
        return api.client.lambda_.invoke("inbound_email", ses_receipt_event(f"ses-{n}", wiring.now())).payload

    with captured_logs() as logs:
        assert mail(f"Medan: Lampu jalan mati di {words}", f"Lampu jalan mati di {words} sejak Senin", 1) == {"filed": 1}
        assert mail(f"Medan: Lampu jalan mati di {words}", f"Lampu jalan mati di {words} sejak Senin", 1) \
            == {"duplicate": 1}
        _, page = api.get("/staff/reports?channel=email", user=CENTRAL)
        tid = page["items"][0]["tracking_id"]
        api.post(f"/staff/reports/{tid}/actions", {"action": "postpone", "message": "Pasar yang mana?"}, user=CENTRAL)
        reply = f"{words} blok B\n\nPada Jum, 20 Des 2024 LAPOR menulis:\n> Pasar yang mana?"
        assert mail(f"Re: [LAPOR {tid}] Tindak lanjut", reply, 2) == {"replied": 1}
        assert mail(f"Re: [LAPOR {tid}] Tindak lanjut", reply, 3, who="lain@example.net") == {"answered": 1}
        assert mail("halo", f"{words}?", 4) == {"answered": 1}
        assert mail("Out of office", words, 5, Auto_Submitted="auto-replied") == {"dropped": 1}
    out, err = capfd.readouterr()
    lines = [line for line in (logs.getvalue() + out + err).splitlines() if line.strip()]
    assert sum('"inbound email"' in line for line in lines) == 5 and any('"notification sent"' in line for line in lines)
    assert [line for line in lines if leaks(line) or words in line or "lain@example.net" in line] == []


def test_the_reporters_own_data_routes_log_nothing_of_the_identity(api, capfd, monkeypatch):
    """Recovering a code (sent by e-mail and SMS), reading, correcting and erasing one's data
    (issue 15): every log line is scanned; only the answers to the reporter carry the identity."""
    from chalicelib.services import reporter_rights

    monkeypatch.setattr(reporter_rights, "RECOVERY_ANSWER_SECONDS", 0.0)
    http = api.client.http
    with captured_logs() as logs:
        created = api.post("/reports", report_body(reporter={"name": NAME, "email": EMAIL, "phone": PHONE}))[1]
        tid = created["tracking_id"]
        assert http.post(f"/reports/{tid}/access-code/recover").status_code == 202
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.sns.models import sns_backends

        (sms,) = [t for p, t, *_ in sns_backends[DEFAULT_ACCOUNT_ID]["ap-southeast-3"].sms_messages.values()
                  if "kode akses baru" in t]
        code = {"X-Access-Code": re.search(r"baru ([0-9A-Z]{10})", sms).group(1), "Content-Type": "application/json"}
        mine = http.get(f"/reports/{tid}/my-data", headers=code)
        assert mine.status_code == 200 and set(leaks(_text(mine))) >= {NAME, EMAIL, "+6281377774321"}
        assert http.put(f"/reports/{tid}/my-data/contact", headers=code,
                        body=json.dumps({"email": EMAIL.upper(), "phone": PHONE})).status_code == 200
        erased = http.delete(f"/reports/{tid}/my-data", headers=code)
        assert erased.status_code == 200 and leaks(_text(erased)) == []
        assert leaks(_text(http.get(f"/reports/{tid}/my-data", headers=code))) == []
        _, staff = api.get(f"/staff/reports/{tid}", user=CENTRAL)
        assert leaks(json.dumps(staff)) == []  # nor its history: events name the fields, not the values
    out, err = capfd.readouterr()
    lines = [line for line in (logs.getvalue() + out + err).splitlines() if line.strip()]
    assert any('"access code reissued"' in line for line in lines) and any('"notification sent"' in line for line in lines)
    assert [line for line in lines if leaks(line)] == []


def test_the_whatsapp_paths_log_nothing_of_the_senders_number_name_or_words(api, capfd, monkeypatch):
    """The guided dialogue, a photo, a duplicate, a status callback, an unsigned and a wrongly
    signed delivery carrying the number and the words, then a status change sent as a template
    that Meta reports failed (the SMS fallback):
    every log line is scanned for the number (with and without +), the profile name and the words."""
    import boto3

    from chalicelib import config
    from chalicelib.adapters.whatsapp import forget_credentials, signature
    from devtools.whatsapp_recorder import Recorder
    from tests.integration import test_inbound_whatsapp as wa
    from tests.unit.test_image_metadata import jpeg

    recorder = Recorder().start()
    monkeypatch.setenv("WHATSAPP_SECRET_NAME", "lapor-privacy-whatsapp")
    monkeypatch.setenv("WHATSAPP_PHONE_NUMBER_ID", wa.PHONE_NUMBER_ID)
    monkeypatch.setenv("WHATSAPP_API_BASE", recorder.url)
    config.settings.cache_clear()
    forget_credentials()
    boto3.client("secretsmanager", region_name="ap-southeast-3").create_secret(
        Name="lapor-privacy-whatsapp", SecretString=json.dumps({"app_secret": wa.APP_SECRET,
                                                                 "verify_token": wa.VERIFY_TOKEN,
                                                                 "access_token": wa.ACCESS_TOKEN}))
    recorder.media["777001"] = (jpeg(), "image/jpeg")
    words = "Pasar Petisah"

    def post(payload, sign=wa.APP_SECRET):
        payload = json.loads(json.dumps(payload).replace("Siti Rahmawati", NAME))
        body = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json", **({"X-Hub-Signature-256": signature(body, sign)} if sign else {})}
        response = api.client.http.post(wa.PATH, headers=headers, body=body)
        return response.status_code, json.loads(response.body)

    try:
        with captured_logs() as logs:
            assert post(wa.text_event("Halo", "wamid.p1"))[1]["received"] == {"asked": 1}
            assert post(wa.text_event("Halo", "wamid.p1"))[1]["received"] == {"duplicate": 1}
            assert post(wa.text_event("1", "wamid.p2"))[1]["received"] == {"asked": 1}
            assert post(wa.text_event("Medan", "wamid.p3"))[1]["received"] == {"asked": 1}
            photo = wa.image_event("777001", "wamid.p4", caption=f"Lampu jalan mati di {words} sejak Senin")
            assert post(photo)[1]["received"] == {"filed": 1}
            assert post(wa.recorded("status-delivered.json"))[1]["received"] == {"skipped": 1}
            assert post(wa.text_event(f"LAPOR MEDAN {words}", "wamid.p5"), sign=None)[0] == 401
            assert post(wa.text_event(f"LAPOR MEDAN {words}", "wamid.p6"), sign="wrong-secret")[0] == 401
            _, page = api.get("/staff/reports?channel=whatsapp", user=CENTRAL)
            tid = page["items"][0]["tracking_id"]
            api.post(f"/staff/reports/{tid}/actions", {"action": "dispatch", "agency_id": "pemkot-medan"}, user=CENTRAL)
            failed = wa.status_event(f"wamid.local-{len(recorder.sent)}", "failed")  # the template: SMS instead
            assert post(failed)[1]["received"] == {"skipped": 1, "fallback": 1}
    finally:
        recorder.stop()
        forget_credentials()
        config.settings.cache_clear()
    assert any(m["type"] == "template" for m in recorder.sent)
    out, err = capfd.readouterr()
    lines = [line for line in (logs.getvalue() + out + err).splitlines() if line.strip()]
    assert sum('"inbound whatsapp"' in line for line in lines) == 5 and any('"notification sent"' in line for line in lines)
    assert sum('"whatsapp webhook refused"' in line for line in lines) == 2
    assert [line for line in lines if leaks(line) or words in line or "Zainab" in line] == []


def test_supporters_and_a_merge_log_nothing_of_a_contact_and_show_it_nowhere_public(api, capfd):
    """Issue 14: a supporter's e-mail and phone (the same secrets) go into rows and messages only."""
    import re as _re

    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends
    from moto.sns.models import sns_backends

    def code_for(contact: str) -> str:
        mails = [m.subject for m in ses_backends[DEFAULT_ACCOUNT_ID]["ap-southeast-3"].sent_messages
                 if m.destinations["ToAddresses"][0] == contact]
        texts = [t for p, t in sns_backends[DEFAULT_ACCOUNT_ID]["ap-southeast-3"].sms_messages.values() if p == contact]
        return _re.search(r"\b(\d{6})\b", (mails + texts)[-1]).group(1)

    public = []
    with captured_logs() as logs:
        tids = []
        for _ in range(2):
            tid = api.post("/reports", report_body(reporter={"name": NAME, "email": EMAIL, "phone": PHONE}))[1]["tracking_id"]
            tick(60)
            assert api.post(f"/staff/reports/{tid}/actions", {"action": "dispatch", "agency_id": "pemkot-medan"},
                            user=CENTRAL)[0] == 200
            tids.append(tid)
        original, duplicate = tids
        for body, contact in (({"email": EMAIL}, EMAIL), ({"phone": PHONE}, "+6281377774321")):
            answer = api.post(f"/reports/{duplicate}/supports", body)
            public.append(json.dumps(answer))
            answer = api.post(f"/reports/{duplicate}/supports/verify", {**body, "code": code_for(contact)})
            assert answer[0] == 201, answer
            public.append(json.dumps(answer))
        tick(60)
        assert api.post(f"/staff/reports/{duplicate}/actions", {"action": "mark_duplicate", "of": original},
                        user=CENTRAL)[0] == 200
        tick(60)
        assert api.post(f"/staff/reports/{original}/actions", {"action": "assign", "unit_id": "pemkot-medan.dishub"},
                        user=MEDAN)[0] == 200
        for tid in tids:
            public.append(_text(api.client.http.get(f"/reports/{tid}")))
    text = logs.getvalue() + "".join(capfd.readouterr())
    assert any('"notification sent"' in line for line in text.splitlines())
    assert [line for line in text.splitlines() if leaks(line)] == []
    assert [p for p in public if leaks(p)] == []
