"""Schemathesis against the running local stack (moto server + chalice local), every operation of
/openapi.json, public and staff (with a demo account's token): valid and invalid requests alike
must never get a 5xx, every 4xx must carry its documented error body, every status and content
type must be documented. Afterwards the stack's log must hold no unhandled error (Open311 turns
those into its "general service error" 400, so the log is where they show).

`make test` runs FUZZ_EXAMPLES (default 30) examples per operation and mode; `make fuzz` more.
Its own stack, not the session's: the fuzz files thousands of reports from 127.0.0.1, which would
use up the per-client submission limit the browser tests need.
"""
from __future__ import annotations

import json
import os
import random
import re
import zlib
from collections import Counter

import pytest
import requests
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable

from devtools.stack import local_stack

PIN = "schemathesis==4.32.5"
try:
    import schemathesis
except ImportError:  # pragma: no cover - the dev requirements install it
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        raise
    pytest.skip(f"schemathesis is not installed ({PIN} in requirements-dev.txt)", allow_module_level=True)
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import content_type_conformance, status_code_conformance  # noqa: E402

pytestmark = pytest.mark.e2e

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))
ROLES = ("admin.pusat", "admin.medan", "penghubung.dishub.medan", "admin.sumut")
FOUND_IN_LOG = re.compile(r'"message": ?"(unhandled error|open311 request failed)"')


@pytest.fixture(scope="module")
def fuzz_stack(tmp_path_factory):
    with pytest.MonkeyPatch.context() as env:
        # The local stack passes this process's environment on to chalice local.
        env.setenv("SUBMISSIONS_PER_CLIENT_PER_HOUR", "1000000")
        stack = local_stack(log=lambda message: None, log_dir=tmp_path_factory.mktemp("fuzz-stack"))
        info = stack.__enter__()
    try:
        yield info
    finally:
        stack.__exit__(None, None, None)


@pytest.fixture(scope="module")
def scene(fuzz_stack):
    """Real reports for the fuzzer to aim at (it also invents ids), and a token per role."""
    from devtools.token import get_id_token

    tokens = {user: get_id_token(fuzz_stack.state, user) for user in ROLES}
    session = requests.Session()
    created = []
    for i, agency in enumerate((None, "pemkot-medan", "pemkot-medan", None)):
        body = {"kind": "complaint", "title": f"Jalan berlubang nomor {i}", "description": "Lubang besar di tengah jalan.",
                "location": {"province_code": "12", "regency_code": "12.71"}, "category_id": "roads",
                "reporter": {"name": "Fuzz Reporter", "phone": "0812-6000-1234"}, "channel": "web",
                **({"agency_id": agency} if agency else {})}
        answer = session.post(fuzz_stack.api_url + "/reports", json=body, timeout=30)
        assert answer.status_code == 201, answer.text
        created.append(answer.json())
    staff = {"Authorization": f"Bearer {tokens['admin.medan']}"}
    assign = {"action": "assign", "unit_id": "pemkot-medan.dishub"}
    assert session.post(f"{fuzz_stack.api_url}/staff/reports/{created[2]['tracking_id']}/actions", json=assign,
                        headers=staff, timeout=30).status_code == 200
    return {"tokens": tokens, "reports": [(c["tracking_id"], c["access_code"]) for c in created], "session": session}


@pytest.fixture(scope="module")
def api_schema(fuzz_stack):
    schema = schemathesis.openapi.from_url(fuzz_stack.api_url + "/openapi.json")
    schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
    return schema


def _error_body(ctx, response, case) -> None:
    """Every 4xx carries the documented error body: the platform's, or Open311's own."""
    status = response.status_code
    if not 400 <= status < 500:
        return
    path = case.operation.path
    if path.startswith("/static/"):
        assert _content_type(response).startswith("text/plain"), "static 404 is plain text"
        return
    text = response.content.decode("utf-8", "replace")
    if path.startswith("/open311/") and not path.startswith("/staff/"):
        if "xml" in _content_type(response):
            assert "<errors>" in text and "<code>" in text, text[:300]
            return
        body = json.loads(text)
        assert isinstance(body, list) and body and all({"code", "description"} <= set(e) for e in body), text[:300]
        return
    body = json.loads(text)
    error = body.get("error") if isinstance(body, dict) else None
    assert isinstance(error, dict), f"{status} without the error body: {text[:300]}"
    assert set(error) == {"code", "message", "message_id", "message_en", "fields"}, text[:300]
    assert all(isinstance(error[k], str) and error[k] for k in ("code", "message", "message_id", "message_en"))
    assert isinstance(error["fields"], dict)


def _content_type(response) -> str:
    for name, values in response.headers.items():
        if name.lower() == "content-type":
            return values[0] if isinstance(values, list) else values
    return ""


def _aim(case, scene) -> dict[str, str]:
    """Half the cases hit a real report (and sometimes carry its code); staff cases get a role."""
    # Hypothesis reseeds `random` identically for every example: derive the choices from the case.
    fingerprint = zlib.crc32(repr((case.path_parameters, case.query, case.headers, case.body)).encode())
    rng = random.Random(fingerprint)
    headers: dict[str, str] = {}
    if case.headers and isinstance(case.headers.get("Idempotency-Key"), str):
        # Derandomized runs reuse short keys ("0") across bodies, which is a correct 400 every
        # time: tie the key to the body instead, so replays and first answers both happen.
        headers["Idempotency-Key"] = f"{case.headers['Idempotency-Key'][:100]}-{fingerprint}"
    tid, code = rng.choice(scene["reports"])
    if case.path_parameters and "tid" in case.path_parameters and rng.random() < 0.5:
        case.path_parameters["tid"] = tid
        if rng.random() < 0.5:
            headers["X-Access-Code"] = code
    if case.path.startswith("/staff/") and rng.random() < 0.95:
        headers["Authorization"] = f"Bearer {scene['tokens'][rng.choice(ROLES)]}"
    return headers


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, _error_body]


def test_no_request_gets_a_5xx_and_every_4xx_carries_the_error_body(api_schema, scene, fuzz_stack):
    """Every operation, valid and invalid input; all failing operations are reported together,
    each with its smallest failing request (curl) as Hypothesis shrank it."""
    failures: dict[str, str] = {}
    sent = 0
    seen: Counter = Counter()
    for result in api_schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                      phases=[Phase.explicit, Phase.generate, Phase.shrink], suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=mode))
            def fuzz(case):
                nonlocal sent
                headers = _aim(case, scene)
                response = case.call(base_url=fuzz_stack.api_url, headers=headers, session=scene["session"],
                                     timeout=30)
                sent += 1
                seen[(operation.label, response.status_code)] += 1
                try:
                    case.validate_response(response, checks=CHECKS, headers=headers)
                except (Exception, BaseExceptionGroup) as exc:
                    raise AssertionError(f"{exc}\n{case.as_curl_command(headers)}\n-> {response.status_code} "
                                         f"{response.content[:500]!r}") from None

            try:
                fuzz()
            except Unsatisfiable:
                continue  # nothing to make invalid: the operation has no parameters or body
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collected, reported at the end
                failures[f"{operation.label} [{mode.value}]"] = str(exc)[:3000]
    print(f"fuzz: {sent} requests")
    for (label, status), count in sorted(seen.items()):
        print(f"  {label:55} {status} x{count}")
    # the fuzzer got past validation and scope, not only bounced off them (given room to try)
    for label, status in (("GET /staff/reports", 200), ("GET /reports/{tid}", 200), ("GET /staff/reports/{tid}", 200)):
        assert seen[(label, status)] or EXAMPLES < 20, f"{label} never answered {status}"
    writes = sum(n for (label, status), n in seen.items() if label.split()[0] != "GET" and status < 300)
    assert writes >= 5 or EXAMPLES < 20, "hardly any generated write went through"
    assert not failures, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())
    # Whatever was swallowed shows in the log (Open311 answers its own 400 for any exception).
    log = open(fuzz_stack.state["chalice_log"], encoding="utf-8", errors="replace").read()
    found = [line[:2000] for line in log.splitlines() if FOUND_IN_LOG.search(line)]
    assert not found, "\n".join(found[:5])


def test_the_documented_request_examples_work_against_the_running_stack(api_schema, fuzz_stack, scene):
    """The examples in /openapi.json are real: a client copying them gets a report."""
    doc = requests.get(fuzz_stack.api_url + "/openapi.json", timeout=30).json()
    staff = {"Authorization": f"Bearer {scene['tokens']['admin.pusat']}"}
    for path, headers in (("/reports", {}), ("/staff/reports", staff)):
        examples = doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]["examples"]
        for name, example in examples.items():
            answer = scene["session"].post(fuzz_stack.api_url + path, json=example["value"], headers=headers, timeout=30)
            assert answer.status_code == 201, (path, name, answer.text)
