"""Every size limit answers a 4xx with the error body: request bodies, field lengths, list sizes,
page sizes, attachments, headers; API Gateway throttles in the template; no CORS wildcard."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from chalicelib.domain.attachments import MAX_BYTES, MAX_PER_REPORT
from chalicelib.http import MAX_BODY_BYTES
from tests.integration.proof_support import (  # noqa: F401 (api, world: fixtures)
    api, assert_error_body, world)
from tests.support import report_body

CENTRAL, MEDAN = "admin.pusat", "admin.medan"
TEMPLATE = Path(__file__).resolve().parents[2] / "infra" / "template.json"


def refused(answer, status=400, field=None, code=None):
    got, body = answer
    assert got == status, body
    assert_error_body(body, code=code)
    if field is not None:
        assert field in body["error"]["fields"], body


# ---- whole bodies ----------------------------------------------------------------------------------
@pytest.mark.parametrize("path,user", [
    ("/reports", None), ("/staff/reports", CENTRAL), ("/staff/reports/AAAA-BBBB/actions", CENTRAL),
    ("/reports/AAAA-BBBB/replies", None), ("/staff/open311/keys", CENTRAL),
])
def test_a_body_over_64_kib_is_refused_before_it_is_parsed(api, path, user):
    body = json.dumps({**report_body(), "description": "x" * MAX_BODY_BYTES})
    refused(api.post(path, raw=body, user=user), field="body")


def test_a_body_of_exactly_the_limit_is_read(api):
    padding = MAX_BODY_BYTES - len(json.dumps({**report_body(), "description": ""}))
    body = json.dumps({**report_body(), "description": "x" * padding})
    assert len(body.encode()) == MAX_BODY_BYTES
    refused(api.post("/reports", raw=body), field="description")  # parsed, then too long as a field


def test_an_open311_form_over_64_kib_is_refused_in_the_specs_shape(api):
    response = api.client.http.post("/open311/v2/requests.json", body="description=" + "x" * (64 * 1024),
                                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400
    assert json.loads(response.body)[0]["code"] == 400


def test_an_open311_form_with_too_many_fields_is_refused(api):
    form = "&".join(f"f{i}=1" for i in range(201))
    response = api.client.http.post("/open311/v2/requests.json", body=form,
                                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400 and "200" in json.loads(response.body)[0]["description"]


# ---- field lengths ---------------------------------------------------------------------------------
def _report(**changes):
    body = report_body()
    for path, value in changes.items():
        target = body
        *parents, last = path.split(".")
        for key in parents:
            target = target[key]
        target[last] = value
    return body


@pytest.mark.parametrize("field,limit", [
    ("title", 150), ("description", 5000), ("reporter.name", 120), ("location.address", 500),
])
def test_report_fields_are_refused_one_character_past_their_limit(api, field, limit):
    assert api.post("/reports", _report(**{field: "a" * limit}))[0] == 201
    refused(api.post("/reports", _report(**{field: "a" * (limit + 1)})), field=field)


@pytest.mark.parametrize("field,value", [
    ("reporter.email", "a" * 250 + "@x.id"), ("reporter.phone", "0812" + "1" * 29),
    ("title", "abcd"), ("description", "too short"),
])
def test_report_fields_out_of_bounds_name_the_field(api, field, value):
    refused(api.post("/reports", _report(**{field: value})), field=field)


def _dispatched(api):
    tid = api.submit()["tracking_id"]
    api.platform.clock.advance(seconds=1)
    return tid


@pytest.mark.parametrize("action,field,limit", [
    ("postpone", "message", 5000), ("reroute", "message", 5000), ("dispatch", "message", 5000),
])
def test_action_messages_are_refused_past_5000_characters(api, action, field, limit):
    tid = api.submit()["tracking_id"]
    body = {"action": action, field: "m" * (limit + 1)}
    if action == "dispatch":
        body["agency_id"] = "pemkot-medan"
    refused(api.post(f"/staff/reports/{tid}/actions", body, user=CENTRAL), field=field)


def test_a_reply_is_refused_past_5000_characters(api):
    created = api.submit()
    refused(api.post(f"/reports/{created['tracking_id']}/replies", {"message": "r" * 5001},
                     headers={"X-Access-Code": created["access_code"]}), field="message")


@pytest.mark.parametrize("path,body,field", [
    ("/staff/units/pemkot-medan.dishub/assignments", {"username": "u" * 129, "start": "2025-01-01"}, "username"),
    ("/staff/units/pemkot-medan.dishub/assignments",
     {"username": "penghubung.dishub.medan", "start": "2025-01-01", "decree": "d" * 201}, "decree"),
    ("/staff/open311/keys", {"client_name": "c" * 121}, "client_name"),
    ("/staff/open311/keys", {"client_name": "ok", "contact": "c" * 201}, "contact"),
])
def test_staff_bodies_are_refused_past_their_field_limits(api, path, body, field):
    refused(api.post(path, body, user=CENTRAL), field=field)


def test_a_calendar_note_is_refused_past_200_characters(api):
    refused(api.put("/staff/calendar/2025-01-02", {"working": False, "note": "n" * 201}, CENTRAL), field="note")


def test_an_officer_name_is_refused_past_120_characters(api):
    body = {"name": "n" * 121, "role": "liaison_officer", "agency_id": "pemkot-medan", "unit_id": "pemkot-medan.dlh"}
    refused(api.put("/staff/officers/someone", body, CENTRAL), field="name")


# ---- list sizes ------------------------------------------------------------------------------------
def test_an_sla_override_with_more_than_20_limits_is_refused(api):
    limits = {f"limit_{i}": 3 for i in range(21)}
    refused(api.put("/staff/sla/agency/pemkot-medan", {"limits": limits}, CENTRAL), field="limits")


@pytest.mark.parametrize("query,word", [
    ("service_request_id=" + ",".join(f"AAAA-{i:04d}" for i in range(101)), "100"),
    ("service_code=" + ",".join(f"c{i}" for i in range(21)), "20"),
])
def test_open311_lists_in_the_query_are_bounded(api, query, word):
    status, body = api.get(f"/open311/v2/requests.json?{query}")
    assert status == 400 and word in body[0]["description"]


# ---- page sizes ------------------------------------------------------------------------------------
@pytest.mark.parametrize("query,field", [
    ("limit=0", "limit"), ("limit=201", "limit"), ("limit=-1", "limit"), ("cursor=" + "A" * 201, "cursor"),
])
def test_the_staff_list_page_is_1_to_200(api, query, field):
    refused(api.get(f"/staff/reports?{query}", user=CENTRAL), field=field)
    assert api.get("/staff/reports?limit=200", user=CENTRAL)[0] == 200


def test_the_export_page_is_bounded(api):
    from chalicelib.services.exports import EXPORT_MAX_ROWS

    refused(api.get(f"/staff/reports/export?limit={EXPORT_MAX_ROWS + 1}", user=CENTRAL), field="limit")


@pytest.mark.parametrize("query, expected", [("page_size=1001", 400), ("page_size=0", 400),
                                             ("page=11&page_size=1000", 422)])  # each allowed, not together
def test_open311_pages_are_bounded(api, query, expected):
    status, body = api.get(f"/open311/v2/requests.json?{query}")
    assert status == expected and body[0]["code"] == expected


@pytest.mark.parametrize("query", ["year=1999", "year=2101", "year=abc"])
def test_the_calendar_year_is_bounded(api, query):
    refused(api.get(f"/staff/calendar?{query}", user=CENTRAL), field="year")


# ---- headers -----------------------------------------------------------------------------------------
def test_an_idempotency_key_over_128_characters_is_refused(api):
    refused(api.post("/reports", report_body(), headers={"Idempotency-Key": "k" * 129}), field="Idempotency-Key")


def test_a_token_over_16_kib_is_refused_with_401(api):
    refused(api.get("/staff/me", headers={"Authorization": "Bearer " + "a" * (16 * 1024 + 1)}), 401,
            code="unauthenticated")


# ---- attachments -----------------------------------------------------------------------------------
def _upload(api, created, **body):
    payload = {"filename": "foto.jpg", "content_type": "image/jpeg", "size": 1000, **body}
    return api.post(f"/reports/{created['tracking_id']}/attachments", payload,
                    headers={"X-Access-Code": created["access_code"]})


@pytest.mark.parametrize("body,field", [
    ({"size": MAX_BYTES + 1}, "size"), ({"size": 0}, "size"), ({"content_type": "application/zip"}, "content_type"),
    ({"filename": "f" * 256}, "filename"), ({"content_type": "t" * 101}, "content_type"),
])
def test_an_attachment_out_of_bounds_is_refused_before_any_byte_is_sent(api, body, field):
    refused(_upload(api, api.submit(), **body), field=field)


def test_a_report_holds_at_most_five_attachments(api):
    created = api.submit()
    for _ in range(MAX_PER_REPORT):
        assert _upload(api, created)[0] == 201
    refused(_upload(api, created), field="file")


# ---- abuse limits ------------------------------------------------------------------------------------
def test_public_submissions_per_client_are_limited_with_429(api, monkeypatch):
    from chalicelib.services import limits

    monkeypatch.setattr(limits, "SUBMISSIONS", 2)
    assert [api.post("/reports", report_body())[0] for _ in range(2)] == [201, 201]
    refused(api.post("/reports", report_body()), 429, code="too_many_attempts")


def test_access_code_guesses_are_limited_with_429_but_never_the_right_code(api):
    from chalicelib.services import limits

    created = api.submit(confidential=True)
    for _ in range(limits.CODE_ATTEMPTS):
        refused(api.get(f"/reports/{created['tracking_id']}", headers={"X-Access-Code": "0000000000"}), 404,
                code="not_found")
    refused(api.get(f"/reports/{created['tracking_id']}", headers={"X-Access-Code": "0000000000"}), 429,
            code="too_many_attempts")
    assert api.get(f"/reports/{created['tracking_id']}", headers={"X-Access-Code": created["access_code"]})[0] == 200


# ---- API Gateway throttling and CORS -----------------------------------------------------------------
def _template() -> dict:
    return json.loads(TEMPLATE.read_text())


def test_api_gateway_throttles_the_stage_and_each_public_write_route():
    settings = _template()["Resources"]["RestAPI"]["Properties"]["MethodSettings"]
    by_route = {(s["ResourcePath"], s["HttpMethod"]): s for s in settings}
    stage = by_route[("/*", "*")]
    assert stage["ThrottlingRateLimit"] == {"Ref": "ApiRateLimit"} and stage["ThrottlingBurstLimit"] == {"Ref": "ApiBurstLimit"}
    for route in ("/~1reports", "/~1reports~1{tid}~1replies", "/~1reports~1{tid}~1attachments",
                  "/~1open311~1v2~1requests.json"):
        assert by_route[(route, "POST")]["ThrottlingRateLimit"] == {"Ref": "PublicWriteRateLimit"}, route
    parameters = _template()["Parameters"]
    assert 0 < parameters["PublicWriteRateLimit"]["Default"] <= parameters["ApiRateLimit"]["Default"]


def _wildcards(node, path="") -> list[str]:
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if "origin" in key.lower() and (value == "*" or value == ["*"] or value == "'*'"):
                found.append(f"{path}/{key}")
            found += _wildcards(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _wildcards(value, f"{path}/{i}")
    elif isinstance(node, str) and "access-control-allow-origin" in node.lower() and "*" in node:
        found.append(path)
    return found


def test_no_cors_wildcard_in_the_template_and_uploads_allow_only_the_platform():
    template = _template()
    assert _wildcards(template) == []
    rules = template["Resources"]["AttachmentsBucket"]["Properties"]["CorsConfiguration"]["CorsRules"]
    assert [r["AllowedOrigins"] for r in rules] == [[{"Ref": "PublicOrigin"}]]


def test_no_route_enables_cors_and_no_answer_carries_access_control_allow_origin(api):
    from app import app

    assert [(m, p) for p, methods in app.routes.items() for m, e in methods.items() if e.cors] == []
    created = api.submit()
    for method, path, user, headers in (
        ("GET", "/categories", None, {}), ("GET", "/", None, {}), ("GET", "/openapi.json", None, {}),
        ("GET", f"/reports/{created['tracking_id']}", None, {"X-Access-Code": created["access_code"]}),
        ("GET", "/staff/reports", CENTRAL, {}), ("GET", "/open311/v2/services.json", None, {}),
        ("GET", "/reports/XXXX-XXXX", None, {}), ("POST", "/reports", None, {}),
    ):
        h = {"Origin": "https://evil.example", **headers, **(api.platform.headers(user) if user else {})}
        response = getattr(api.client.http, method.lower())(path, headers=h, **({"body": "{}"} if method == "POST" else {}))
        assert not any(k.lower().startswith("access-control-") for k in response.headers), (path, response.headers)


@pytest.mark.parametrize("path", ["/staff/reports?limit=%C2%B2", "/staff/calendar?year=%C2%B2"])
def test_a_superscript_digit_in_a_number_parameter_is_400_not_500(api, path):
    refused(api.get(path, user=CENTRAL))


# ---- 4xx answered outside the app's handlers -----------------------------------------------------------
def test_a_body_in_another_media_type_gets_the_error_body(api):
    response = api.client.http.post("/reports", headers={"Content-Type": "text/plain"}, body=json.dumps(report_body()))
    assert response.status_code == 415
    assert_error_body(response.body, code="unsupported_media_type")
    assert json.loads(response.body)["error"]["fields"] == {"Content-Type": "tidak didukung / not supported"}


def test_a_method_the_path_lacks_gets_the_error_body_and_the_allowed_ones(api):
    response = api.client.http.delete("/reports")
    assert response.status_code == 405
    assert_error_body(response.body, code="method_not_allowed")
    assert sorted(response.headers["Allow"].split(", ")) == ["GET", "POST"]  # file a report; browse them


def test_api_gateway_answers_its_own_errors_in_the_error_body():
    responses = {r["Properties"]["ResponseType"]: r["Properties"] for r in _template()["Resources"].values()
                 if r.get("Type") == "AWS::ApiGateway::GatewayResponse"}
    assert {"DEFAULT_4XX", "DEFAULT_5XX", "THROTTLED", "MISSING_AUTHENTICATION_TOKEN"} <= set(responses)
    assert responses["MISSING_AUTHENTICATION_TOKEN"]["StatusCode"] == "404"  # not API Gateway's 403
    for kind, props in responses.items():
        # The mapping template as API Gateway fills it in: $context.error.messageString is a quoted string.
        body = props["ResponseTemplates"]["application/json"].replace("$context.error.messageString", '"x"')
        assert_error_body(body)


# ---- path parameters that reach a key -----------------------------------------------------------------
@pytest.mark.parametrize("method,path,body", [
    ("GET", "/staff/units/.0/assignments", None),
    ("POST", "/staff/units/.0/assignments", {"username": "penghubung.dishub.medan", "start": "2025-01-01"}),
    ("POST", "/staff/units/.0/assignments/x/end", {"end": "2025-12-31"}),
])
def test_a_unit_id_without_its_agency_is_404_not_500(api, method, path, body):
    answer = api.get(path, user=CENTRAL) if method == "GET" else api.post(path, body, user=CENTRAL)
    refused(answer, 404, code="not_found")


LONG = "a" * 129


@pytest.mark.parametrize("method,path,body", [
    ("GET", f"/reports/{LONG}", None),
    ("GET", f"/staff/units/pemkot-medan.{LONG}/assignments", None),
    ("PUT", f"/staff/officers/{LONG}", {"role": "liaison_officer", "email": "x@example.com",
                                        "agency_id": "pemkot-medan", "unit_id": "pemkot-medan.dishub"}),
    ("PUT", f"/staff/sla/agency/{LONG}", {"limits": {"first_response": 5}}),
    ("DELETE", f"/staff/open311/keys/{LONG}", None),
])
def test_a_path_parameter_over_128_characters_is_refused_not_cut_short(api, method, path, body):
    if method == "GET":
        answer = api.get(path, user=CENTRAL)
    elif method == "PUT":
        answer = api.put(path, body, user=CENTRAL)
    else:
        answer = api.delete(path, user=CENTRAL)
    got, error = answer
    assert got == 400, error
    assert_error_body(error, code="invalid_input")
    assert set(error["error"]["fields"]) <= {"tid", "unit_id", "username", "key", "key_id"}
    assert len(error["error"]["fields"]) == 1
