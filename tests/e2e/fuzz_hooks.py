"""Schemathesis hooks for the fuzz (tests/e2e/test_fuzz.py, or by hand:
`SCHEMATHESIS_HOOKS=tests.e2e.fuzz_hooks schemathesis --config-file tests/e2e/schemathesis.toml run ...`).

- `format: phone`: an Indonesian number as people write it (schemas.normalise_phone's rule);
- every 4xx carries the documented error body (the platform's, or Open311's own);
- staff calls sign in as one of the demo roles (FUZZ_TOKENS: a JSON {username: ID token}),
  chosen from the case itself, so a replay is the same request; linked (stateful) calls as the
  central admin, so what one call creates the next may read;
- the WhatsApp webhook (`POST /inbound/whatsapp`) is not signed here: every fuzz body meets the
  documented 401 before it is parsed; its parser takes arbitrary JSON in
  tests/unit/test_whatsapp_payload.py, and signed deliveries run in test_inbound_whatsapp.py.
"""
from __future__ import annotations

import json
import os
import re
import zlib

import schemathesis
from hypothesis import strategies as st

# Mobile (08xx, +62 8xx) and landline numbers (021-…), with or without separators.
PHONES = st.from_regex(r"\A(\+62 ?8|08)[1-35-9][0-9]-?[0-9]{4}-?[0-9]{3,4}\Z|\A021-?[0-9]{7,8}\Z")
schemathesis.openapi.format("phone", PHONES)

ERROR_KEYS = {"code", "message", "message_id", "message_en", "fields"}


def _content_type(response) -> str:
    for name, values in response.headers.items():
        if name.lower() == "content-type":
            return values[0] if isinstance(values, list) else values
    return ""


@schemathesis.check
def documented_error_body(ctx, response, case):
    """Every 4xx carries the documented error body: the platform's, or Open311's own."""
    if not 400 <= response.status_code < 500:
        return None
    path = case.operation.path
    if response.status_code in (405, 415):  # refused before any view (Chalice, API Gateway): the platform's body
        path = "/"
    if path.startswith("/static/"):
        assert _content_type(response).startswith("text/plain"), "static 404 is plain text"
        return None
    text = response.content.decode("utf-8", "replace")
    if path.startswith("/open311/"):
        if "xml" in _content_type(response):
            assert "<errors>" in text and "<code>" in text, text[:300]
            return None
        body = json.loads(text)
        assert isinstance(body, list) and body and all({"code", "description"} <= set(e) for e in body), text[:300]
        return None
    body = json.loads(text)
    error = body.get("error") if isinstance(body, dict) else None
    assert isinstance(error, dict), f"{response.status_code} without the error body: {text[:300]}"
    assert set(error) == ERROR_KEYS, text[:300]
    assert all(isinstance(error[k], str) and error[k] for k in ERROR_KEYS - {"fields"}), text[:300]
    assert isinstance(error["fields"], dict), text[:300]
    return None


_TOKENS: dict[str, str] = json.loads(os.environ.get("FUZZ_TOKENS") or "{}")
STATEFUL_ROLE = "admin.pusat"


@schemathesis.auth()
class DemoRoles:
    """A demo role's ID token per staff case (the role picked from the case, so replays match)."""

    def get(self, case, ctx):
        return _TOKENS

    def set(self, case, data, ctx):
        if not data or not case.operation.path.startswith("/staff/"):
            return
        fingerprint = zlib.crc32(repr((case.operation.label, case.path_parameters, case.query, case.body)).encode())
        names = sorted(data)
        # A scenario of linked calls is one person's: the central admin, who sees what it creates.
        if "stateful" in str(getattr(getattr(case.meta, "phase", None), "name", "")).lower() and STATEFUL_ROLE in data:
            names = [STATEFUL_ROLE]
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data[names[fingerprint % len(names)]]}"}


# The reporter's erasure and lost-code recovery (issue 15) change what the fuzz's own linked calls
# rely on: an erased report's /my-data still answers 200 (the report stays), which the
# use-after-free check reads as a bug, and a recovered code revokes the one the links carry. Both
# are sent for a tracking number nobody filed (erasure 404, recovery its same 202 or 429), so the
# fuzz never erases or re-keys a report it follows; tests/integration/test_reporter_rights.py
# covers their success.
NEVER_ON_FUZZ_REPORTS = {("DELETE", "/reports/{tid}/my-data"), ("POST", "/reports/{tid}/access-code/recover")}
NOBODYS_REPORT = "ZZZZ-ZZZZ"


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    """Only a tracking number the document allows is swapped: a negative case's bad one stays bad."""
    if (case.operation.method.upper(), case.operation.path) not in NEVER_ON_FUZZ_REPORTS or not case.path_parameters:
        return
    tid = case.path_parameters.get("tid")
    if isinstance(tid, str) and len(tid) <= 64 and not re.search(r"[\x00-\x1f\x7f-\x9f]", tid):
        case.path_parameters = {**case.path_parameters, "tid": NOBODYS_REPORT}
