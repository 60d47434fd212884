"""Schemathesis against the running local stack (moto server + chalice local): `schemathesis run
-c all` with every phase (examples, coverage, fuzzing, and stateful through the OpenAPI links), on
every operation of /openapi.json, public and staff (the demo roles' tokens, tests/e2e/fuzz_hooks.py).
Every check runs, ours included: no 5xx, every status and content type documented, schema-valid
requests accepted (2xx, or 401/403/404/409/422/429 as tests/e2e/schemathesis.toml says why),
schema-violating ones refused, every 4xx in its documented error body. Afterwards the stack's log
must hold no unhandled error (Open311 turns those into its "general service error" 400).

`make test` runs FUZZ_EXAMPLES (default 12) examples per operation; `make fuzz` more. Its own
stack, not the session's: the fuzz files thousands of reports from 127.0.0.1, which would use up
the per-client submission limit the browser tests need.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from devtools.stack import REPO_ROOT, local_stack

PIN = "schemathesis==4.32.5"
try:
    import schemathesis  # noqa: F401
except ImportError:  # pragma: no cover - the dev requirements install it
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        raise
    pytest.skip(f"schemathesis is not installed ({PIN} in requirements-dev.txt)", allow_module_level=True)

pytestmark = pytest.mark.e2e

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
ROLES = ("admin.pusat", "admin.medan", "penghubung.dishub.medan", "admin.sumut")
FOUND_IN_LOG = re.compile(r'"message": ?"(unhandled error|open311 request failed)"')
HERE = Path(__file__).resolve().parent


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
def tokens(fuzz_stack):
    from devtools.token import get_id_token

    return {user: get_id_token(fuzz_stack.state, user) for user in ROLES}


def _schemathesis(api_url: str, tokens: dict[str, str], report: Path) -> subprocess.CompletedProcess:
    """The CLI itself, as a developer runs it: every check, every phase, one worker (two cores)."""
    command = [
        sys.executable, "-c", "from schemathesis.cli import schemathesis; schemathesis()",
        "--config-file", str(HERE / "schemathesis.toml"),
        "run", f"{api_url}/openapi.json", "--checks", "all",
        "--phases", "examples,coverage,fuzzing,stateful", "--max-examples", str(EXAMPLES),
        "--workers", "1", "--seed", "1", "--generation-database", "none", "--suppress-health-check", "all",
        "--no-color", "--report", "ndjson", "--report-ndjson-path", str(report),
    ]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.e2e.fuzz_hooks", "FUZZ_TOKENS": json.dumps(tokens),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))}
    # Run beside the report: schemathesis keeps its replay store (.schemathesis/) in the working directory.
    return subprocess.run(command, cwd=report.parent, env=env, capture_output=True, text=True, timeout=1200)


def _statuses(report: Path) -> dict[str, set[int]]:
    """Which statuses each operation answered during the run (from the NDJSON events)."""
    seen: dict[str, set[int]] = {}

    def walk(node):
        if isinstance(node, dict):
            request, response = node.get("request"), node.get("response")
            if isinstance(request, dict) and isinstance(response, dict) and "status_code" in response:
                label = f"{request.get('method', '').upper()} {request.get('uri', '')}"
                seen.setdefault(label, set()).add(response["status_code"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for line in report.read_text(encoding="utf-8").splitlines():
        walk(json.loads(line))
    return seen


def test_schemathesis_with_every_check_and_phase_finds_nothing(fuzz_stack, tokens, tmp_path):
    report = tmp_path / "events.ndjson"
    run = _schemathesis(fuzz_stack.api_url, tokens, report)
    summary = run.stdout[run.stdout.find("=== SUMMARY"):] if "=== SUMMARY" in run.stdout else run.stdout[-3000:]
    print(summary)
    assert run.returncode == 0, f"{run.stdout[-20000:]}\n{run.stderr[-3000:]}"
    for phase in ("Examples", "Coverage", "Fuzzing", "Stateful"):
        assert re.search(rf"✅\s+{phase}", run.stdout), f"the {phase} phase did not run clean:\n{summary}"
    # the fuzzer got past validation and scope, not only bounced off them
    seen = _statuses(report)
    answered = {label.split("?")[0]: codes for label, codes in seen.items()}
    created = [label for label, codes in answered.items() if label.startswith("POST") and 201 in codes]
    assert any(label.endswith("/reports") for label in created), sorted(answered)[:20]
    assert any(re.search(r"^GET .*/staff/reports/[0-9A-Z]{4}-[0-9A-Z]{4}$", label) and 200 in codes
               for label, codes in answered.items()), "the stateful phase never read a created report"
    # Whatever was swallowed shows in the log (Open311 answers its own 400 for any exception).
    log = open(fuzz_stack.state["chalice_log"], encoding="utf-8", errors="replace").read()
    found = [line[:2000] for line in log.splitlines() if FOUND_IN_LOG.search(line)]
    assert not found, "\n".join(found[:5])


def test_the_documented_request_examples_work_against_the_running_stack(fuzz_stack, tokens):
    """The examples in /openapi.json are real: a client copying them gets a report."""
    doc = requests.get(fuzz_stack.api_url + "/openapi.json", timeout=30).json()
    staff = {"Authorization": f"Bearer {tokens['admin.pusat']}"}
    for path, headers in (("/reports", {}), ("/staff/reports", staff)):
        examples = doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]["examples"]
        for name, example in examples.items():
            answer = requests.post(fuzz_stack.api_url + path, json=example["value"], headers=headers, timeout=30)
            assert answer.status_code == 201, (path, name, answer.text)
