"""DynamoDB calls per request, in-process against moto: submit, track, each staff action, the
reporter's replies and the lists (provincial, agency, unit, central).

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

    def _on_call(self, event_name: str, **_kwargs) -> None:
        if self.active:
            self.calls[event_name.rsplit(".", 1)[-1]] += 1

    def _watch(self, client) -> None:
        client.meta.events.register("before-call.dynamodb", self._on_call, unique_id=self.HANDLER_ID)

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
        ("public list", given("dispatched"), lambda: ok(api.get("/reports"))),
        ("public list, filtered", given("dispatched"),
         lambda: ok(api.get("/reports?regency_code=12.71&category_id=illegal-parking&status=dispatched"))),
        ("public list, most supported", given("dispatched"), lambda: ok(api.get("/reports?sort=supported"))),
        ("similar reports", given("dispatched"),
         lambda: ok(api.get("/reports/similar?regency_code=12.71&category_id=illegal-parking"
                            "&text=Parkir+liar+di+Jalan+Gatot+Subroto&lat=3.59&lon=98.67"))),
        ("public feed, a regency and category", given("dispatched"),
         lambda: ok(api.get("/reports/feed.xml?regency_code=12.71&category_id=illegal-parking"))),
    ]


def measure(api) -> dict[str, Counter]:
    """Calls per scenario, each measured warm (the same request ran once before, uncounted)."""
    from tests.integration.proof_support import clear_tables

    meter = DynamoCalls()
    results: dict[str, Counter] = {}
    with meter.installed():
        for name, scene, request in scenarios(api):
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
