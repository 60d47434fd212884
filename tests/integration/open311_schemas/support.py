"""Test helpers for the Open311 endpoint: a client that files and reads requests through the
real handlers, the JSON schemas in this folder, and the Spark convention (XML -> JSON) the spec
uses to define its JSON from its XML."""
from __future__ import annotations

import json
from contextlib import contextmanager
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlencode

import jsonschema


HERE = Path(__file__).resolve().parent
V2 = "/open311/v2"
FORM = "application/x-www-form-urlencoded; charset=utf-8"

# Leaf types the spec gives its fields; every other leaf is a string (Spark keeps text as text).
BOOLEAN_FIELDS = {"metadata", "variable", "required"}
NUMBER_FIELDS = {"lat", "long"}
INTEGER_FIELDS = {"order", "code", "supporter_count"}


def schema(name: str) -> dict:
    return json.loads((HERE / f"{name}.json").read_text(encoding="utf-8"))


def validate(name: str, document) -> None:
    """Validates against one of this folder's schemas; $refs resolve to sibling files."""
    resolver_schema = schema(name)
    registry = _registry()
    jsonschema.Draft202012Validator(resolver_schema, registry=registry).validate(document)


def _registry():
    from referencing import Registry, Resource

    resources = [(p.name, Resource.from_contents(json.loads(p.read_text(encoding="utf-8"))))
                 for p in HERE.glob("*.json")]
    return Registry().with_resources(resources)


def example(name: str) -> ET.Element:
    """One of the spec's own XML examples (examples/ beside the schemas)."""
    return ET.fromstring((HERE / "examples" / f"{name}.xml").read_bytes())


def spark(element: ET.Element):
    """The Spark convention: a container of one repeated child is an array; an element with
    children is an object; an empty element is null; text is text, typed as the spec types it."""
    children = list(element)
    if children:
        tags = {c.tag for c in children}
        if len(tags) == 1 and (len(children) > 1 or element.tag.endswith("s")):
            return [spark(c) for c in children]
        return {c.tag: spark(c) for c in children}
    text = element.text
    if text is None or text.strip() == "":
        return None
    text = text.strip()
    if element.tag in BOOLEAN_FIELDS:
        return {"true": True, "false": False}[text]
    if element.tag in NUMBER_FIELDS:
        return float(text)
    if element.tag in INTEGER_FIELDS and text.isdigit():
        return int(text)
    return text


def without_nulls(value):
    """JSON may omit what XML leaves empty; compare documents without their nulls."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


class Open311:
    """Open311 steps over the `api` fixture: a key issued by the central admin, forms posted
    as a client posts them, answers parsed (XML with xml.etree)."""

    def __init__(self, api):
        self.api = api
        self.key = self.issue_key("FixMyStreet Medan")["api_key"]

    def issue_key(self, client_name: str, user: str = "admin.pusat", expect: int = 201) -> dict:
        status, body = self.api.post("/staff/open311/keys", {"client_name": client_name}, user=user)
        assert status == expect, body
        return body

    def raw(self, method: str, path: str, body: str | None = None, headers: dict | None = None):
        call = getattr(self.api.client.http, method)
        kwargs = {"headers": headers or {}}
        if body is not None:
            kwargs["body"] = body
        return call(path, **kwargs)

    def parse(self, response, fmt: str):
        if fmt == "xml":
            assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
            assert response.body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
            return ET.fromstring(response.body)
        assert response.headers["Content-Type"] == "application/json; charset=utf-8"
        return json.loads(response.body)

    def get(self, path: str, fmt: str = "json", **params):
        query = f"?{urlencode(params, doseq=True)}" if params else ""
        response = self.raw("get", f"{path}{query}")
        return response.status_code, self.parse(response, fmt)

    def post(self, form, fmt: str = "json", content_type: str = FORM):
        body = form if isinstance(form, str) else urlencode(form, doseq=True)
        response = self.raw("post", f"{V2}/requests.{fmt}", body, {"Content-Type": content_type})
        return response.status_code, self.parse(response, fmt)

    def form(self, **overrides) -> dict:
        form = {
            "api_key": self.key,
            "service_code": "illegal-parking",
            "lat": "3.5952", "long": "98.6722",
            "address_string": "Jl. Gatot Subroto depan Pasar Petisah",
            "attribute[province_code]": "12",
            "attribute[regency_code]": "12.71",
            "first_name": "Siti", "last_name": "Rahmawati",
            "email": "siti@example.com", "phone": "0812-6000-1234",
            "description": "Juru parkir liar memungut Rp5.000 di depan pasar setiap sore.",
        }
        form.update(overrides)
        return {k: v for k, v in form.items() if v is not None}

    def file(self, **overrides) -> str:
        status, body = self.post(self.form(**overrides))
        assert status == 200, body
        return body[0]["service_request_id"]

    def publish(self, tid: str, agency_id: str = "pemkot-medan") -> None:
        self.api.act(tid, "admin.pusat", "dispatch", agency_id=agency_id)


@contextmanager
def shared_platform():
    """One platform for a whole test module, for checks that only read or are refused: the
    per-test platform of conftest costs about a second each."""
    from chalice.test import Client
    from moto import mock_aws

    from tests.integration.conftest import START, Api
    from tests.support import start_platform

    with mock_aws():
        platform = start_platform(START)
        from app import app

        with Client(app) as client:
            yield Api(client, platform)
