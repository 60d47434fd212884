"""The permission matrix through HTTP: every staff route × every demo role × a report (or agency,
unit) inside and outside the caller's scope, asserting the exact status; then every staff route
refusing bad tokens with 401.

Cells read "in out": the status for the in-scope thing, then for the out-of-scope one (the
central admin's scope is everything, so it has one). Outside one's scope a report does not exist
(404); a role that never does an action is 403; a role that may, but not from this status, 409.
"""
from __future__ import annotations

import base64
import datetime as dt
import gzip
import json
import time
from importlib import resources

import boto3
import jwt
import pytest

from tests.integration.proof_support import (  # noqa: F401 (api, world: fixtures)
    PLACES, api, world)
from tests.integration.proof_support import report_at as walked

C, M, H, L, S, K = ("admin.pusat", "admin.medan", "penghubung.dishub.medan", "penghubung.dlh.medan",
                    "admin.sumut", "admin.kepri")
ROLES = (C, M, H, L, S, K)

# Which report is inside / outside each role's scope.
ROLE_PLACES = {C: ("medan", None), M: ("medan", "batam"), H: ("medan", "medan_dlh"), L: ("medan_dlh", "medan"),
               S: ("medan", "batam"), K: ("batam", "medan")}

def report_at(place_name: str, status: str) -> str:
    return walked(place_name, status)[0]


def _cells(row: tuple) -> list[tuple[str, str, str]]:
    """(role, which, expected) for every cell of a row."""
    out = []
    for role, cell in zip(ROLES, row):
        statuses = cell.split()
        out.append((role, "in", statuses[0]))
        if len(statuses) > 1:
            out.append((role, "out", statuses[1]))
    return out


# ---- report views and actions ---------------------------------------------------------------------
#   route or action   from status           C      M          H          L          S          K
REPORT_MATRIX = [
    ("view", "submitted",                  ("200", "404 404", "404 404", "404 404", "200 404", "200 404")),
    ("view", "assigned",                   ("200", "200 404", "200 404", "200 404", "200 404", "200 404")),
    ("attachments", "assigned",            ("200", "200 404", "200 404", "200 404", "200 404", "200 404")),
    ("dispatch", "submitted",              ("200", "404 404", "404 404", "404 404", "403 404", "403 404")),
    ("postpone", "submitted",              ("200", "404 404", "404 404", "404 404", "403 404", "403 404")),
    ("archive", "submitted",               ("200", "404 404", "404 404", "404 404", "403 404", "403 404")),
    ("correct", "submitted",               ("200", "404 404", "404 404", "404 404", "403 404", "403 404")),
    ("forward", "dispatched",              ("200", "403 404", "404 404", "404 404", "403 404", "403 404")),
    ("assign", "dispatched",               ("403", "200 404", "404 404", "404 404", "403 404", "403 404")),
    ("reroute", "dispatched",              ("200", "200 404", "404 404", "404 404", "403 404", "403 404")),
    ("correct", "dispatched",              ("200", "200 404", "404 404", "404 404", "403 404", "403 404")),
    ("set_field_inspection", "dispatched", ("403", "200 404", "404 404", "404 404", "403 404", "403 404")),
    ("postpone", "dispatched",             ("409", "403 404", "404 404", "404 404", "403 404", "403 404")),
    ("reassign", "assigned",               ("403", "200 404", "403 404", "403 404", "403 404", "403 404")),
    ("respond", "assigned",                ("403", "403 404", "200 404", "200 404", "403 404", "403 404")),
    ("reroute", "assigned",                ("409", "409 404", "200 404", "200 404", "403 404", "403 404")),
    ("set_field_inspection", "in_progress", ("403", "200 404", "200 404", "200 404", "403 404", "403 404")),
    ("respond", "in_progress",             ("403", "403 404", "200 404", "200 404", "403 404", "403 404")),
    ("final_answer", "in_progress",        ("403", "403 404", "200 404", "200 404", "403 404", "403 404")),
    ("respond", "awaiting_reporter",       ("403", "403 404", "409 404", "409 404", "403 404", "403 404")),
    ("dispatch", "completed",              ("409", "403 404", "403 404", "403 404", "403 404", "403 404")),
    ("archive", "completed",               ("409", "409 404", "403 404", "403 404", "403 404", "403 404")),
    # issue 14: merging, the original in the same place as the report (an agency admin's own agency)
    ("mark_duplicate", "dispatched",       ("200", "200 404", "404 404", "404 404", "403 404", "403 404")),
    ("mark_duplicate", "submitted",        ("200", "404 404", "404 404", "404 404", "403 404", "403 404")),
    ("unmark_duplicate", "duplicate",      ("200", "200 404", "404 404", "404 404", "403 404", "403 404")),
]
ORIGINAL = "<an original in the same place>"


def _report_for(api, place_name: str, status: str) -> str:
    """A report of the row's status; "duplicate": one marked as the duplicate of another (issue 14)."""
    if status != "duplicate":
        return report_at(place_name, status)
    tid, original = report_at(place_name, "dispatched"), report_at(place_name, "dispatched")
    status_code, body = api.post(f"/staff/reports/{tid}/actions", {"action": "mark_duplicate", "of": original},
                                 user=C)
    assert status_code == 200, body
    return tid


READ_ONLY = ("view", "attachments")


def _action_body(kind: str, place: dict) -> dict:
    return {
        "dispatch": {"action": "dispatch", "agency_id": place["agency"]},
        "forward": {"action": "dispatch", "agency_id": "perumda-tirtanadi"},
        "postpone": {"action": "postpone", "message": "Mohon sebutkan alamat lengkap."},
        "archive": {"action": "archive", "reason": "duplicate"},
        "correct": {"action": "correct", "title": "Lampu jalan padam (dikoreksi)"},
        "assign": {"action": "assign", "unit_id": place["unit"]},
        "reassign": {"action": "assign", "unit_id": place["other_unit"]},
        "reroute": {"action": "reroute", "message": "Bukan wewenang kami."},
        "respond": {"action": "respond", "message": "Petugas meninjau lokasi."},
        "final_answer": {"action": "final_answer", "message": "Lampu sudah diganti."},
        "set_field_inspection": {"action": "set_field_inspection", "required": True},
        "mark_duplicate": {"action": "mark_duplicate", "of": ORIGINAL},
        "unmark_duplicate": {"action": "unmark_duplicate"},
    }[kind]


@pytest.mark.parametrize("kind,status,row", REPORT_MATRIX, ids=[f"{k}-from-{s}" for k, s, _ in REPORT_MATRIX])


def test_report_routes_answer_each_role_in_and_out_of_scope(api, kind, status, row):
    """One row: a refused call changes nothing, so refused cells share one report per place;
    each allowed call gets a fresh one."""
    shared: dict[str, str] = {}
    got = {}
    for role, which, expected in _cells(row):
        place_name = ROLE_PLACES[role][0 if which == "in" else 1]
        changes = expected.startswith("2") and kind not in READ_ONLY
        if changes or place_name not in shared:
            tid = _report_for(api, place_name, status)
            if not changes:
                shared[place_name] = tid
        else:
            tid = shared[place_name]
        if kind == "view":
            status_code, body = api.get(f"/staff/reports/{tid}", user=role)
        elif kind == "attachments":
            status_code, body = api.get(f"/staff/reports/{tid}/attachments", user=role)
        else:
            action = _action_body(kind, PLACES[place_name])
            if action.get("of") == ORIGINAL:
                action["of"] = report_at(place_name, "dispatched")
            status_code, body = api.post(f"/staff/reports/{tid}/actions", action, user=role)
        got[(role, which)] = str(status_code)
        if status_code >= 400:
            assert body["error"]["code"] == {403: "forbidden", 404: "not_found", 409: "invalid_transition"}[status_code]
    expected_cells = {(role, which): expected for role, which, expected in _cells(row)}
    assert got == expected_cells


# ---- lists and exports: 200 for everyone, with only what is in scope ---------------------------------


@pytest.mark.parametrize("role", ROLES)


@pytest.mark.parametrize("path", ["/staff/reports?limit=200", "/staff/reports/export?format=csv",
                                  "/staff/queue?limit=200"])


def test_lists_show_each_role_only_reports_in_its_scope(api, role, path):
    inside, outside = (report_at(p, "assigned") if p else None for p in ROLE_PLACES[role])
    response = api.client.http.get(path, headers=api.platform.headers(role))
    assert response.status_code == 200
    text = response.body.decode() if isinstance(response.body, bytes) else response.body
    assert inside in text
    if outside:
        assert outside not in text


def _served(method: str, path: str) -> bool:
    from app import app

    return method in app.routes.get(path, {})


# ---- routes that are not about one report ---------------------------------------------------------------
def _officer(username, agency, unit):
    return {"name": "Petugas Uji", "role": "liaison_officer", "email": f"{username}@lapor.example.go.id",
            "agency_id": agency, "unit_id": unit}


def _assignment(api, unit, username):
    status, body = api.post(f"/staff/units/{unit}/assignments", {"username": username, "start": "2025-01-01"}, user=C)
    assert status == 201, body
    return body["id"]


def _key(api):
    status, body = api.post("/staff/open311/keys", {"client_name": "Aplikasi Uji"}, user=C)
    assert status == 201, body
    return body["id"] if "id" in body else body["key_id"]


def _with_sla(api, agency):
    assert api.put(f"/staff/sla/agency/{agency}", {"limits": {"first_response": 4}}, C)[0] == 200
    return agency


def _day(api):
    day = f"2025-0{1 + len(api.platform.tokens) % 8}-1{int(time.time_ns()) % 9}"
    assert api.put(f"/staff/calendar/{day}", {"working": False}, C)[0] == 200
    return day


# (method, route, request for the in-scope thing, for the out-of-scope one, expected row C M H L S K)
ROUTE_MATRIX = [
    ("GET", "/staff/me", lambda a: ("/staff/me", None), None,
     ("200", "200", "200", "200", "200", "200")),
    ("POST", "/staff/reports", lambda a: ("/staff/reports", _manual()), lambda a: ("/staff/reports", _manual("pemkot-batam")),
     ("201 201", "201 403", "403 403", "403 403", "403 403", "403 403")),
    ("GET", "/staff/calendar", lambda a: ("/staff/calendar?year=2025", None), None,
     ("200", "200", "200", "200", "200", "200")),
    ("PUT", "/staff/calendar/{day}", lambda a: ("/staff/calendar/2025-03-03", {"working": False}), None,
     ("200", "403", "403", "403", "403", "403")),
    ("DELETE", "/staff/calendar/{day}", lambda a: (f"/staff/calendar/{_day(a)}", None), None,
     ("200", "403", "403", "403", "403", "403")),
    ("GET", "/staff/sla", lambda a: ("/staff/sla", None), None,
     ("200", "200", "200", "200", "200", "200")),
    ("PUT", "/staff/sla/{scope}/{key}", lambda a: ("/staff/sla/agency/pemkot-medan", {"limits": {"first_response": 4}}),
     lambda a: ("/staff/sla/agency/pemkot-batam", {"limits": {"first_response": 4}}),
     ("200 200", "200 403", "403 403", "403 403", "403 403", "403 403")),
    ("DELETE", "/staff/sla/{scope}/{key}", lambda a: (f"/staff/sla/agency/{_with_sla(a, 'pemkot-medan')}", None),
     lambda a: (f"/staff/sla/agency/{_with_sla(a, 'pemkot-batam')}", None),
     ("200 200", "200 403", "403 403", "403 403", "403 403", "403 403")),
    ("GET", "/staff/units/{unit_id}/assignments", lambda a: ("/staff/units/pemkot-medan.dishub/assignments", None),
     lambda a: ("/staff/units/pemkot-batam.dishub/assignments", None),
     ("200 200", "200 403", "403 403", "403 403", "403 403", "403 403")),
    ("POST", "/staff/units/{unit_id}/assignments",
     lambda a: ("/staff/units/pemkot-medan.dishub/assignments", {"username": H, "start": _fresh_start()}),
     lambda a: ("/staff/units/pemkot-batam.dishub/assignments", {"username": "penghubung.dishub.batam", "start": _fresh_start()}),
     ("201 201", "201 403", "403 403", "403 403", "403 403", "403 403")),
    ("POST", "/staff/units/{unit_id}/assignments/{assignment_id}/end",
     lambda a: (f"/staff/units/pemkot-medan.dishub/assignments/{_assignment_at(a, 'pemkot-medan.dishub', H)}/end",
                {"end": "2099-12-31"}),
     lambda a: (f"/staff/units/pemkot-batam.dishub/assignments/"
                f"{_assignment_at(a, 'pemkot-batam.dishub', 'penghubung.dishub.batam')}/end", {"end": "2099-12-31"}),
     ("200 200", "200 403", "403 403", "403 403", "403 403", "403 403")),
    ("GET", "/staff/officers", lambda a: ("/staff/officers", None), None,
     ("200", "200", "403", "403", "403", "403")),
    ("PUT", "/staff/officers/{username}",
     lambda a: ("/staff/officers/penghubung.baru.medan", _officer("penghubung.baru.medan", "pemkot-medan", "pemkot-medan.dlh")),
     lambda a: ("/staff/officers/penghubung.baru.batam", _officer("penghubung.baru.batam", "pemkot-batam", "pemkot-batam.dinkes")),
     ("200 200", "200 403", "403 403", "403 403", "403 403", "403 403")),
    ("POST", "/staff/open311/keys", lambda a: ("/staff/open311/keys", {"client_name": "Aplikasi Warga"}), None,
     ("201", "403", "403", "403", "403", "403")),
    ("GET", "/staff/open311/keys", lambda a: ("/staff/open311/keys", None), None,
     ("200", "403", "403", "403", "403", "403")),
    ("DELETE", "/staff/open311/keys/{key_id}", lambda a: (f"/staff/open311/keys/{_key(a)}", None), None,
     ("200", "403", "403", "403", "403", "403")),
    ("GET", "/staff/statistics", lambda a: ("/staff/statistics", None), None,
     ("200", "200", "200", "200", "200", "200")),
    ("GET", "/staff/statistics/export", lambda a: ("/staff/statistics/export?format=csv", None), None,
     ("200", "200", "200", "200", "200", "200")),
    ("GET", "/staff/audit", lambda a: ("/staff/audit?user=penghubung.dishub.medan", None), None,
     ("200", "403", "403", "403", "403", "403")),
    ("GET", "/staff/audit/export", lambda a: ("/staff/audit/export?report=C0P7-RX82", None), None,
     ("200", "403", "403", "403", "403", "403")),
]
_STARTS = iter(dt.date(2030, 1, 1) + dt.timedelta(days=i) for i in range(10_000))


def _fresh_start() -> str:
    return next(_STARTS).isoformat()


def _assignment_at(api, unit, username) -> str:
    status, body = api.post(f"/staff/units/{unit}/assignments", {"username": username, "start": _fresh_start()}, user=C)
    assert status == 201, body
    return body["id"]


def _manual(agency: str | None = None) -> dict:
    from tests.support import report_body

    body = report_body(channel="call_centre", received_at="2024-12-19T09:00:00+07:00")
    if agency:
        body["agency_id"] = agency
    return body


@pytest.fixture(scope="module")
def batam_officer(world):
    """A liaison officer of a Batam unit (no demo account), so out-of-scope assignments are valid input."""
    status, body = world.put("/staff/officers/penghubung.dishub.batam",
                             _officer("penghubung.dishub.batam", "pemkot-batam", "pemkot-batam.dishub"), C)
    assert status == 200, body


def _call(api, method, path, body, user):
    if method == "GET":
        return api.get(path, user=user)
    if method == "DELETE":
        return api.delete(path, user)
    if method == "PUT":
        return api.put(path, body, user)
    return api.post(path, body, user=user)


@pytest.mark.parametrize("method,route,role,which,expected", [
    (method, route, role, which, expected)
    for method, route, _in, _out, row in ROUTE_MATRIX for role, which, expected in _cells(row)
], ids=lambda v: v if isinstance(v, str) else None)


def test_staff_routes_answer_each_role_in_and_out_of_scope(api, batam_officer, method, route, role, which, expected):
    assert _served(method, route), f"{method} {route} is in the matrix but not served by app.py"
    _, make_in, make_out, _row = next(r[1:] for r in ROUTE_MATRIX if r[:2] == (method, route))
    path, body = (make_in if which == "in" else make_out)(api)
    got, answer = _call(api, method, path, body, role)
    assert got == int(expected), answer
    if got >= 400:
        assert answer["error"]["code"] == {403: "forbidden", 404: "not_found"}[got]


def test_the_matrices_cover_every_staff_route_of_the_app():
    from app import app

    staff = {(m, p) for p, methods in app.routes.items() for m in methods if p.startswith("/staff/")}
    covered = {(m, r) for m, r, *_ in ROUTE_MATRIX} | {
        ("GET", "/staff/reports"), ("GET", "/staff/reports/export"), ("GET", "/staff/queue"), ("GET", "/staff/reports/{tid}"),
        ("POST", "/staff/reports/{tid}/actions"), ("GET", "/staff/reports/{tid}/attachments")}
    assert staff <= covered, sorted(staff - covered)
    from chalicelib.domain.lifecycle import STAFF_ACTIONS

    tried = {_action_body(kind, PLACES["medan"])["action"] for kind, _s, _r in REPORT_MATRIX if kind not in ("view", "attachments")}
    assert tried == {a.value for a in STAFF_ACTIONS}


# ---- tokens: every staff route refuses a bad one with 401 ------------------------------------------------
def _moto_private_key():
    raw = (resources.files("moto") / "cognitoidp" / "resources" / "jwks-private.json.gz").read_bytes()
    return jwt.PyJWK(json.loads(gzip.decompress(raw)), algorithm="RS256").key


def _b64(data: dict | bytes) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.fixture(scope="module")
def bad_tokens(world):
    good = world.platform.tokens[M]
    claims = jwt.decode(good, options={"verify_signature": False})
    header = jwt.get_unverified_header(good)
    key = _moto_private_key()

    def signed(**changes):
        return jwt.encode({**claims, **changes}, key, algorithm="RS256", headers={"kid": header["kid"]})

    head, payload, signature = good.split(".")
    escalated = _b64({**claims, "cognito:groups": ["central_admin"]})
    cognito = boto3.client("cognito-idp", region_name="ap-southeast-3")
    access = cognito.initiate_auth(
        ClientId=claims["aud"], AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": M, "PASSWORD": "Lapor#Demo2026"})["AuthenticationResult"]["AccessToken"]
    now = int(time.time())
    return {
        "expired": signed(iat=now - 7200, exp=now - 3600),
        "tampered payload": f"{head}.{escalated}.{signature}",
        "tampered signature": f"{head}.{payload}.{signature[:-6]}AAAAAA",
        "wrong audience": signed(aud="another-app-client"),
        "wrong issuer": signed(iss="https://cognito-idp.ap-southeast-3.amazonaws.com/ap-southeast-3_Other"),
        "access token": access,
        "alg none": f"{_b64({'alg': 'none', 'typ': 'JWT', 'kid': header['kid']})}.{_b64(claims)}.",
        "garbage": "not-a-token",
        "missing": None,
    }


def _staff_routes():
    from app import app

    concrete = {"{tid}": "AAAA-BBBB", "{day}": "2025-01-02", "{scope}": "agency", "{key}": "pemkot-medan",
                "{unit_id}": "pemkot-medan.dishub", "{assignment_id}": "x", "{username}": "someone",
                "{key_id}": "k"}
    for path, methods in sorted(app.routes.items()):
        if path.startswith("/staff/"):
            for method in sorted(methods):
                real = path
                for name, value in concrete.items():
                    real = real.replace(name, value)
                yield method, real


@pytest.mark.parametrize("kind", ["expired", "tampered payload", "tampered signature", "wrong audience",
                                  "wrong issuer", "access token", "alg none", "garbage", "missing"])


def test_every_staff_route_refuses_a_bad_token_with_401(api, bad_tokens, kind):
    token = bad_tokens[kind]
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    answers = {}
    for method, path in _staff_routes():
        response = getattr(api.client.http, method.lower())(path, headers=headers, body=b"{}")
        answers[f"{method} {path}"] = response.status_code
        if response.status_code == 401:
            assert json.loads(response.body)["error"]["code"] == "unauthenticated"
    assert set(answers.values()) == {401}, {k: v for k, v in answers.items() if v != 401}


def test_a_good_token_of_the_same_user_is_accepted(api):
    assert api.get("/staff/me", user=M)[0] == 200


# ---- the reporter's own data (issue 15): the access code is the only key, a staff token none ---------------
#   route                                   no code  wrong code  right code  any staff token, no code
REPORTER_DATA_MATRIX = [
    ("GET", "/reports/{tid}/my-data",          "403", "404", "200", "403"),
    ("PUT", "/reports/{tid}/my-data/contact",  "403", "404", "200", "403"),
    ("DELETE", "/reports/{tid}/my-data",       "403", "404", "200", "403"),
    ("POST", "/reports/{tid}/access-code/recover", "202", "202", "202", "202"),
]


@pytest.mark.parametrize("method,route,no_code,wrong,right,staff", REPORTER_DATA_MATRIX,
                         ids=[f"{m} {r}" for m, r, *_ in REPORTER_DATA_MATRIX])


def test_the_reporters_own_data_opens_with_its_code_only(api, method, route, no_code, wrong, right, staff, monkeypatch):
    from chalicelib.services import limits, reporter_rights

    monkeypatch.setattr(reporter_rights, "RECOVERY_ANSWER_SECONDS", 0.0)
    monkeypatch.setattr(limits, "RECOVERIES", 100)  # ten asks of one report in a row: the matrix, not the limit
    assert _served(method, route)
    tid, code = walked("medan", "assigned")
    body = json.dumps({"phone": "0812-6000-7777"}).encode()

    def call(headers):
        response = getattr(api.client.http, method.lower())(route.replace("{tid}", tid), body=body,
                                                            headers={"Content-Type": "application/json", **headers})
        return str(response.status_code)

    got = {"no code": call({}), "wrong code": call({"X-Access-Code": "0000000000"})}
    got.update({f"staff {role}": call({"Authorization": api.platform.headers(role)["Authorization"]}) for role in ROLES})
    got["right code"] = call({"X-Access-Code": code})  # last: erasure and recovery change the report
    expected = {"no code": no_code, "wrong code": wrong, "right code": right,
                **{f"staff {role}": staff for role in ROLES}}
    assert got == expected
# ---- the WhatsApp webhook: Meta's signature (and verify token) is its only credential --------------------


@pytest.mark.parametrize("role", ROLES)


def test_no_staff_token_stands_in_for_the_whatsapp_signature_or_verify_token(api, role):
    status, answer = api.post("/inbound/whatsapp", {"object": "whatsapp_business_account", "entry": []}, user=role)
    assert status == 401 and answer["error"]["code"] == "unauthenticated"
    status, answer = api.get("/inbound/whatsapp?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1", user=role)
    assert status == 403 and answer["error"]["code"] == "forbidden"
# ---- public browsing (issue 14): the same answer for everyone ---------------------------------------------
PUBLIC_BROWSE = ("/reports", "/reports?sort=supported", "/reports?province_code=12",
                 "/reports/similar?regency_code=12.71&category_id=illegal-parking&text=Parkir+liar+Gatot+Subroto")


@pytest.mark.parametrize("path", PUBLIC_BROWSE)


def test_public_browsing_answers_everyone_the_same_and_never_shows_an_unpublished_report(api, path):
    """The list and the duplicate suggestions: no token widens them (a staff token is ignored)."""
    submitted = report_at("medan", "submitted")
    published = report_at("medan", "assigned")
    answers = []
    for role in (None, *ROLES):
        status, body = api.get(path, user=role)
        assert status == 200, (role, body)
        answers.append(body)
    assert all(a == answers[0] for a in answers)
    ids = [i["tracking_id"] for i in answers[0]["items"]]
    assert published in ids and submitted not in ids
