"""Open311 GeoReport v2 formats: the spec's own examples against our JSON schemas, and every
answer of ours the same document in JSON and XML (Spark convention), XML read by xml.etree."""
from __future__ import annotations

import json

import pytest

from tests.integration.open311_schemas.support import (
    V2,
    Open311,
    example,
    shared_platform,
    spark,
    validate,
    without_nulls,
)

EXAMPLES = {
    "discovery": "discovery",
    "services": "services",
    "service_definition": "service_definition",
    "service_request_created": "service_request_created",
    "token": "token",
    "service_requests": "service_requests",
    "errors": "errors",
}


@pytest.fixture(scope="module")
def world():
    """One platform with a few requests in every shape: open with a follow-up and a point,
    closed, and one whose text carries characters XML 1.0 cannot."""
    with shared_platform() as api:
        o311 = Open311(api)
        followed = o311.file(description="Lampu jalan padam — sudah tiga malam di Jl. Sisingamangaraja.",
                             service_code="street-lighting")
        o311.publish(followed)
        api.act(followed, "admin.medan", "assign", unit_id="pemkot-medan.dishub")
        api.act(followed, "penghubung.dishub.medan", "respond", message="Tim kami menuju lokasi.")
        bell = o311.file(description="Ada bunyi \x07 aneh\x0b dari tiang listrik, mohon diperiksa.",
                         lat=None, long=None)
        o311.publish(bell)
        yield o311, {"followed": followed, "bell": bell}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_the_spec_examples_satisfy_our_schemas(name):
    document = spark(example(EXAMPLES[name]))
    validate(name, document)


def test_the_spark_reading_of_the_spec_example_keeps_its_values():
    requests = spark(example("service_requests"))
    assert requests[0]["service_request_id"] == "638344" and requests[0]["status_notes"] == "Duplicate request."
    assert requests[0]["description"] is None and requests[0]["lat"] == 37.762221815
    assert spark(example("errors")) == [{"code": 403, "description":
                                         "Invalid api_key received -- can't proceed with create_request."}]


def _paths(ids: dict[str, str]) -> list[tuple[str, str, dict]]:
    followed = ids["followed"]
    return [
        ("discovery", "/open311/discovery", {}),
        ("services", f"{V2}/services", {}),
        ("service_definition", f"{V2}/services/street-lighting", {}),
        ("service_requests", f"{V2}/requests", {}),
        ("service_requests", f"{V2}/requests", {"extensions": "true", "status": "open"}),
        ("service_requests", f"{V2}/requests/{followed}", {"extensions": "true"}),
        ("token", f"{V2}/tokens/{followed}", {}),
        ("errors", f"{V2}/requests/ZZZZ-ZZZZ", {}),
        ("errors", f"{V2}/requests", {"start_date": "soon"}),
    ]


def test_every_answer_is_the_same_document_in_json_and_xml(world):
    o311, ids = world
    for schema_name, path, params in _paths(ids):
        json_status, as_json = o311.get(f"{path}.json", "json", **params)
        xml_status, as_xml = o311.get(f"{path}.xml", "xml", **params)
        assert json_status == xml_status, path
        validate(schema_name, as_json)
        assert as_xml.tag == {"service_requests": "service_requests", "token": "service_requests"}.get(
            schema_name, schema_name), path
        assert without_nulls(spark(as_xml)) == without_nulls(as_json), path


def test_a_filing_answers_the_same_shape_in_both_formats(world):
    o311, _ = world
    json_status, as_json = o311.post(o311.form())
    xml_status, as_xml = o311.post(o311.form(), fmt="xml")
    assert json_status == xml_status == 200
    validate("service_request_created", as_json)
    validate("service_request_created", spark(as_xml))
    assert [list(r) for r in as_json] == [[c.tag for c in r] for r in as_xml]


def test_request_fields_come_in_the_spec_order(world):
    o311, ids = world
    spec_order = [c.tag for c in example("service_requests")[0]]
    _, root = o311.get(f"{V2}/requests/{ids['followed']}.xml", "xml", extensions="true")
    ours = [c.tag for c in root[0]]
    core = [t for t in ours if t in spec_order]
    assert core == sorted(core, key=spec_order.index)
    assert ours[len(core):] == ["notes", "extended_attributes"]


def test_both_formats_drop_the_characters_xml_cannot_carry_and_keep_utf8(world):
    o311, ids = world
    _, root = o311.get(f"{V2}/requests.xml", "xml")
    descriptions = {r.find("service_request_id").text: r.find("description").text for r in root}
    assert descriptions[ids["bell"]] == "Ada bunyi  aneh dari tiang listrik, mohon diperiksa."
    assert descriptions[ids["followed"]] == "Lampu jalan padam — sudah tiga malam di Jl. Sisingamangaraja."
    body = o311.raw("get", f"{V2}/requests.json").body
    assert "—".encode() in body  # UTF-8, not \\u escapes
    assert b"\\u0007" not in body and "Ada bunyi  aneh dari".encode() in body


def test_discovery_names_this_endpoint_as_the_caller_reached_it(world):
    o311, _ = world
    response = o311.raw("get", "/open311/discovery.json", headers={"Host": "api.lapor.example.go.id"})
    document = json.loads(response.body)
    (endpoint,) = document["endpoints"]
    assert endpoint["url"] == "https://api.lapor.example.go.id/open311/v2"
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["type"] == "test" and endpoint["formats"] == ["text/xml", "application/json"]


def test_the_root_answers_the_discovery_document(world):
    o311, _ = world
    status, document = o311.get(V2)
    assert status == 200
    validate("discovery", document)
    response = o311.raw("get", V2, headers={"Accept": "text/xml"})
    assert o311.parse(response, "xml").tag == "discovery"
