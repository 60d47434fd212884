"""Open311 GeoReport v2 at /open311/v2, in JSON and XML, plus the staff API for client keys.

Chalice cannot route a literal suffix after a variable inside one path segment
(`/requests/{id}.json`), so id resources take the whole segment (`/requests/{name}`) and split
`<id>.<format>` here; collection resources are literal routes (`/requests.json`).
Errors follow the spec: an array of {code, description}, 400/403/404, in the asked format.
"""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any, Callable
from urllib.parse import parse_qsl, unquote

from aws_lambda_powertools import Logger
from chalice import Blueprint, Response

from .. import wiring
from ..adapters import regions as regions_data
from ..config import settings
from ..domain import errors
from ..http import json_body, json_response, staff_only
from ..lazy import lazy_import

open311 = lazy_import("chalicelib.services.open311")
schemas = lazy_import("chalicelib.schemas")

bp = Blueprint(__name__)
staff = staff_only(bp)
logger = Logger(child=True)

V2 = "/open311/v2"
MAX_FORM_BYTES = 64 * 1024
FORM_TYPE = "application/x-www-form-urlencoded"
STATUS_BY_ERROR = ((errors.NotFound, 404), (errors.Forbidden, 403), (errors.Unauthenticated, 403),
                   (errors.Unprocessable, 422))
HEADERS = {"json": {"Content-Type": "application/json; charset=utf-8"},
           "xml": {"Content-Type": "text/xml; charset=utf-8"}}
# Spark convention: a JSON array is an XML container of one repeated element.
XML_ITEM = {"services": "service", "service_requests": "request", "errors": "error",
            "attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format",
            "notes": "note"}
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


# ---- rendering ------------------------------------------------------------------------------
def _scrub(value: Any) -> Any:
    """Text without the characters XML 1.0 cannot carry, in both formats so they say the same."""
    if isinstance(value, str):
        return _XML_INVALID.sub("", value)
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def _element(tag: str, value: Any) -> ET.Element:
    element = ET.Element(tag)
    if isinstance(value, dict):
        element.extend(_element(k, v) for k, v in value.items())
    elif isinstance(value, list):
        element.extend(_element(XML_ITEM[tag], v) for v in value)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)
    return element


def render(fmt: str, root: str, body: Any, status: int = 200) -> Response:
    body = _scrub(body)
    if fmt == "json":
        text = json.dumps(body, ensure_ascii=False)
    else:
        text = '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(_element(root, body), encoding="unicode")
    return Response(body=text, status_code=status, headers=HEADERS[fmt])


def _errors(exc: errors.DomainError) -> tuple[list[dict[str, Any]], int]:
    status = next((s for cls, s in STATUS_BY_ERROR if isinstance(exc, cls)), 400)
    if exc.fields:
        return [{"code": status, "description": f"{exc.message} — {field}: {message}"}
                for field, message in exc.fields.items()], status
    return [{"code": status, "description": exc.message}], status


def serve(fmt: str | None, root: str, work: Callable[[], Any], status: int = 200) -> Response:
    """The spec's error contract for every Open311 route: typed errors to 400/403/404, and
    anything unexpected to the spec's 400 "general service error" (logged with its trace)."""
    shown = fmt if fmt in open311.FORMATS else "xml"
    try:
        if fmt not in open311.FORMATS:
            raise errors.NotFound("Format tidak dikenal; gunakan .json atau .xml",
                                  "Unknown format; use .json or .xml")
        return render(shown, root, work(), status)
    except errors.DomainError as exc:
        body, code = _errors(exc)
        return render(shown, "errors", body, code)
    except Exception:  # noqa: BLE001 - the spec's general service error
        logger.exception("open311 request failed")
        return render(shown, "errors", [{"code": 400, "description":
                                         "Kesalahan layanan umum / General service error"}], 400)


def split_name(name: str) -> tuple[str, str | None]:
    """'ABCD-1234.json' -> ('ABCD-1234', 'json'). Ids may hold dots; the format is the last part."""
    stem, dot, fmt = unquote(name).rpartition(".")
    return (stem, fmt.lower()) if dot and stem else (unquote(name), None)


def _params() -> dict[str, list[str]]:
    q = bp.current_request.query_params
    return {k: q.getlist(k) for k in q} if q else {}


def _base_url() -> str:
    """Where this API is reachable, as the caller reached it (host, stage prefix)."""
    request = bp.current_request
    headers, context = request.headers or {}, request.context or {}
    host = headers.get("host") or context.get("domainName") or "localhost"
    proto = headers.get("x-forwarded-proto") or ("http" if host.startswith(("localhost", "127.")) else "https")
    path, resource = context.get("path", ""), context.get("resourcePath", "")
    prefix = path[: -len(resource)] if resource and path.endswith(resource) else ""
    return f"{proto}://{host}{prefix}".rstrip("/")


def _keys():
    from ..adapters.open311_keys import DynamoOpen311Keys

    return DynamoOpen311Keys()


# ---- discovery ------------------------------------------------------------------------------
def _discovery(fmt: str) -> Response:
    return serve(fmt, "discovery", lambda: open311.discovery(_base_url(), settings().stage == "prod"))


@bp.route("/open311/discovery.json", methods=["GET"])
def discovery_json():
    return _discovery("json")


@bp.route("/open311/discovery.xml", methods=["GET"])
def discovery_xml():
    return _discovery("xml")


@bp.route(V2, methods=["GET"])
def root():
    """Nothing is defined at the root by the spec: we answer the discovery document."""
    accept = (bp.current_request.headers or {}).get("accept", "")
    return _discovery("xml" if "xml" in accept and "json" not in accept else "json")


# ---- services ---------------------------------------------------------------------------------
def _services(fmt: str) -> Response:
    return serve(fmt, "services", lambda: open311.services(wiring.directory()))


@bp.route(f"{V2}/services.json", methods=["GET"])
def services_json():
    return _services("json")


@bp.route(f"{V2}/services.xml", methods=["GET"])
def services_xml():
    return _services("xml")


@bp.route(f"{V2}/services/{{name}}", methods=["GET"])
def service_definition(name):
    code, fmt = split_name(name)
    return serve(fmt, "service_definition",
                 lambda: open311.service_definition(wiring.directory(), regions_data.regions(), code))


# ---- service requests -------------------------------------------------------------------------
def _form() -> tuple[dict[str, str], dict[str, list[str]]]:
    request = bp.current_request
    content_type = (request.headers or {}).get("content-type", "").split(";")[0].strip().lower()
    if content_type != FORM_TYPE:
        raise errors.InvalidInput(f"Content-Type harus {FORM_TYPE}", f"Content-Type must be {FORM_TYPE}",
                                  {"Content-Type": FORM_TYPE})
    raw = request.raw_body or b""
    if len(raw) > MAX_FORM_BYTES:
        raise errors.InvalidInput("Permintaan terlalu besar", "Request body too large",
                                  {"body": f"maksimal / at most {MAX_FORM_BYTES} bytes"})
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, max_num_fields=200)
    except (UnicodeDecodeError, ValueError):
        raise errors.InvalidInput("Isi formulir tidak valid (UTF-8, maks. 200 kolom)",
                                  "Invalid form body (UTF-8, at most 200 fields)") from None
    fields, attributes = open311.parse_form(pairs)
    query_key = (request.query_params or {}).get("api_key")
    if query_key and "api_key" not in fields:
        fields["api_key"] = query_key.strip()  # some clients put the key in the URL
    return fields, attributes


def _create(fmt: str) -> Response:
    def work():
        fields, attributes = _form()
        return open311.create_request(wiring.deps(), _keys(), fields, attributes, wiring.now())

    return serve(fmt, "service_requests", work)


def _list(fmt: str) -> Response:
    return serve(fmt, "service_requests", lambda: open311.list_requests(wiring.deps(), _params(), wiring.now()))


# Any content type reaches the view, so a wrong one gets the spec's 400, not Chalice's 415.
@bp.route(f"{V2}/requests.json", methods=["GET", "POST"], content_types=["*/*"])
def requests_json():
    return _create("json") if bp.current_request.method == "POST" else _list("json")


@bp.route(f"{V2}/requests.xml", methods=["GET", "POST"], content_types=["*/*"])
def requests_xml():
    return _create("xml") if bp.current_request.method == "POST" else _list("xml")


@bp.route(f"{V2}/requests/{{name}}", methods=["GET"])
def service_request(name):
    tid, fmt = split_name(name)
    return serve(fmt, "service_requests", lambda: open311.get_request(wiring.deps(), _keys(), tid, _params()))


@bp.route(f"{V2}/tokens/{{name}}", methods=["GET"])
def token(name):
    value, fmt = split_name(name)
    return serve(fmt, "service_requests", lambda: open311.token(wiring.deps(), _keys(), value, _params()))


# ---- staff: client keys -----------------------------------------------------------------------
@bp.route("/staff/open311/keys", methods=["POST"])
@staff
def issue_key(who):
    body = schemas.parse(schemas.Open311KeyIn, json_body(bp.current_request))
    return json_response(open311.issue_key(_keys(), who, body.client_name, body.contact, wiring.now()), 201)


@bp.route("/staff/open311/keys", methods=["GET"])
@staff
def list_keys(who):
    return open311.list_keys(_keys(), who)


@bp.route("/staff/open311/keys/{key_id}", methods=["DELETE"])
@staff
def revoke_key(who, key_id):
    return open311.revoke_key(_keys(), who, key_id, wiring.now())
