"""Open311 GeoReport v2: the services on offer, and every refusal in the spec's error shape.
These only read or are refused, so one platform serves the whole module."""
from __future__ import annotations

import json

import pytest

from tests.integration.open311_schemas.support import V2, Open311, shared_platform, validate


@pytest.fixture(scope="module")
def o311():
    with shared_platform() as api:
        yield Open311(api)


def test_each_category_is_a_realtime_service_with_metadata(o311):
    status, services = o311.get(f"{V2}/services.json")
    assert status == 200
    validate("services", services)
    parking = next(s for s in services if s["service_code"] == "illegal-parking")
    assert parking == {"service_code": "illegal-parking", "service_name": "Juru parkir liar",
                       "description": "Juru parkir liar (Illegal parking attendants)", "metadata": True,
                       "type": "realtime", "keywords": "Illegal parking attendants, illegal-parking"}


def test_service_definition_asks_for_the_region_codes_lat_long_cannot_give(o311):
    status, definition = o311.get(f"{V2}/services/illegal-parking.json")
    assert status == 200
    validate("service_definition", definition)
    attributes = {a["code"]: a for a in definition["attributes"]}
    assert list(attributes) == ["province_code", "regency_code", "kind", "title", "agency_id", "anonymous"]
    assert attributes["province_code"]["required"] is True
    assert {"key": "12", "name": "Sumatera Utara"} in attributes["province_code"]["values"]
    assert {"key": "pemkot-medan", "name": "Pemerintah Kota Medan"} in attributes["agency_id"]["values"]
    assert [v["key"] for v in attributes["kind"]["values"]] == ["complaint", "aspiration", "information_request"]
    assert not any(a["required"] for code, a in attributes.items() if code != "province_code")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_service_code_is_404_in_the_spec_error_shape(o311, fmt):
    status, body = o311.get(f"{V2}/services/potholes.{fmt}", fmt)
    assert status == 404
    if fmt == "xml":
        assert body.tag == "errors" and body.find("error/code").text == "404"
        assert "potholes" in body.find("error/description").text
    else:
        validate("errors", body)
        assert body[0]["code"] == 404


def test_a_resource_without_a_known_format_is_404(o311):
    response = o311.raw("get", f"{V2}/services/illegal-parking.html")
    assert response.status_code == 404
    assert o311.parse(response, "xml").tag == "errors"
    assert o311.raw("get", f"{V2}/requests/ABCD-1234").status_code == 404


@pytest.mark.parametrize("overrides, param, expected", [
    ({"attribute[province_code]": None, "attribute[regency_code]": None}, "attribute[province_code]", 400),
    ({"lat": None, "long": None, "address_string": None}, "lat/long/address_string", 400),
    ({"lat": None, "long": None, "address_string": None, "address_id": "545483"}, "address_id", 400),
    ({"long": None}, "lat/long", 400),
    ({"lat": "48.85", "long": "2.35"}, "lat", 400),
    ({"lat": "north", "long": "98.6722"}, "lat", 400),
    ({"lat": "3.59", "long": "nan"}, "long", 400),
    ({"attribute[kind]": "praise"}, "attribute[kind]", 400),
    ({"attribute[anonymous]": "maybe"}, "attribute[anonymous]", 400),
    ({"attribute[title]": "Hi"}, "attribute[title]", 400),
    ({"description": None}, "description", 400),
    ({"description": "x" * 4001}, "description", 400),
    ({"email": "not-an-address"}, "email", 400),
    ({"phone": "12"}, "phone", 400),
    ({"media_url": "javascript:alert(1)"}, "media_url", 400),
    ({"service_code": None}, "service_code", 400),
    # the document allows the value; no such region or agency exists
    ({"attribute[regency_code]": "13.08"}, "attribute[regency_code]", 422),
    ({"attribute[province_code]": "99"}, "attribute[province_code]", 422),
    ({"attribute[agency_id]": "pemkot-atlantis"}, "attribute[agency_id]", 422),
])
def test_invalid_filings_are_refused_naming_the_open311_parameter(o311, overrides, param, expected):
    status, errors = o311.post(o311.form(**overrides))
    assert status == expected, errors
    validate("errors", errors)
    assert all(e["code"] == expected for e in errors)
    assert any(param in e["description"] for e in errors), errors


def test_lat_long_without_region_codes_is_refused_with_the_reason(o311):
    _, errors = o311.post(o311.form(**{"attribute[province_code]": None, "attribute[regency_code]": None}))
    assert "cannot derive them from lat/long" in errors[0]["description"]


def test_an_unknown_service_code_in_a_filing_is_404(o311):
    status, errors = o311.post(o311.form(service_code="potholes"))
    assert status == 404 and errors[0]["code"] == 404


@pytest.mark.parametrize("api_key", [None, "", "xyz", "lapor311.000000000000." + "A" * 43])
def test_filing_without_a_valid_api_key_is_403(o311, api_key):
    status, errors = o311.post(o311.form(api_key=api_key))
    assert status == 403
    validate("errors", errors)
    assert errors[0]["code"] == 403 and "api_key" in errors[0]["description"]


def test_the_key_is_checked_before_the_data(o311):
    status, _ = o311.post({"api_key": "xyz", "service_code": "potholes"})
    assert status == 403


def test_a_filing_that_is_not_form_encoded_is_400(o311):
    status, errors = o311.post(json.dumps(o311.form()), content_type="application/json")
    assert status == 400 and "x-www-form-urlencoded" in errors[0]["description"]


# 400: a value the document refuses. 422: each value one the document allows, refused together
# (or against now).
@pytest.mark.parametrize("params, expected", [
    ({"start_date": "2024-01-01T00:00:00"}, 400),
    ({"end_date": "yesterday"}, 400),
    ({"page_size": "0"}, 400),
    ({"page_size": "1001"}, 400),
    ({"page": "null"}, 400),
    ({"page_size": "null", "service_request_id": "AAAA-0001"}, 400),  # read even when the ids answer
    ({"start_date": "yesterday", "service_request_id": "AAAA-0001"}, 400),
    ({"start_date": "20240101"}, 400),  # Python reads it; the document's `format: date` does not
    ({"end_date": "2024-12-01T00:00:00+07:00\n"}, 400),
    ({"service_request_id": ",".join(f"AAAA-{i:04d}" for i in range(101))}, 400),
    ({"updated_after": "2024-12-01T00:00:00"}, 400),
    ({"start_date": "2024-01-01T00:00:00Z", "end_date": "2024-04-01T00:00:01Z"}, 422),
    ({"start_date": "2024-02-01T00:00:00Z", "end_date": "2024-01-01T00:00:00Z"}, 422),
    ({"page": "11", "page_size": "1000"}, 422),
    ({"updated_after": "2024-09-01T00:00:00Z"}, 422),  # more than 90 days before now, and no updated_before
    ({"updated_after": "2024-12-02T00:00:00Z", "updated_before": "2024-12-01T00:00:00Z"}, 422),
    ({"updated_after": "2024-01-01T00:00:00Z", "updated_before": "2024-04-01T00:00:01Z"}, 422),
])
def test_refused_queries_are_400_when_the_document_refuses_them_else_422(o311, params, expected):
    status, errors = o311.get(f"{V2}/requests.json", **params)
    assert status == expected, errors
    validate("errors", errors)


@pytest.mark.parametrize("params", [
    {"start_date": "0001-01-01T00:00:00+01:00", "end_date": "0001-01-02T00:00:00Z"},
    {"start_date": "9999-12-31T00:00:00Z"},
    {"end_date": "0001-01-01"},
    {"updated_after": "9999-12-31T23:59:59.1234567-01:00", "updated_before": "9999-12-31T23:59:59z"},
])
def test_moments_at_the_ends_of_the_calendar_answer_an_empty_list(o311, params):
    """Regression: a window past year 9999 (or before year 1) overflowed into a general error."""
    status, answer = o311.get(f"{V2}/requests.json", **params)
    assert (status, answer) == (200, []), answer


# ---- staff: client keys ----------------------------------------------------------------------
@pytest.mark.parametrize("user", ["admin.medan", "penghubung.dishub.medan", "admin.sumut"])
def test_only_the_central_admin_manages_keys(o311, user):
    o311.issue_key("Aplikasi Lain", user=user, expect=403)
    assert o311.api.get("/staff/open311/keys", user=user)[0] == 403
    key_id = o311.api.get("/staff/open311/keys", user="admin.pusat")[1]["keys"][0]["key_id"]
    assert o311.api.delete(f"/staff/open311/keys/{key_id}", user=user)[0] == 403


def test_key_management_needs_a_signed_in_staff_member(o311):
    assert o311.api.post("/staff/open311/keys", {"client_name": "x"})[0] == 401
    assert o311.api.get("/staff/open311/keys")[0] == 401


@pytest.mark.parametrize("body", [{}, {"client_name": ""}, {"client_name": "x" * 121},
                                  {"client_name": "ok", "scope": "all"}])
def test_a_key_needs_a_client_name(o311, body):
    status, answer = o311.api.post("/staff/open311/keys", body, user="admin.pusat")
    assert status == 400, answer
