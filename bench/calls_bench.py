"""DynamoDB calls per request, in-process against moto: submit, track, each staff action, the
reporter's replies, the lists (provincial, agency, unit, central) and the audit of identity reads.

    .venv/bin/python -m bench.calls_bench

Counts botocore `before-call.dynamodb.<Operation>` events on every DynamoDB client in the
process (PynamoDB's connections, boto3's for idempotency), warm: each request is measured after
one like it has filled the per-container caches (calendar, SLA, idempotency layer), as in a
Lambda that has served before. tests/integration/test_call_budgets.py holds the budgets."""
from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections import Counter
from typing import Callable, Iterator

CENTRAL, MEDAN, DISHUB, SUMUT = "admin.pusat", "admin.medan", "penghubung.dishub.medan", "admin.sumut"


class DynamoCalls:
    """Every DynamoDB API call made while `counting()`, by operation name."""

    HANDLER_ID = "calls-bench-counter"

    def __init__(self) -> None:
        self.calls: Counter = Counter()
        self.active = False
        self.watched: list = []

    def _on_call(self, event_name: str, **_kwargs) -> None:
        if self.active:
            self.calls[event_name.rsplit(".", 1)[-1]] += 1

    def _watch(self, client) -> None:
        # A handler left by an earlier meter would keep the id and take this meter's counts.
        client.meta.events.unregister("before-call.dynamodb", unique_id=self.HANDLER_ID)
        client.meta.events.register("before-call.dynamodb", self._on_call, unique_id=self.HANDLER_ID)
        self.watched.append(client)

    @contextlib.contextmanager
    def installed(self) -> Iterator["DynamoCalls"]:
        """Watches the DynamoDB clients that exist (found by the garbage collector: PynamoDB and
        Powertools keep theirs privately) and every one created from now on."""
        from botocore.client import BaseClient
        from botocore.session import Session

        for obj in gc.get_objects():
            if isinstance(obj, BaseClient) and obj.meta.service_model.service_name == "dynamodb":
                self._watch(obj)
        original = Session.create_client

        def create_client(session, service_name, *args, **kwargs):
            client = original(session, service_name, *args, **kwargs)
            if service_name == "dynamodb":
                self._watch(client)
            return client

        Session.create_client = create_client
        try:
            yield self
        finally:
            Session.create_client = original
            for client in self.watched:
                client.meta.events.unregister("before-call.dynamodb", unique_id=self.HANDLER_ID)
            self.watched = []

    @contextlib.contextmanager
    def counting(self) -> Iterator[Counter]:
        self.calls = Counter()
        self.active = True
        try:
            yield self.calls
        finally:
            self.active = False


def _report(**changes) -> dict:
    from tests.support import report_body

    return report_body(**changes)


def scenarios(api) -> list[tuple[str, Callable[[], None], Callable[[], object]]]:
    """(name, set the scene, the request measured) — each scene fresh, so one request is counted."""
    from tests.integration.proof_support import report_at, tick

    def ok(answer, status=200):
        assert answer[0] == status, answer
        return answer

    def at(status: str) -> dict:
        tid, code = report_at("medan", status)
        return {"tracking_id": tid, "access_code": code}

    scene: dict = {}

    def given(status):
        return lambda: scene.update(at(status))

    def act(user, action, **params):
        return lambda: ok(api.post(f"/staff/reports/{scene['tracking_id']}/actions", {"action": action, **params},
                                   user=user))

    def reply(**body):
        return lambda: ok(api.post(f"/reports/{scene['tracking_id']}/replies", body,
                                   headers={"X-Access-Code": scene["access_code"]}))

    keys = iter(range(10**6))
    return [
        ("submit", lambda: tick(60), lambda: ok(api.post("/reports", _report()), 201)),
        ("submit with Idempotency-Key", lambda: tick(60),
         lambda: ok(api.post("/reports", _report(), headers={"Idempotency-Key": f"k-{next(keys)}"}), 201)),
        ("submit naming an agency", lambda: tick(60),
         lambda: ok(api.post("/reports", _report(agency_id="pemkot-medan")), 201)),
        ("track (public)", given("dispatched"), lambda: ok(api.get(f"/reports/{scene['tracking_id']}"))),
        ("track (with access code)", given("submitted"),
         lambda: ok(api.get(f"/reports/{scene['tracking_id']}", headers={"X-Access-Code": scene["access_code"]}))),
        ("staff view", given("assigned"), lambda: ok(api.get(f"/staff/reports/{scene['tracking_id']}", user=CENTRAL))),
        ("dispatch", given("submitted"), act(CENTRAL, "dispatch", agency_id="pemkot-medan")),
        ("postpone", given("submitted"), act(CENTRAL, "postpone", message="Mohon lengkapi alamat.")),
        ("archive", given("submitted"), act(CENTRAL, "archive", reason="duplicate")),
        ("correct", given("submitted"), act(CENTRAL, "correct", title="Parkir liar (dikoreksi)")),
        ("forward", given("dispatched"), act(CENTRAL, "dispatch", agency_id="perumda-tirtanadi")),
        ("assign", given("dispatched"), act(MEDAN, "assign", unit_id="pemkot-medan.dishub")),
        ("reroute (agency)", given("dispatched"), act(MEDAN, "reroute", message="Bukan wewenang kami.")),
        ("reroute (unit)", given("assigned"), act(DISHUB, "reroute", message="Bukan unit kami.")),
        ("set_field_inspection", given("assigned"), act(DISHUB, "set_field_inspection", required=True)),
        ("respond", given("assigned"), act(DISHUB, "respond", message="Petugas meninjau lokasi.")),
        ("final_answer", given("in_progress"), act(DISHUB, "final_answer", message="Sudah ditertibkan.")),
        ("reporter reply", given("in_progress"), reply(message="Lokasinya di depan pasar.")),
        ("reporter accepts", given("awaiting_reporter"), reply(accept=True, rating=5)),
        ("provincial list", given("assigned"), lambda: ok(api.get("/staff/reports", user=SUMUT))),
        ("agency list", given("assigned"), lambda: ok(api.get("/staff/reports", user=MEDAN))),
        ("unit list", given("assigned"), lambda: ok(api.get("/staff/reports", user=DISHUB))),
        ("central list", given("assigned"), lambda: ok(api.get("/staff/reports", user=CENTRAL))),
        ("audit by report", given("assigned"),
         lambda: ok(api.get(f"/staff/audit?report={scene['tracking_id']}", user=CENTRAL))),
        ("audit by user", given("assigned"), lambda: ok(api.get(f"/staff/audit?user={DISHUB}", user=CENTRAL))),
        ("public list", given("dispatched"), lambda: ok(api.get("/reports"))),
        ("public list, filtered", given("dispatched"),
         lambda: ok(api.get("/reports?regency_code=12.71&category_id=illegal-parking&status=dispatched"))),
        ("public list, most supported", given("dispatched"), lambda: ok(api.get("/reports?sort=supported"))),
        ("similar reports", given("dispatched"),
         lambda: ok(api.get("/reports/similar?regency_code=12.71&category_id=illegal-parking"
                            "&text=Parkir+liar+di+Jalan+Gatot+Subroto&lat=3.59&lon=98.67"))),
        ("public feed, a regency and category", given("dispatched"),
         lambda: ok(api.get("/reports/feed.xml?regency_code=12.71&category_id=illegal-parking"))),
        *_support_scenarios(api, scene, given, ok),
        *reporter_data_scenarios(api, given, scene, ok),
    ]


def reporter_data_scenarios(api, given, scene, ok) -> list:
    """The reporter's own data (issue 15): a lost code (for a real report and an unknown one: the
    same limits and read, then only the real one writes and sends), access, correction, erasure."""
    import json

    def mine(method, suffix="", body=None):
        def call():
            headers = {"X-Access-Code": scene["access_code"], "Content-Type": "application/json"}
            response = getattr(api.client.http, method)(f"/reports/{scene['tracking_id']}/my-data{suffix}",
                                                        headers=headers, body=json.dumps(body) if body else None)
            assert response.status_code == 200, response.body
        return call

    def recover(tid):
        return lambda: ok(api.post(f"/reports/{tid() if callable(tid) else tid}/access-code/recover", None, raw=""), 202)

    return [
        ("recover access code", given("in_progress"), recover(lambda: scene["tracking_id"])),
        ("recover access code (unknown id)", given("in_progress"), recover("ZZZZ-ZZZZ")),
        ("my data", given("in_progress"), mine("get")),
        ("correct contact", given("in_progress"), mine("put", "/contact", {"phone": "0812-6000-4444"})),
        ("erase my data", given("in_progress"), mine("delete")),
    ]


@contextlib.contextmanager
def whatsapp_configured() -> Iterator[Callable[..., object]]:
    """WhatsApp set up as the stack does it (the secret in Secrets Manager, the Graph API a local
    recorder) for as long as the block runs; yields `post(sender, text, message_id)`: a signed
    webhook delivery through the route."""
    import json

    import boto3

    from chalicelib import config
    from chalicelib.adapters.whatsapp import forget_credentials, signature
    from devtools.whatsapp_recorder import Recorder

    secret, app_secret = "lapor-bench-whatsapp", "bench-whatsapp-app-secret"
    recorder = Recorder().start()
    names = ("WHATSAPP_SECRET_NAME", "WHATSAPP_PHONE_NUMBER_ID", "WHATSAPP_API_BASE")
    saved = {n: os.environ.get(n) for n in names}
    os.environ.update(dict(zip(names, (secret, "106540352242922", recorder.url))))
    config.settings.cache_clear()
    forget_credentials()
    client = boto3.client("secretsmanager", region_name="ap-southeast-3")
    with contextlib.suppress(client.exceptions.ResourceExistsException):
        client.create_secret(Name=secret, SecretString=json.dumps(
            {"app_secret": app_secret, "verify_token": "bench", "access_token": "bench"}))
    try:
        yield lambda api, sender, text, message_id: _signed_post(api, sender, text, message_id, app_secret, signature)
    finally:
        recorder.stop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        config.settings.cache_clear()
        forget_credentials()


def _signed_post(api, sender: str, text: str, message_id: str, app_secret: str, signature) -> object:
    import json

    from devtools.inbound import whatsapp_webhook

    body = json.dumps(whatsapp_webhook(sender, text, message_id)).encode()
    response = api.client.http.post("/inbound/whatsapp", body=body, headers={
        "Content-Type": "application/json", "X-Hub-Signature-256": signature(body, app_secret)})
    assert response.status_code == 200, response.body
    return json.loads(response.body)


def whatsapp_scenarios(api, post) -> list[tuple[str, Callable[[], None], Callable[[], object]]]:
    """A dialogue turn (a question asked back) and the dialogue's last answer (the report filed),
    each from a fresh number so every measured message is a new one."""
    from tests.integration.proof_support import tick

    numbers, ids = iter(range(10**6)), iter(range(10**6))
    scene: dict = {}

    def at_step(*answers: str):
        def set_scene():
            tick(60)
            scene["sender"] = f"+62812{next(numbers):07d}"
            for text in ("Halo", *answers):
                post(api, scene["sender"], text, f"wamid.bench-{next(ids)}")
        return set_scene

    def say(text: str, expected: str):
        def request():
            answer = post(api, scene["sender"], text, f"wamid.bench-{next(ids)}")
            assert answer == {"received": {expected: 1}}, answer
        return request

    return [
        ("whatsapp dialogue turn", at_step(), say("1", "asked")),
        ("whatsapp dialogue files", at_step("1", "Medan"), say("Lampu jalan mati di depan pasar sejak Senin", "filed")),
    ]


def _support_scenarios(api, scene: dict, given, ok) -> list:
    """Issue 14: supports, their code, the opt-out link, a followed report's change, a merge and its undo."""
    from tests.integration.proof_support import report_at

    contacts = iter(range(10**6))

    def supported(status):
        """A report of `status` with one verified e-mail supporter (the scene's `email`, `token`)."""
        def scene_():
            given(status)()
            email = f"pendukung{next(contacts)}@example.com"
            ok(api.post(f"/reports/{scene['tracking_id']}/supports", {"email": email}), 202)
            ok(api.post(f"/reports/{scene['tracking_id']}/supports/verify",
                        {"email": email, "code": _last_code(email)}), 201)
            scene.update(email=email, token=_token(scene["tracking_id"], email))
        return scene_

    def pending():
        given("dispatched")()
        email = f"pendukung{next(contacts)}@example.com"
        ok(api.post(f"/reports/{scene['tracking_id']}/supports", {"email": email}), 202)
        scene.update(email=email, code=_last_code(email))

    def two():
        given("assigned")()
        scene["original"] = report_at("medan", "dispatched")[0]

    def merged():
        two()
        ok(api.post(f"/staff/reports/{scene['tracking_id']}/actions",
                    {"action": "mark_duplicate", "of": scene["original"]}, user=CENTRAL))

    return [
        ("support (anonymous)", given("dispatched"),
         lambda: ok(api.post(f"/reports/{scene['tracking_id']}/supports", {}), 201)),
        ("support (a code sent)", given("dispatched"),
         lambda: ok(api.post(f"/reports/{scene['tracking_id']}/supports", {"email": "warga@example.com"}), 202)),
        ("support verified", pending,
         lambda: ok(api.post(f"/reports/{scene['tracking_id']}/supports/verify",
                             {"email": scene["email"], "code": scene["code"]}), 201)),
        ("opt-out", supported("dispatched"), lambda: ok(api.get(f"/supports/opt-out?token={scene['token']}"))),
        ("respond (a followed report)", supported("assigned"),
         lambda: ok(api.post(f"/staff/reports/{scene['tracking_id']}/actions",
                             {"action": "respond", "message": "Petugas meninjau lokasi."}, user=DISHUB))),
        ("mark_duplicate", two, lambda: ok(api.post(f"/staff/reports/{scene['tracking_id']}/actions",
                                                    {"action": "mark_duplicate", "of": scene["original"]},
                                                    user=CENTRAL))),
        ("most supported list (agency)", supported("assigned"),
         lambda: ok(api.get("/staff/reports?sort=supported", user=MEDAN))),
        ("unmark_duplicate", merged, lambda: ok(api.post(f"/staff/reports/{scene['tracking_id']}/actions",
                                                         {"action": "unmark_duplicate"}, user=CENTRAL))),
    ]


def _last_code(email: str) -> str:
    """The one-time code moto's SES last carried to `email`."""
    import re

    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    sent = [m for m in ses_backends[DEFAULT_ACCOUNT_ID]["ap-southeast-3"].sent_messages
            if m.destinations["ToAddresses"][0].lower() == email]
    return re.search(r"\b(\d{6})\b", sent[-1].subject).group(1)


def _token(tracking_id: str, email: str) -> str:
    from chalicelib.config import settings
    from chalicelib.domain import support

    key = settings().access_code_key
    return support.opt_out_token(key, tracking_id, support.contact_key(key, "email", email))


def measure(api) -> dict[str, Counter]:
    """Calls per scenario, each measured warm (the same request ran once before, uncounted)."""
    from tests.integration.proof_support import clear_tables

    meter = DynamoCalls()
    results: dict[str, Counter] = {}
    with meter.installed(), whatsapp_configured() as post:
        for name, scene, request in [*scenarios(api), *whatsapp_scenarios(api, post)]:
            scene()
            request()  # warm: the container's caches, as after any earlier request
            scene()
            with meter.counting() as calls:
                request()
            results[name] = Counter(calls)
            clear_tables()  # moto copies whole tables per transaction: keep them small
    return results


def table(results: dict[str, Counter]) -> str:
    ops = sorted({op for c in results.values() for op in c})
    width = max(len(n) for n in results)
    lines = [f"{'request':<{width}}  total  " + "  ".join(ops)]
    for name, calls in results.items():
        cells = "  ".join(f"{calls.get(op, 0):>{len(op)}}" for op in ops)
        lines.append(f"{name:<{width}}  {sum(calls.values()):>5}  {cells}")
    return "\n".join(lines)


def main() -> int:
    os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                       "AWS_DEFAULT_REGION": "ap-southeast-3", "TABLE_PREFIX": "lapor-bench-", "STAGE": "bench", "ACCESS_CODE_KEY": "bench-access-code-key-" * 2,
                       "POWERTOOLS_LOG_LEVEL": "WARNING", "POWERTOOLS_TRACE_DISABLED": "1",
                       "POWERTOOLS_SERVICE_NAME": "lapor", "POWERTOOLS_METRICS_NAMESPACE": "Lapor"})
    for name in list(os.environ):
        if name.startswith("AWS_ENDPOINT_URL") or name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
            del os.environ[name]
    import moto  # noqa: F401  (before the app, per STACK-NOTES)

    from tests.integration.proof_support import module_world

    with module_world() as api:
        print(table(measure(api)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
