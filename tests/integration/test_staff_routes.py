"""Staff routes authenticate in one place: `http.staff_only`, on every method of every /staff path
and on nothing else. The caller is signed in before anything about the request is looked at."""
from __future__ import annotations

import json

import pytest

LONG = "x" * 200  # longer than any path parameter may be (http.MAX_PATH_PARAM)


def _routes():
    from app import app

    return [(path, method, entry) for path, methods in app.routes.items() for method, entry in methods.items()]


def test_every_method_of_every_staff_path_is_staff_only_and_no_public_route_is():
    staff = {(p, m) for p, m, e in _routes() if getattr(e.view_function, "staff_only", False)}
    assert staff == {(p, m) for p, m, _ in _routes() if p.startswith("/staff/")}
    assert len(staff) >= 20


def _fill(path: str) -> str:
    return "/".join(LONG if part.startswith("{") else part for part in path.split("/"))


@pytest.mark.parametrize("path,method", sorted((p, m) for p, m, _ in _routes() if p.startswith("/staff/")))
def test_without_a_token_every_staff_route_answers_401_before_looking_at_the_path(client, path, method):
    response = client.http.request(method, _fill(path), headers={"Content-Type": "application/json"}, body=b"{}")
    assert response.status_code == 401, (method, path, response.body)
    assert json.loads(response.body)["error"]["code"] == "unauthenticated"


def test_a_signed_in_caller_then_meets_the_path_check(client, platform):
    response = client.http.get(f"/staff/reports/{LONG}", headers=platform.headers("admin.pusat"))
    assert response.status_code == 400
    assert set(json.loads(response.body)["error"]["fields"]) == {"tid"}
