"""Who saw a reporter: every staff answer that carries a reporter's name, e-mail or phone writes an
audit event, and the central admin reads them back (GET /staff/audit, its CSV, the report's history).

The walk covers every staff route of the app: the report routes with the roles that handle them,
every other route through the permission matrix's in-scope request. A route that answers a
reporter's identity without an audit event fails it, and so does a staff route it does not walk."""
from __future__ import annotations

import csv
import io
import json

import pytest

from tests.integration.proof_support import api, report_at, tick, world  # noqa: F401 (fixtures)
from tests.integration.test_permissions import ROUTE_MATRIX

C, M, H, S = "admin.pusat", "admin.medan", "penghubung.dishub.medan", "admin.sumut"
IDENTITY = ("Rina Marlina", "rina@example.com", "+6281260001234")  # proof_support.report_at's reporter


def _reads(user: str) -> list:
    from chalicelib import wiring

    return wiring.audit_log().page(tracking_id=None, username=user, since=None, until=None, limit=200,
                                   cursor=None).items


def _body_text(response) -> str:
    body = response.body
    return body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)


def _fresh(status: str) -> str:
    return report_at("medan", status)[0]


# The routes about reports, each called by the roles that handle them: route -> () -> [(user, method, path, body)]
REPORT_CALLS = {
    ("GET", "/staff/reports"): lambda: [(u, "GET", "/staff/reports?limit=200", None) for u in (C, M, H, S)],
    ("GET", "/staff/queue"): lambda: [(u, "GET", "/staff/queue?limit=200", None) for u in (C, M, H)],
    ("GET", "/staff/reports/export"): lambda: [(u, "GET", "/staff/reports/export?format=csv", None) for u in (C, M, H)],
    ("GET", "/staff/reports/{tid}"): lambda: (
        [(u, "GET", f"/staff/reports/{_fresh('assigned')}", None) for u in (C, M, H, S)]
        + [(u, "GET", f"/staff/reports/{_fresh('completed')}", None) for u in (C, M, H)]),
    ("POST", "/staff/reports/{tid}/actions"): lambda: [
        (C, "POST", f"/staff/reports/{_fresh('submitted')}/actions", {"action": "dispatch", "agency_id": "pemkot-medan"}),
        (M, "POST", f"/staff/reports/{_fresh('dispatched')}/actions", {"action": "assign", "unit_id": "pemkot-medan.dishub"}),
        (H, "POST", f"/staff/reports/{_fresh('assigned')}/actions", {"action": "respond", "message": "Kami tinjau."}),
    ],
    ("GET", "/staff/reports/{tid}/attachments"): lambda: [
        (u, "GET", f"/staff/reports/{_fresh('assigned')}/attachments", None) for u in (C, M, H)],
    ("GET", "/staff/audit"): lambda: [(C, "GET", f"/staff/audit?report={_fresh('assigned')}", None)],
    ("GET", "/staff/audit/export"): lambda: [(C, "GET", f"/staff/audit/export?user={C}", None)],
}


def _staff_routes() -> list[tuple[str, str]]:
    from app import app

    return sorted((m, p) for p, methods in app.routes.items() for m in methods if p.startswith("/staff/"))


def _calls(api, method: str, route: str):
    if (method, route) in REPORT_CALLS:
        return REPORT_CALLS[(method, route)]()
    _m, _r, make_in, _out, _row = next(r for r in ROUTE_MATRIX if r[:2] == (method, route))
    path, body = make_in(api)
    return [(C, method, path, body)]


def test_the_walk_covers_every_staff_route():
    walked = set(REPORT_CALLS) | {r[:2] for r in ROUTE_MATRIX}
    missing = set(_staff_routes()) - walked
    assert not missing, f"add these routes to the walk (and to the permission matrix): {sorted(missing)}"


@pytest.mark.parametrize("method,route", _staff_routes(), ids=lambda v: v)
def test_every_staff_answer_carrying_a_reporters_identity_writes_an_audit_event(api, method, route):
    report_at("medan", "assigned")  # something with a reporter in every list, export and queue
    for user, verb, path, body in _calls(api, method, route):
        before = {r.event_id for r in _reads(user)}
        headers = {**api.platform.headers(user), "Accept": "*/*"}
        raw = json.dumps(body).encode() if body is not None else None
        response = api.client.http.request(verb, path, headers=headers, body=raw)
        assert response.status_code < 400, (user, verb, path, _body_text(response)[:300])
        text = _body_text(response)
        new = [r for r in _reads(user) if r.event_id not in before]
        shown = [value for value in IDENTITY if value in text]
        if shown:
            assert new, f"{verb} {path} showed {shown} to {user} and wrote no audit event"
            tid = next((part for part in path.split("/") if len(part) == 9 and part[4] == "-"), None)
            assert {r.route.split(" (")[0] for r in new} == {f"{method} {route}"}
            if tid:
                assert {r.tracking_id for r in new} == {tid}
        else:
            assert new == [], f"{verb} {path} showed no identity to {user} but was audited: {new}"


# ---- what is recorded, and when not ----------------------------------------------------------------------
def test_an_anonymous_reporter_is_audited_only_when_the_central_admin_sees_them(api):
    tid = api.submit(anonymous=True, agency_id="pemkot-medan")["tracking_id"]
    status, seen = api.get(f"/staff/reports/{tid}", user=M)
    assert status == 200 and seen["reporter"] == {"name": "Anonim", "email": None, "phone": None}
    assert _reads(M) == []
    status, seen = api.get(f"/staff/reports/{tid}", user=C)
    assert seen["reporter"]["name"] == "Siti Rahmawati"
    [read] = _reads(C)
    assert (read.tracking_id, read.username, read.role, read.route) == (
        tid, C, "central_admin", "GET /staff/reports/{tid}")


def test_an_audit_event_is_written_once_and_kept_five_years(api):
    from chalicelib.adapters.audit import AuditModel
    from chalicelib.domain.audit import IdentityRead
    from chalicelib import wiring
    from pynamodb.exceptions import PutError

    tid = _fresh("assigned")
    api.get(f"/staff/reports/{tid}", user=H)
    [item] = list(AuditModel.query(tid))
    assert item.expires_at.year == api.platform.clock().year + 5
    again = IdentityRead(tid, "someone.else", "central_admin", "GET /x", api.platform.clock(), _reads(H)[0].event_id)
    with pytest.raises(PutError):
        wiring.audit_log().record(again)  # the same key: refused, never replaced
    assert [i.username for i in AuditModel.query(tid)] == [H]


# ---- GET /staff/audit ------------------------------------------------------------------------------------
def _views(api, tid: str, *users: str) -> None:
    for user in users:
        tick(60)
        assert api.get(f"/staff/reports/{tid}", user=user)[0] == 200


def test_the_central_admin_reads_a_reports_readers_newest_first_in_pages(api):
    tid = _fresh("assigned")
    _views(api, tid, H, M, C, H, M)
    status, page = api.get(f"/staff/audit?report={tid}&limit=2", user=C)
    assert status == 200 and [i["username"] for i in page["items"]] == [M, H]
    status, rest = api.get(f"/staff/audit?report={tid}&limit=2&cursor={page['next_cursor']}", user=C)
    assert [i["username"] for i in rest["items"]] == [C, M] and rest["next_cursor"]
    status, last = api.get(f"/staff/audit?report={tid}&limit=2&cursor={rest['next_cursor']}", user=C)
    assert [i["username"] for i in last["items"]] == [H] and last["next_cursor"] is None
    assert all(i["tracking_id"] == tid and i["route"] == "GET /staff/reports/{tid}" for i in page["items"])
    assert [i["username"] for i in api.get(f"/staff/audit?report={tid}&user={H}", user=C)[1]["items"]] == [H, H]


def test_by_user_and_period(api):
    first, second = _fresh("assigned"), _fresh("assigned")
    _views(api, first, H)
    api.platform.clock.advance(days=3)
    _views(api, second, H, M)
    day = api.platform.clock().date().isoformat()
    _, mine = api.get(f"/staff/audit?user={H}", user=C)
    assert [i["tracking_id"] for i in mine["items"]] == [second, first]
    _, recent = api.get(f"/staff/audit?user={H}&from={day}&to={day}", user=C)
    assert [i["tracking_id"] for i in recent["items"]] == [second]
    _, before = api.get(f"/staff/audit?user={H}&to=2024-12-21", user=C)
    assert [i["tracking_id"] for i in before["items"]] == [first]


@pytest.mark.parametrize("user", [M, H, S, "admin.kepri"])
@pytest.mark.parametrize("path", ["/staff/audit?user=admin.pusat", "/staff/audit/export?user=admin.pusat"])
def test_only_the_central_admin_reads_the_audit(api, user, path):
    status, body = api.get(path, user=user)
    assert status == 403 and body["error"]["code"] == "forbidden"


@pytest.mark.parametrize("query,field", [
    ("report=00000000000000000", "report"), ("user=a%20b", "user"), ("user=x&from=2024-13-01", "from"),
    ("user=x&limit=0", "limit"), ("user=x&cursor=abc", "cursor"), ("user=x&page=2", "page"),
])
def test_bad_audit_queries_are_400_naming_the_parameter(api, query, field):
    status, body = api.get(f"/staff/audit?{query}", user=C)
    assert status == 400 and field in body["error"]["fields"], body


@pytest.mark.parametrize("path", ["/staff/audit", "/staff/audit/export"])
@pytest.mark.parametrize("query,field", [
    ("", "report"), ("from=2025-01-02&cursor=2024-12-20T03%3A00%3A00.000000Z_0123456789abcdef0123456789abcdef", "user"),
    ("user=x&from=2024-12-10&to=2024-12-01", "from"),
    ("report=nope", "report"),  # the document's shape (as people type a number), but no tracking number
])
def test_valid_parameters_that_do_not_fit_together_are_422(api, path, query, field):
    """Each parameter as the document allows it (the fuzzer's case), but neither a report nor a user,
    a period that ends before it starts, or a report no tracking number can spell."""
    status, body = api.get(f"{path}?{query}", user=C)
    assert status == 422 and field in body["error"]["fields"], body


def test_the_audit_export_is_csv_with_the_export_injection_rules(api):
    from chalicelib import wiring
    from chalicelib.domain.audit import IdentityRead

    tid = _fresh("assigned")
    _views(api, tid, H)
    wiring.audit_log().record(IdentityRead(tid, "=HYPERLINK(\"http://x\")", "central_admin", "GET /x",
                                           api.platform.clock(), "f" * 32))
    response = api.client.http.get(f"/staff/audit/export?report={tid}", headers=api.platform.headers(C))
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.body.decode())))
    assert [r["username"] for r in rows] == ["'=HYPERLINK(\"http://x\")", H]
    assert rows[1]["route"] == "GET /staff/reports/{tid}" and rows[1]["tracking_id"] == tid


# ---- the report's history --------------------------------------------------------------------------------
def test_the_central_admins_history_shows_who_saw_the_reporter_and_no_one_elses_does(api):
    tid = _fresh("assigned")
    _views(api, tid, H, M)
    tick(60)
    _, central = api.get(f"/staff/reports/{tid}", user=C)
    reads = [e for e in central["history"] if e["action"] == "identity_read"]
    assert [e["actor"] for e in reads] == [H, M]  # this read shows in the next answer
    assert reads[0]["message"].startswith(f"identitas pelapor dilihat oleh {H} (GET /staff/reports/{{tid}}) 2024-12-20")
    assert [e["at"] for e in central["history"]] == sorted(e["at"] for e in central["history"])
    for user in (M, H):
        _, other = api.get(f"/staff/reports/{tid}", user=user)
        assert not [e for e in other["history"] if e["action"] == "identity_read"]


# ---- after closing, only the central admin sees a reporter -----------------------------------------------
HIDDEN = {"name": "(disembunyikan)", "email": None, "phone": None}


@pytest.mark.parametrize("status", ["completed", "archived"])
def test_once_closed_officers_see_the_reporter_masked_and_no_read_is_recorded(api, status):
    from chalicelib.domain.roles import Principal, Role
    from chalicelib.services import reports
    from tests.integration.proof_support import bare_deps

    if status == "completed":
        tid = _fresh("completed")
    else:  # the central admin archives a report as spam before it is dispatched
        tid = _fresh("submitted")
        reports.staff_action(bare_deps(), Principal("setup.central", Role.CENTRAL_ADMIN), tid, "archive",
                             {"reason": "spam"}, tick())
    readers = (M, H, S) if status == "completed" else (S,)  # an archived report never reached the agency
    for user in readers:
        code, view = api.get(f"/staff/reports/{tid}", user=user)
        assert code == 200 and view["reporter"] == HIDDEN, (user, view.get("reporter"))
    assert [r for user in readers for r in _reads(user)] == []
    _, central = api.get(f"/staff/reports/{tid}", user=C)
    assert central["reporter"]["name"] == "Rina Marlina" and [r.tracking_id for r in _reads(C)] == [tid]


def test_the_unit_sees_the_contact_while_the_report_is_open_and_not_after(api):
    from chalicelib import wiring
    from scheduled.sweep import run_sweep

    tid = _fresh("awaiting_reporter")
    assert api.get(f"/staff/reports/{tid}", user=H)[1]["reporter"]["email"] == "rina@example.com"
    api.platform.clock.advance(days=30)  # no reply in time: the sweep completes it
    run_sweep(wiring.now())
    assert wiring.deps().reports.get(tid).status.value == "completed"
    assert api.get(f"/staff/reports/{tid}", user=H)[1]["reporter"] == HIDDEN
