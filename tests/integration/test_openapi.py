"""GET /openapi.json: every route of the app documented, from the models that validate requests,
with the error body for each 4xx and the bearer scheme on staff routes; a valid OpenAPI 3.1."""
from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
import pytest
from chalice.test import Client
from openapi_spec_validator import validate

from chalicelib import openapi, schemas
from devtools.stack import REPO_ROOT


@pytest.fixture(scope="module")
def app():
    from app import app

    return app


@pytest.fixture(scope="module")
def doc(app):
    with Client(app) as client:
        response = client.http.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    return json.loads(response.body)


def _operations(doc):
    for path, methods in doc["paths"].items():
        for method, operation in methods.items():
            yield path, method.upper(), operation


def test_the_document_is_a_valid_openapi_3_1_document(doc):
    validate(doc)
    assert doc["openapi"].startswith("3.1")


def test_every_route_of_the_app_is_documented_with_its_methods(app, doc):
    served = {(m, p) for p, methods in app.routes.items() for m in methods}
    documented = {(m, p) for p, m, _ in _operations(doc)}
    assert served == documented
    assert openapi.undocumented(app) == [], "add a row to chalicelib.openapi.OPERATIONS"


def test_request_bodies_are_the_schemas_of_the_validating_models(doc):
    components = doc["components"]["schemas"]
    for name, model in (("ReportIn", schemas.ReportIn), ("ReplyIn", schemas.ReplyIn),
                        ("StaffReportIn", schemas.StaffReportIn), ("StaffIn", schemas.StaffIn)):
        expected = model.model_json_schema(ref_template=openapi.REF)
        expected.pop("$defs", None)
        assert components[name] == expected
    body = doc["paths"]["/reports"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/ReportIn"}
    actions = components["ActionIn"]
    assert set(actions["discriminator"]["mapping"]) == {
        "dispatch", "postpone", "archive", "assign", "reroute", "respond", "final_answer",
        "set_field_inspection", "correct", "mark_duplicate", "unmark_duplicate"}
    # the calendar day comes from the path, so the body documents only what the body carries
    assert set(components["CalendarDayIn"]["properties"]) == {"working", "note"}


def test_documented_bodies_accept_what_the_api_accepts_and_refuse_what_it_refuses(doc):
    from tests.support import report_body

    resolver_doc = {"components": doc["components"], **doc["components"]["schemas"]["ReportIn"]}
    jsonschema.validate(report_body(), resolver_doc)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**report_body(), "surprise": 1}, resolver_doc)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**report_body(), "title": "abc"}, resolver_doc)


def test_query_parameters_are_exactly_those_the_routes_accept(app, doc):
    from chalicelib.routes.reports import STAFF_LIST_PARAMS

    def names(path):
        return {p["name"] for p in doc["paths"][path]["get"]["parameters"] if p["in"] == "query"}

    assert names("/staff/reports") == STAFF_LIST_PARAMS
    assert names("/staff/calendar") == {"year"}
    limit = next(p for p in doc["paths"]["/staff/reports"]["get"]["parameters"] if p["name"] == "limit")
    assert (limit["schema"]["minimum"], limit["schema"]["maximum"]) == (1, 200)
    if "/staff/statistics" in doc["paths"]:
        from chalicelib.routes.statistics import STATS_PARAMS

        assert names("/staff/statistics") == STATS_PARAMS


def test_staff_routes_need_the_bearer_scheme_and_public_routes_none(doc):
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
        "description": "Cognito user-pool ID token (not the access token)"}
    for path, method, operation in _operations(doc):
        if path.startswith("/staff/"):
            assert operation["security"] == [{"bearerAuth": []}], (method, path)
            assert {"401", "403"} <= set(operation["responses"]), (method, path)
        else:
            assert operation["security"] == [], (method, path)


def test_every_4xx_of_the_json_api_is_the_error_body(doc):
    responses = doc["components"]["responses"]
    for path, method, operation in _operations(doc):
        if path.startswith(("/open311", "/static")):
            continue
        for status, response in operation["responses"].items():
            if status.startswith("4"):
                assert response == {"$ref": f"#/components/responses/Error{status}"}, (method, path, status)
    assert set(responses) == {"Error400", "Error401", "Error403", "Error404", "Error405", "Error409", "Error415", "Error422",
                              "Error429"}
    error = responses["Error409"]["content"]["application/json"]["schema"]
    assert error["properties"]["error"]["required"] == ["code", "message", "message_id", "message_en", "fields"]
    assert error["properties"]["error"]["properties"]["code"]["enum"] == ["invalid_transition", "conflict"]


def test_a_real_error_answer_matches_the_documented_error_body(app, doc):
    with Client(app) as client:
        response = client.http.post("/reports", headers={"Content-Type": "application/json"}, body="{")
    assert response.status_code == 400
    jsonschema.validate(json.loads(response.body), doc["components"]["responses"]["Error400"]["content"]
                        ["application/json"]["schema"])


def test_open311_errors_are_documented_in_the_specs_shape(doc):
    response = doc["paths"]["/open311/v2/requests.json"]["post"]["responses"]["400"]
    assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Open311Errors"}
    form = doc["paths"]["/open311/v2/requests.json"]["post"]["requestBody"]["content"]
    assert "application/x-www-form-urlencoded" in form


def test_the_document_is_built_once_per_container(app, monkeypatch):
    calls = []
    real = openapi.build
    monkeypatch.setattr(openapi, "_BUILT", {})
    monkeypatch.setattr(openapi, "build", lambda a: calls.append(1) or real(a))
    first, second = openapi.document(app), openapi.document(app, "/api")
    assert len(calls) == 1
    assert first["paths"] is second["paths"] and second["servers"] == [{"url": "/api"}]


def test_serving_the_document_does_not_import_pydantic_at_cold_start():
    code = ("import sys; import chalicelib.routes.docs, chalicelib.openapi; "
            "print('pydantic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True,
                         check=True, env={"PATH": "/usr/bin:/bin", "AWS_DEFAULT_REGION": "ap-southeast-3"})
    assert out.stdout.strip() == "False"


def test_every_documented_example_body_is_accepted_by_its_model():
    for name, examples in openapi.BODY_EXAMPLES.items():
        if name == "open311-form":
            continue
        model = openapi.BODY_MODELS[name]()
        for example in examples.values():
            data = {**example, "date": "2025-01-02"} if name == "CalendarDayIn" else example
            if name == "ActionIn":
                schemas.parse(None, data, envelope=True)
            else:
                schemas.parse(model, data)


def test_importing_the_app_leaves_the_heavy_modules_for_the_first_request_that_needs_them():
    """Cold start (issue 6): what `import app` loads. The figures are bench/package_bench.py's."""
    heavy = ("pydantic", "pynamodb", "openpyxl", "holidays", "phonenumbers", "jwt", "aws_xray_sdk",
             "chalicelib.adapters.counters", "chalicelib.services.open311", "chalicelib.services.statistics")
    # A module LazyLoader has not run yet sits in sys.modules as a _LazyModule.
    code = (f"import sys, app; heavy = {heavy!r}; "
            "print(sorted(h for h in heavy if h in sys.modules and type(sys.modules[h]).__name__ != '_LazyModule'))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True,
                         env={"PATH": "/usr/bin:/bin", "AWS_DEFAULT_REGION": "ap-southeast-3", "STAGE": "test",
                              "TABLE_PREFIX": "lapor-test-"})
    assert out.stdout.strip() == "[]", out.stdout
    # ... and the lazy ones load for real on first use
    code = "import app; from chalicelib.routes import statistics; print(statistics.counters.DynamoCounters.__name__)"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True,
                         env={"PATH": "/usr/bin:/bin", "AWS_DEFAULT_REGION": "ap-southeast-3", "STAGE": "test",
                              "TABLE_PREFIX": "lapor-test-"})
    assert out.stdout.strip() == "DynamoCounters"
