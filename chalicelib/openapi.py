"""The OpenAPI 3.1 document of the API, built from the app's own routes and request models.

Paths and methods come from walking `app.routes`, so a route cannot exist without appearing here;
request bodies are the pydantic models that validate them (`model_json_schema`), and query
parameter names are the sets the routes themselves accept (`app.LIST_PARAMS`, ...). What no code
can say (summaries, which errors a route answers) is the `OPERATIONS` table below; a test fails
when a route has no row. Built on first request and cached: pydantic is never imported at cold
start for this.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Callable

from .domain.lifecycle import STAFF_ACTIONS
from .http import MAX_PATH_PARAM, NO_CONTROL, PROVINCE_CODE, REGENCY_CODE

REF = "#/components/schemas/{model}"
JSON = "application/json"
STAFF = "staff"

# ---- shared schemas (what no pydantic model describes: answers and errors) -------------------------
_DEADLINES = {"type": "object", "additionalProperties": {"type": "string", "format": "date"},
              "description": "stage → ISO date (WIB) at whose end the stage is due"}
_LABEL = {"type": "object", "properties": {"id": {"type": "string"}, "en": {"type": "string"}}}

RESPONSE_SCHEMAS: dict[str, dict[str, Any]] = {
    "Created": {
        "type": "object",
        "required": ["tracking_id", "access_code", "status", "deadlines", "received_at"],
        "properties": {
            "tracking_id": {"type": "string", "pattern": r"^[0-9A-Z]{4}-[0-9A-Z]{4}$"},
            "access_code": {"type": "string", "description": "shown once; the reporter's proof"},
            "status": {"type": "string"}, "deadlines": _DEADLINES,
            "received_at": {"type": "string", "format": "date-time"},
            "confidential": {"type": "boolean"}, "anonymous": {"type": "boolean"},
            "agency_id": {"type": ["string", "null"]},
            "privacy_notice": {
                "type": "object", "required": ["consent_version", "id", "en", "url"],
                "description": "UU PDP notice: what the reporter's data is used for, who sees it, how long it is "
                               "kept and their rights (Indonesian and English), the privacy page's address and "
                               "the version stored with the report",
                "properties": {"consent_version": {"type": "string"}, "id": {"type": "string"},
                               "en": {"type": "string"}, "url": {"type": "string"}}},
        },
    },
    "PublicReport": {
        "type": "object",
        "description": "The tracking view. Never carries the reporter's name, e-mail or phone.",
        "required": ["tracking_id", "status", "status_label", "kind", "title", "deadlines", "timeline"],
        "properties": {
            "tracking_id": {"type": "string"}, "status": {"type": "string"}, "status_label": _LABEL,
            "kind": {"type": "string"}, "title": {"type": "string"}, "description": {"type": "string"},
            "deadlines": _DEADLINES, "overdue": {"type": "boolean"}, "ombudsman_referred": {"type": ["boolean", "null"]},
            "timeline": {"type": "array", "items": {"type": "object"}},
        },
        "not": {"anyOf": [{"required": ["reporter"]}, {"required": ["access_code_hash"]}]},
    },
    "StaffReport": {
        "type": "object",
        "required": ["tracking_id", "status", "reporter", "history", "version"],
        "properties": {
            "tracking_id": {"type": "string"}, "status": {"type": "string"}, "version": {"type": "integer"},
            "spam_flagged": {"type": "boolean", "description": "scored as likely spam when filed: waits for "
                             "the central admin and is never published until verified"},
            "spam_score": {"type": ["integer", "null"]},
            "reporter": {"$ref": REF.format(model="ReporterView")},
            "history": {"type": "array", "items": {"type": "object"}}, "deadlines": _DEADLINES,
            "allowed_actions": {
                "type": "array", "items": {"type": "string", "enum": sorted(a.value for a in STAFF_ACTIONS)},
                "description": "The actions the caller may send now (lifecycle table, role, scope and the "
                               "report's own rules: domain/worklist.allowed_actions); any other is refused"},
            "archive_reasons": {"type": "array", "items": {"type": "string"},
                                "description": "the reasons the caller may archive with (empty unless archive is allowed)"},
            "stage_clocks": {"type": "array", "items": {"$ref": REF.format(model="StageClock")}},
            "next_due": {"oneOf": [{"$ref": REF.format(model="NextDue")}, {"type": "null"}]},
        },
    },
    "StageClock": {
        "type": "object", "required": ["stage", "due", "open"],
        "description": "A deadline: whether its clock runs now and its working days left or late "
                       "(the platform's calendar), or when it was met and whether on time",
        "properties": {"stage": {"type": "string"}, "due": {"type": "string", "format": "date"},
                       "open": {"type": "boolean"}, "done_at": {"type": ["string", "null"]},
                       "met_on_time": {"type": ["boolean", "null"]},
                       "working_days_left": {"type": ["integer", "null"], "minimum": 0},
                       "late_working_days": {"type": ["integer", "null"], "minimum": 0}},
    },
    "NextDue": {
        "type": "object", "required": ["stage", "due", "working_days_left", "late_working_days"],
        "description": "The nearest open deadline of the officer's stages (0 left: due today)",
        "properties": {"stage": {"type": "string"}, "due": {"type": "string", "format": "date"},
                       "working_days_left": {"type": "integer", "minimum": 0},
                       "late_working_days": {"type": "integer", "minimum": 0}},
    },
    "ReporterView": {
        "type": "object", "required": ["name", "email", "phone"],
        "description": "\"Anonim\" with null contacts to everyone but the central admin when the report is anonymous; "
                       "\"(disembunyikan)\" with null contacts to everyone but the central admin once the report is "
                       "completed or archived (officers see a contact only while the report is open in their unit)",
        "properties": {"name": {"type": "string"}, "email": {"type": ["string", "null"]},
                       "phone": {"type": ["string", "null"]}},
    },
    "StaffReportList": {
        "type": "object", "required": ["items", "next_cursor"],
        "properties": {"items": {"type": "array", "items": {
            "type": "object", "required": ["tracking_id", "anonymous"],
            "description": "A list row. Never carries a reporter's name, e-mail or phone (the report view does, "
                           "and each such read is audited)",
            "not": {"required": ["reporter"]},
            "properties": {"next_due": {"oneOf": [{"$ref": REF.format(model="NextDue")}, {"type": "null"}]}}}},
                       "next_cursor": {"type": ["string", "null"]}},
    },
    "StaffQueue": {
        "type": "object", "required": ["items", "next_cursor", "counts"],
        "properties": {"items": {"$ref": "#/components/schemas/StaffReportList/properties/items"},
                       "next_cursor": {"type": ["string", "null"]},
                       "counts": {"oneOf": [{"type": "null"}, {
                           "type": "object", "required": ["late", "due_today", "due_within_2_working_days", "as_of"],
                           "description": "on the first page (no cursor): the caller's open work with the filters, "
                                          "late / due today / due within 2 working days (today's included)",
                           "properties": {"late": {"type": "integer", "minimum": 0},
                                          "due_today": {"type": "integer", "minimum": 0},
                                          "due_within_2_working_days": {"type": "integer", "minimum": 0},
                                          "as_of": {"type": "string", "format": "date"}}}]}},
    },
    "Object": {"type": "object"},
    "Open311List": {"type": "array", "items": {"type": "object"},
                    "description": "GeoReport v2 answers a list (services, service requests, tokens)"},
    "Open311Errors": {
        "type": "array", "minItems": 1,
        "items": {"type": "object", "required": ["code", "description"],
                  "properties": {"code": {"type": "integer"}, "description": {"type": "string"}}},
        "description": "GeoReport v2 errors (the spec's shape, not the platform's)",
    },
}


def error_schema(codes: list[str] | None = None) -> dict[str, Any]:
    """The platform's one error body; `codes` narrows `error.code` for one status."""
    code: dict[str, Any] = {"type": "string"}
    if codes:
        code["enum"] = codes
    return {
        "type": "object", "required": ["error"], "additionalProperties": False,
        "properties": {"error": {
            "type": "object", "additionalProperties": False,
            "required": ["code", "message", "message_id", "message_en", "fields"],
            "properties": {
                "code": code,
                "message": {"type": "string", "description": "Indonesian / English"},
                "message_id": {"type": "string", "description": "Bahasa Indonesia"},
                "message_en": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"},
                           "description": "field path → what is wrong with it (both languages)"},
            },
        }},
    }


def _error_codes_by_status() -> dict[int, list[str]]:
    from .http import STATUS_BY_ERROR

    by_status: dict[int, list[str]] = {}
    for cls, status in STATUS_BY_ERROR.items():
        by_status.setdefault(status, []).append(cls.code)
    return by_status


ERROR_WHEN = {
    400: "the request does not match this document: malformed JSON, a field wrong (named in `fields`)",
    401: "no, expired, tampered, wrong-audience or wrong-issuer token",
    403: "the role may never do this, or a wrong access code",
    404: "unknown, or outside the caller's scope (so ids cannot be probed)",
    409: "not possible in the report's status, or someone changed it first",
    422: "matches this document, but names something that does not exist (a province, an agency...) or "
         "fields that do not fit together or with the stored data (named in `fields`)",
    429: "too many attempts (wrong access codes for one report, submissions from one client)",
    415: "a body in a media type the operation does not take (JSON operations take application/json)",
    405: "a method the path does not have",
}


# ---- the table: what the code cannot say about each operation ----------------------------------------
@dataclass(frozen=True)
class Param:
    name: str
    schema: dict[str, Any]
    description: str = ""
    where: str = "query"
    required: bool = False


@dataclass(frozen=True)
class Op:
    summary: str
    tag: str
    body: str | None = None                # a request model by name (BODY_MODELS)
    query: Callable[[], tuple[Param, ...]] | tuple[Param, ...] = ()
    headers: tuple[Param, ...] = ()
    ok: int = 200
    ok_schema: str = "Object"
    ok_types: tuple[str, ...] = (JSON,)
    errors: tuple[int, ...] = (400, 404)
    kind: str = "api"                      # api (platform errors) | open311 | web
    description: str = ""
    ok_headers: dict[str, Any] = field(default_factory=dict)
    also_ok: tuple[int, ...] = ()          # other success statuses with the same body (issue 14's 200/202)


def _schemas():
    from . import schemas

    return schemas


BODY_MODELS: dict[str, Callable[[], Any]] = {
    "ReportIn": lambda: _schemas().ReportIn,
    "StaffReportIn": lambda: _schemas().StaffReportIn,
    "ActionIn": lambda: _schemas().ActionIn,
    "ReplyIn": lambda: _schemas().ReplyIn,
    "CalendarDayIn": lambda: _schemas().CalendarOverrideIn,
    "SlaOverrideIn": lambda: _schemas().SlaOverrideIn,
    "AssignmentIn": lambda: _schemas().AssignmentIn,
    "AssignmentEndIn": lambda: _schemas().AssignmentEndIn,
    "StaffIn": lambda: _schemas().StaffIn,
    "UploadIn": lambda: _schemas().UploadIn,
    "Open311KeyIn": lambda: _schemas().Open311KeyIn,
}
_REPORT = {
    "kind": "complaint", "title": "Lampu jalan mati di Jl. Sisingamangaraja",
    "description": "Sudah dua minggu lampu jalan mati, rawan kecelakaan.",
    "location": {"province_code": "12", "regency_code": "12.71"}, "category_id": "street-lighting",
    "reporter": {"name": "Budi", "email": "budi@example.com", "phone": "0812-6000-1234"},
}
# Request examples (named when a body has several): documentation, and what a fuzzer tries first.
BODY_EXAMPLES: dict[str, dict[str, Any]] = {
    "ReportIn": {"report": _REPORT, "to_an_agency": {**_REPORT, "agency_id": "pemkot-medan", "channel": "web"}},
    "StaffReportIn": {"call_centre": {**_REPORT, "channel": "call_centre", "received_at": "2024-12-19T09:00:00+07:00"}},
    "ActionIn": {
        "dispatch": {"action": "dispatch", "agency_id": "pemkot-medan"},
        "postpone": {"action": "postpone", "message": "Mohon sebutkan alamat lengkap."},
        "archive": {"action": "archive", "reason": "duplicate"},
        "assign": {"action": "assign", "unit_id": "pemkot-medan.dishub"},
        "reroute": {"action": "reroute", "message": "Bukan wewenang unit kami."},
        "respond": {"action": "respond", "message": "Petugas akan memperbaiki besok."},
        "final_answer": {"action": "final_answer", "message": "Lampu sudah diganti."},
        "set_field_inspection": {"action": "set_field_inspection", "required": True},
        "correct": {"action": "correct", "title": "Lampu jalan mati di Jl. S. Parman", "category_id": "street-lighting"},
    },
    "ReplyIn": {"clarify_or_reply": {"message": "Lokasinya di depan pasar."},
                "accept": {"accept": True, "rating": 5, "message": "Terima kasih."},
                "reject": {"accept": False, "message": "Lampu masih mati."}},
    "CalendarDayIn": {"non_working": {"working": False, "note": "Cuti bersama tambahan"}},
    "SlaOverrideIn": {"limits": {"limits": {"completion_complaint": 10}}},
    "AssignmentIn": {"period": {"username": "penghubung.dishub.medan", "start": "2025-01-01", "decree": "SK 1/2025"}},
    "AssignmentEndIn": {"end": {"end": "2025-12-31"}},
    "StaffIn": {"liaison_officer": {"name": "Rina", "role": "liaison_officer", "email": "rina@example.go.id",
                                    "agency_id": "pemkot-medan", "unit_id": "pemkot-medan.dlh"}},
    "UploadIn": {"photo": {"filename": "lampu.jpg", "content_type": "image/jpeg", "size": 182044}},
    "Open311KeyIn": {"client": {"client_name": "Aplikasi Warga Medan", "contact": "dev@example.org"}},
    "open311-form": {"request": {"api_key": "<key>", "service_code": "street-lighting", "lat": "3.5952",
                                 "long": "98.6722", "description": "Lampu jalan mati.", "email": "budi@example.com",
                                 "attribute[province_code]": "12", "attribute[regency_code]": "12.71"}},
}

# Parts of a model that do not come from the body (the calendar day is the path's).
FROM_PATH = {"CalendarDayIn": ("date",)}

ACCESS_CODE = Param("X-Access-Code", {"type": "string", "maxLength": 64}, "the reporter's access code", "header")
# printable (adapters.idempotency): in a header's Latin-1, no control character, NBSP or soft hyphen
IDEMPOTENCY_KEY = Param("Idempotency-Key", {"type": "string", "minLength": 1, "maxLength": 128,
                                            "pattern": r"^[^\x00-\x1f\x7f-\xa0\xad]+$"},
                        "same key + same body → the first answer (Idempotent-Replayed: true); "
                        "same key + another body → 422", "header")
TID = {"type": "string", "maxLength": 64, "description": "tracking number, as people type it (c0p7rx82)",
       "examples": ["C0P7-RX82"]}
ID64 = {"type": "string", "maxLength": 64}
DATE = {"type": "string", "format": "date", "examples": ["2025-01-02"]}


REGION_PARAMS = {"province_code": {"type": "string", "pattern": PROVINCE_CODE},
                 "regency_code": {"type": "string", "pattern": REGENCY_CODE}}


def _years() -> dict[str, Any]:
    from .services.admin import MAX_YEAR, MIN_YEAR

    return {"type": "integer", "minimum": MIN_YEAR, "maximum": MAX_YEAR}


def _enum(values) -> dict[str, Any]:
    return {"type": "string", "enum": sorted(values)}


def _list_params() -> tuple[Param, ...]:
    """GET /staff/reports' filters: the names are routes.reports.LIST_PARAMS."""
    from .routes.reports import CURSOR, LIST_PARAMS
    from .domain.lifecycle import Status
    from .domain.report import CHANNELS, KINDS

    known = {
        "status": _enum(s.value for s in Status), "kind": _enum(KINDS), "channel": _enum(CHANNELS),
        "received_from": DATE, "received_to": DATE, "overdue": _enum(["true", "false"]),
        "limit": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50},
        "cursor": {"type": "string", "pattern": CURSOR,
                   "description": "next_cursor of the previous page: the last report's received time (UTC) and "
                                  "tracking id; any value of this shape is a position in the newest-first order",
                   "examples": ["2024-12-20T03:00:00.000000Z_C0P7-RX82"]},
        **REGION_PARAMS,
    }

    return tuple(Param(name, known.get(name, ID64)) for name in sorted(LIST_PARAMS))


def _queue_params() -> tuple[Param, ...]:
    """GET /staff/queue: the list's filters (`overdue`: the nearest open deadline has passed), its
    own cursor, and `within` working days."""
    from .domain.worklist import QUEUE_CURSOR_PATTERN, QUEUE_STATUSES
    from .routes.queue import MAX_WITHIN

    params = {p.name: p for p in _list_params()}
    params["status"] = Param("status", _enum(QUEUE_STATUSES), "the statuses whose stage is an officer's")
    params["cursor"] = Param("cursor", {"type": "string", "pattern": QUEUE_CURSOR_PATTERN,
                                        "examples": ["2025-01-09_C0P7-RX82"]},
                             "next_cursor of the previous page: the last report's nearest open deadline and id")
    params["within"] = Param("within", {"type": "integer", "minimum": 0, "maximum": MAX_WITHIN},
                             "only what is late or due within this many working days (0: today)")
    return tuple(params[k] for k in sorted(params))


def _staff_list_params() -> tuple[Param, ...]:
    from .services.officers import STAFF_CURSOR_PATTERN

    return (Param("cursor", {"type": "string", "pattern": STAFF_CURSOR_PATTERN, "maxLength": 100,
                             "examples": ["liaison_officer~pemkot-medan.dlh"]},
                  "next_cursor of the previous page: the next role/scope partition"),
            Param("limit", {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}))


def _export_params() -> tuple[Param, ...]:
    from .services.exports import EXPORT_MAX_ROWS, FORMATS

    params = {p.name: p for p in _list_params()}
    params["limit"] = Param("limit", {"type": "integer", "minimum": 1, "maximum": EXPORT_MAX_ROWS})
    params["format"] = Param("format", _enum(FORMATS))
    return tuple(params[k] for k in sorted(params))


def _stats_params() -> tuple[Param, ...]:
    from .domain.statistics import GROUP_BYS
    from .routes.statistics import STATS_PARAMS

    from .routes.statistics import MONTH
    from .services.statistics import MAX_MONTHS

    month = {"anyOf": [{"type": "string", "pattern": MONTH}, DATE],
             "description": "YYYY-MM, or a date on the month's edge (the first day for `from`, the last for "
                            f"`to`; another day is 422); `from` after `to` or over {MAX_MONTHS} months is 422"}
    known = {**REGION_PARAMS, "from": month, "to": month, "group_by": _enum(GROUP_BYS)}
    return tuple(Param(n, known.get(n, ID64)) for n in sorted(STATS_PARAMS))


def _stats_export_params() -> tuple[Param, ...]:
    from .services.exports import FORMATS

    return (*_stats_params(), Param("format", _enum(FORMATS)))


def _public_stats_params() -> tuple[Param, ...]:
    from .domain.statistics import GROUP_BYS

    from .adapters.regions import regions

    provinces = [p["code"] for p in regions()["provinces"]]
    return (Param("province_code", {"type": "string", "enum": provinces}, "a province /regions lists"),
            Param("year", _years()),
            Param("group_by", _enum(GROUP_BYS)))


_EMPTY = {"type": "string", "maxLength": 0, "description": "empty: as if absent (GeoReport v2 clients send them)"}


def _open311_list_params() -> tuple[Param, ...]:
    """services.open311.Params' rules: an empty value is an absent one; lists are comma-separated."""
    from .services.open311 import MAX_DEPTH, MAX_PAGE_SIZE

    w3 = {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "string", "format": "date"}, _EMPTY],
          "description": "w3 date-time with offset (or a date, midnight WIB)"}

    def whole(hi: int) -> dict[str, Any]:
        return {"anyOf": [{"type": "integer", "minimum": 1, "maximum": hi}, _EMPTY]}

    return (
        Param("service_request_id", {"type": "string"}, "comma-separated, at most 100"),
        Param("service_code", {"type": "string"}, "comma-separated, at most 20"),
        Param("start_date", w3), Param("end_date", w3, "at most 90 days after start_date (else 422)"),
        Param("updated_after", w3, "reports whose public timeline moved since then, most recently changed first"),
        Param("updated_before", w3, "at most 90 days after updated_after (else 422)"),
        Param("status", {"type": "string", "pattern": OPEN311_STATUSES}, "open, closed or both (comma-separated)"),
        Param("page", whole(MAX_DEPTH), "page × page_size at most 10,000 (else 422)"),
        Param("page_size", whole(MAX_PAGE_SIZE)),
        Param("extensions", {"type": "string"}), Param("jurisdiction_id", {"type": "string"}),
    )


OPEN311_STATUSES = r"^[ ,]*((open|closed) *(,[ ,]*|$))*$"
OPEN311_ONE = (Param("api_key", {"type": "string"}, "the filing client's key: its unverified requests too"),
               Param("extensions", {"type": "string"}), Param("jurisdiction_id", {"type": "string"}))
OPEN311_FORM = {
    "type": "object",
    "required": ["api_key", "service_code"],
    "properties": {
        "api_key": {"type": "string"}, "service_code": {"type": "string"},
        "lat": {"type": "string"}, "long": {"type": "string"}, "address_string": {"type": "string"},
        "address_id": {"type": "string"}, "email": {"type": "string"}, "device_id": {"type": "string"},
        "account_id": {"type": "string"}, "first_name": {"type": "string"}, "last_name": {"type": "string"},
        "phone": {"type": "string"}, "description": {"type": "string", "maxLength": 4000},
        "media_url": {"type": "string"},
        "attribute[province_code]": {"type": "string"}, "attribute[regency_code]": {"type": "string"},
        "attribute[kind]": {"type": "string"}, "attribute[title]": {"type": "string"},
        "attribute[anonymous]": {"type": "string"}, "attribute[agency_id]": {"type": "string"},
    },
    "description": "GeoReport v2 POST Service Request (application/x-www-form-urlencoded); "
                   "a location (lat & long or address_string) and attribute[province_code] are required",
}

WHATSAPP_VERIFY = tuple(Param(f"hub.{name}", {"type": "string", "maxLength": 256}, text, required=True)
                        for name, text in (("mode", "subscribe"), ("verify_token", "the configured verify token"),
                                           ("challenge", "echoed back as text/plain")))
WHATSAPP_SIGNATURE = Param("X-Hub-Signature-256", {"type": "string", "maxLength": 128},
                           "sha256=<hex HMAC-SHA256 of the raw body with the app secret>", "header", required=True)
WHATSAPP_WEBHOOK = {
    "type": "object", "required": ["object", "entry"],
    "description": "The Cloud API's webhook payload: entry[].changes[].value.messages[] (text, image, "
                   "button, interactive) become inbound messages; value.statuses[] are ignored",
    "properties": {
        "object": {"type": "string", "examples": ["whatsapp_business_account"]},
        "entry": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "string"},
            "changes": {"type": "array", "items": {"type": "object", "properties": {
                "field": {"type": "string"}, "value": {"type": "object"}}}}}}},
    },
}

_EXPORT_HEADERS = {
    "Content-Disposition": {"schema": {"type": "string"}, "description": "attachment; filename=..."},
    "X-Export-Rows": {"schema": {"type": "string"}, "description": "rows in this page of the export"},
    "X-Next-Cursor": {"schema": {"type": "string"}, "description": "present when more rows remain: pass as cursor"},
}
PRIVACY_NOTE = ("Personal data (UU PDP 27/2022): the reporter's name, e-mail and phone are used only to handle "
                "the report and keep them informed; only the central admin and the officers handling it while it is "
                "open see them; the identity is erased RETENTION_MONTHS_AFTER_CLOSING months after closing (default 24; "
                "archived spam: SPAM_RETENTION_DAYS, default 90); the reporter may see, correct and erase it. The "
                "answer carries this notice (`privacy_notice`; Open311: `service_notice`) and the privacy page, "
                "GET /privacy; the consent version in force (CONSENT_VERSION) is stored with the report.")
_XLSX_NOTE = "Excel (format=xlsx) needs `Accept: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet` (or */*)."
_O311 = dict(tag="open311", kind="open311", ok_types=(JSON, "text/xml"), errors=(400, 403, 404))
_O311_LIST = dict(_O311, ok_schema="Open311List")
_O311_422 = (400, 403, 404, 422)  # a window the rules refuse; an unknown region or agency
_REPORT_ERRORS = (400, 403, 404, 409, 429)
# what a reply must carry depends on the report's status; a file name may keep nothing visible
_REPORT_422 = (*_REPORT_ERRORS, 422)

OPERATIONS: dict[tuple[str, str], Op] = {
    # reference data
    ("GET", "/agencies"): Op("Agencies with their units", "reference", errors=()),
    ("GET", "/categories"): Op("Report categories", "reference", errors=()),
    ("GET", "/regions"): Op("Provinces and regencies (Kemendagri codes)", "reference", errors=()),
    ("GET", "/openapi.json"): Op("This document", "reference", errors=()),
    # public intake and tracking
    ("POST", "/reports"): Op("File a report", "public", body="ReportIn", headers=(IDEMPOTENCY_KEY,), ok=201,
                             ok_schema="Created", errors=(400, 409, 422, 429),
                             ok_headers={"Idempotent-Replayed": {"schema": {"type": "string", "enum": ["true"]},
                                                                 "description": "this is the first answer, replayed"}},
                             description="A report that names an agency is created `dispatched` to it. " + PRIVACY_NOTE),
    ("GET", "/reports/{tid}"): Op("Track a report", "public", headers=(ACCESS_CODE,), ok_schema="PublicReport",
                                  errors=(403, 404, 429),
                                  description="Confidential or unpublished reports are 404 without their access code."),
    ("POST", "/reports/{tid}/replies"): Op("The reporter replies, clarifies, accepts or rejects", "public",
                                           body="ReplyIn", headers=(ACCESS_CODE,), ok_schema="PublicReport",
                                           errors=_REPORT_422),
    ("POST", "/reports/{tid}/attachments"): Op("Reserve an attachment upload (presigned POST)", "public",
                                               body="UploadIn", headers=(ACCESS_CODE,), ok=201, errors=_REPORT_422),
    ("POST", "/reports/{tid}/attachments/{aid}/complete"): Op("Check and keep an uploaded attachment", "public",
                                                              headers=(ACCESS_CODE,), errors=_REPORT_ERRORS),
    ("GET", "/reports/{tid}/attachments"): Op("A report's attachments (short-lived links)", "public",
                                              headers=(ACCESS_CODE,), errors=(403, 404, 429)),
    ("GET", "/statistics"): Op("Public statistics", "public", query=_public_stats_params, errors=(400,)),
    # staff
    ("GET", "/staff/me"): Op("The caller's role and scope", STAFF, errors=()),
    ("POST", "/staff/reports"): Op("Manual entry of a report received elsewhere", STAFF, body="StaffReportIn",
                                   ok=201, ok_schema="Created", errors=(400, 422)),
    ("GET", "/staff/reports"): Op("Reports in the caller's scope, newest first", STAFF, query=_list_params,
                                  ok_schema="StaffReportList", errors=(400,)),
    ("GET", "/staff/queue"): Op("The caller's open work, nearest open deadline first (late first), with counts",
                                STAFF, query=_queue_params, ok_schema="StaffQueue", errors=(400,)),
    ("GET", "/staff/reports/{tid}"): Op("A report's full record and history", STAFF, ok_schema="StaffReport",
                                        errors=(404,)),
    ("POST", "/staff/reports/{tid}/actions"): Op("Act on a report (dispatch, assign, respond, ...)", STAFF,
                                                 body="ActionIn", ok_schema="StaffReport", errors=(400, 404, 409, 422)),
    ("GET", "/staff/reports/{tid}/attachments"): Op("A report's attachments", STAFF, errors=(404,)),
    ("GET", "/staff/reports/export"): Op("Reports in scope as CSV or Excel", STAFF, query=_export_params,
                                         ok_headers=_EXPORT_HEADERS, description=_XLSX_NOTE,
                                         ok_types=("text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                                         errors=(400,)),
    ("GET", "/staff/statistics"): Op("Statistics in the caller's scope", STAFF, query=_stats_params,
                                     errors=(400, 404, 422)),
    ("GET", "/staff/statistics/export"): Op("Statistics as CSV or Excel", STAFF, query=_stats_export_params,
                                            ok_headers=_EXPORT_HEADERS, description=_XLSX_NOTE,
                                            ok_types=("text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                                            errors=(400, 404, 422)),
    ("GET", "/staff/calendar"): Op("Non-working days of a year", STAFF, query=lambda: (Param("year", _years()),),
                                   errors=(400,)),
    ("PUT", "/staff/calendar/{day}"): Op("Add a non-working (or working) day", STAFF, body="CalendarDayIn", errors=(400,)),
    ("DELETE", "/staff/calendar/{day}"): Op("Remove a calendar override", STAFF, errors=(400, 404)),
    ("GET", "/staff/sla"): Op("Default limits and overrides", STAFF, errors=()),
    ("PUT", "/staff/sla/{scope}/{key}"): Op("Override limits for an agency or category", STAFF, body="SlaOverrideIn",
                                            errors=(400, 404, 422)),
    ("DELETE", "/staff/sla/{scope}/{key}"): Op("Remove a limits override", STAFF, errors=(404,)),
    ("GET", "/staff/units/{unit_id}/assignments"): Op("A unit's liaison officer periods", STAFF, errors=(404,)),
    ("POST", "/staff/units/{unit_id}/assignments"): Op("A new liaison officer period", STAFF, body="AssignmentIn",
                                                       ok=201, errors=(400, 404, 409, 422)),
    ("POST", "/staff/units/{unit_id}/assignments/{assignment_id}/end"): Op("End a period", STAFF, body="AssignmentEndIn",
                                                                           errors=(400, 404)),
    ("GET", "/staff/officers"): Op("The contact rows the caller may edit (agency admin: its agency's; central: all)",
                                   STAFF, query=_staff_list_params, errors=(400, 422)),
    ("PUT", "/staff/officers/{username}"): Op("A staff member's contact row", STAFF, body="StaffIn", errors=(400, 404, 422)),
    ("POST", "/staff/open311/keys"): Op("Issue an Open311 client key", STAFF, body="Open311KeyIn", ok=201, errors=(400,)),
    ("GET", "/staff/open311/keys"): Op("Open311 client keys", STAFF, errors=()),
    ("DELETE", "/staff/open311/keys/{key_id}"): Op("Revoke an Open311 client key", STAFF, errors=(404,)),
    # Open311 GeoReport v2 (the spec's own errors)
    ("GET", "/open311/discovery.json"): Op("Open311 discovery", **{**_O311, "ok_types": (JSON,), "errors": ()}),
    ("GET", "/open311/discovery.xml"): Op("Open311 discovery (XML)", **{**_O311, "ok_types": ("text/xml",), "errors": ()}),
    ("GET", "/open311/v2"): Op("Open311 discovery at the root", **{**_O311, "errors": ()}),
    ("GET", "/open311/v2/services.json"): Op("Open311 services", **{**_O311_LIST, "ok_types": (JSON,), "errors": ()}),
    ("GET", "/open311/v2/services.xml"): Op("Open311 services (XML)", **{**_O311_LIST, "ok_types": ("text/xml",), "errors": ()}),
    ("GET", "/open311/v2/services/{name}"): Op("Open311 service definition ({code}.json|xml)", **_O311),
    ("GET", "/open311/v2/requests.json"): Op("Open311 requests", query=_open311_list_params,
                                             **{**_O311_LIST, "ok_types": (JSON,), "errors": _O311_422}),
    ("POST", "/open311/v2/requests.json"): Op("Open311 new request", body="open311-form", description=PRIVACY_NOTE,
                                              **{**_O311_LIST, "ok_types": (JSON,), "errors": _O311_422}),
    ("GET", "/open311/v2/requests.xml"): Op("Open311 requests (XML)", query=_open311_list_params,
                                            **{**_O311_LIST, "ok_types": ("text/xml",), "errors": _O311_422}),
    ("POST", "/open311/v2/requests.xml"): Op("Open311 new request (XML)", body="open311-form", description=PRIVACY_NOTE,
                                             **{**_O311_LIST, "ok_types": ("text/xml",), "errors": _O311_422}),
    ("GET", "/open311/v2/requests/{name}"): Op("Open311 one request ({id}.json|xml)", query=OPEN311_ONE,
                                               **_O311_LIST),
    ("GET", "/open311/v2/tokens/{name}"): Op("Open311 token ({token}.json|xml)", query=OPEN311_ONE, **_O311_LIST),
    # the WhatsApp Business Cloud API webhook (Meta calls it; README, "WhatsApp")
    ("GET", "/inbound/whatsapp"): Op("WhatsApp webhook verification (Meta's handshake)", "public", query=WHATSAPP_VERIFY,
                                     ok_types=("text/plain",), errors=(403,),
                                     description="Answers hub.challenge when hub.mode is subscribe and "
                                                 "hub.verify_token is the configured verify token; else 403."),
    ("POST", "/inbound/whatsapp"): Op("WhatsApp webhook delivery (messages, statuses)", "public", body="whatsapp-webhook",
                                      headers=(WHATSAPP_SIGNATURE,), errors=(401,),
                                      description="Signed by Meta with the app secret; unsigned or wrongly signed: 401. "
                                                  "Anything signed is 200 (a message not understood is answered on "
                                                  "WhatsApp); `received` counts the messages by outcome."),
    # the public pages
    ("GET", "/"): Op("The report form (HTML)", "web", ok_types=("text/html",), errors=(), kind="web"),
    ("GET", "/track"): Op("The tracking page (HTML)", "web", ok_types=("text/html",), errors=(), kind="web"),
    ("GET", "/console"): Op("The staff console (HTML)", "web", ok_types=("text/html",), errors=(), kind="web"),
    ("GET", "/console/config.json"): Op(
        "What the staff console needs to sign in at Cognito from the browser", "web", errors=(), kind="web",
        description="region, user_pool_id, client_id and cognito_endpoint, from the stack's settings; "
                    "queue_statuses: the statuses GET /staff/queue takes"),
    ("GET", "/static/{name}"): Op("A page asset", "web", query=(Param("v", {"type": "string"}, "content hash"),),
                                  ok_types=("text/css", "text/javascript", "image/svg+xml"), errors=(404,), kind="web"),
}

# A created report leads to the operations on it (OpenAPI links: clients and the fuzzer's stateful
# phase follow them). By operationId: `<method>_<view function>`.
_TID = "$response.body#/tracking_id"
_AS_REPORTER = {"tid": _TID, "header.X-Access-Code": "$response.body#/access_code"}
_REPORT_LINKS = {
    "TrackIt": ("get_track_report", _AS_REPORTER),
    "ReplyToIt": ("post_reply_to_report", _AS_REPORTER),
    "AttachToIt": ("post_request_upload", _AS_REPORTER),
    "ItsAttachments": ("get_public_attachments", _AS_REPORTER),
    "StaffReadsIt": ("get_staff_get_report", {"tid": _TID}),
    "StaffActsOnIt": ("post_staff_report_action", {"tid": _TID}),
    "StaffReadsItsAttachments": ("get_staff_attachments", {"tid": _TID}),
}
LINKS: dict[tuple[str, str], dict[str, tuple[str, dict[str, str]]]] = {
    ("POST", "/reports"): _REPORT_LINKS, ("POST", "/staff/reports"): _REPORT_LINKS,
    ("POST", "/staff/reports/{tid}/actions"): {k: v for k, v in _REPORT_LINKS.items() if k.startswith("Staff")},
}

# ---- the reporter's own data (UU PDP): a lost access code; access, correction, erasure with the code --
BODY_MODELS["ContactIn"] = lambda: _schemas().ContactIn
BODY_EXAMPLES["ContactIn"] = {"both": {"email": "budi@example.com", "phone": "0812-6000-1234"},
                              "phone_only": {"phone": "+6281260001234"}}
_MY_DATA = "with `X-Access-Code`; no code → 403, a wrong one → the same 404 as an unknown id (counted: 429)"
OPERATIONS.update({
    ("POST", "/reports/{tid}/access-code/recover"): Op(
        "Lost access code: a new one to the contact on file, the old one revoked", "public", ok=202,
        ok_schema="RecoveryAccepted", errors=(400, 429),
        description="The same 202 and body, in about the same time, whether or not the report exists or has a "
                    "contact (a report without one gets nothing sent). Limited per report a day and per client "
                    "an hour (429, counted for any tracking number)."),
    ("GET", "/reports/{tid}/my-data"): Op(
        "Everything stored about the reporter for this report", "public", headers=(ACCESS_CODE,),
        ok_schema="MyData", errors=(403, 404, 429), description=_MY_DATA),
    ("PUT", "/reports/{tid}/my-data/contact"): Op(
        "Correct the reporter's e-mail and phone (the whole contact; one at least)", "public", body="ContactIn",
        headers=(ACCESS_CODE,), errors=(400, 403, 404, 409, 429),
        description=_MY_DATA + "; 409 once the identity was erased (consent withdrawn)"),
    ("DELETE", "/reports/{tid}/my-data"): Op(
        "Withdraw consent: erase the reporter's identity and files now; the report stays, anonymous", "public",
        headers=(ACCESS_CODE,), errors=(403, 404, 409, 429),
        description=_MY_DATA + "; 409 when staff changed the report at that instant (try again). The access code "
                               "keeps working; repeating it erases nothing more."),
})
RESPONSE_SCHEMAS.update({
    "RecoveryAccepted": {"type": "object", "required": ["status", "message"],
                         "properties": {"status": {"type": "string", "enum": ["accepted"]},
                                        "message": {"type": "string"}}},
    "MyData": {"type": "object",
               "required": ["tracking_id", "identity", "contact", "channel", "received_at", "messages", "attachments"],
               "properties": {"tracking_id": {"type": "string"}, "identity": {"type": "object"},
                              "contact": {"type": "object", "properties": {"email": {"type": ["string", "null"]},
                                                                           "phone": {"type": ["string", "null"]}}},
                              "consent_version": {"type": ["string", "null"]}, "channel": {"type": "string"},
                              "received_at": {"type": "string", "format": "date-time"},
                              "messages": {"type": "array", "items": {"type": "object"}},
                              "answers_seen": {"type": "array", "items": {"type": "object"}},
                              "attachments": {"type": "array", "items": {"type": "object"}}}},
})
# Reading and correcting are safe for the fuzzer's stateful phase to follow; recovery (revokes the
# code) and erasure are left out of the links (tests/e2e/fuzz_hooks.py keeps them off its reports).
_REPORT_LINKS.update({"ItsDataForItsReporter": ("get_my_data", _AS_REPORTER),
                      "CorrectItsContact": ("put_correct_contact", _AS_REPORTER)})

def _path_id(max_length: int = 64, **more) -> dict[str, Any]:
    """http._path_params' rule, as stated: no control character, at most `max_length` (≤ MAX_PATH_PARAM)."""
    return {"type": "string", "maxLength": min(max_length, MAX_PATH_PARAM), "pattern": NO_CONTROL, **more}


PATH_PARAMS: dict[str, dict[str, Any]] = {
    "tid": {**TID, **_path_id()}, "aid": _path_id(description="32 hex digits"),
    "day": DATE, "scope": _enum(["agency", "category"]), "key": _path_id(examples=["pemkot-medan"]),
    "unit_id": _path_id(examples=["pemkot-medan.dishub"]),
    "assignment_id": _path_id(MAX_PATH_PARAM), "username": _path_id(MAX_PATH_PARAM),
    "key_id": _path_id(), "name": {"type": "string", "maxLength": 200},
}


# ---- the audit of identity reads (UU PDP): the central admin's --------------------------------------------
def _audit_params(export: bool = False) -> tuple[Param, ...]:
    from .adapters.audit import AUDIT_CURSOR_PATTERN
    from .routes.audit import USERNAME
    from .services.audit import EXPORT_MAX_ROWS

    most = EXPORT_MAX_ROWS if export else 200
    return (
        Param("report", {**TID, "maxLength": 16}, "a report's tracking number (report or user is required)"),
        Param("user", {"type": "string", "pattern": USERNAME, "maxLength": 128}, "a staff username"),
        Param("from", DATE, "first day (WIB), inclusive"), Param("to", DATE, "last day (WIB), inclusive"),
        Param("limit", {"type": "integer", "minimum": 1, "maximum": most, "default": 50 if not export else most}),
        Param("cursor", {"type": "string", "pattern": AUDIT_CURSOR_PATTERN,
                         "examples": ["2024-12-20T03:00:00.000000Z_0123456789abcdef0123456789abcdef"]},
              "next_cursor (X-Next-Cursor) of the previous page"),
    )


_AUDIT_NOTE = ("Every staff answer that carries a reporter's name, e-mail or phone (the report view, an "
               "action's answer) is recorded: who, role, when, which report, the route. Kept 5 years, "
               "append-only. Newest first; by report, or by user (both: that user's reads of that report); "
               "neither, or `from` after `to`: 422.")
OPERATIONS.update({
    ("GET", "/privacy"): Op("The privacy notice (HTML): purpose, who sees what, retention, rights", "web",
                            ok_types=("text/html",), errors=(), kind="web", description=PRIVACY_NOTE),
    ("GET", "/staff/audit"): Op("Who saw a reporter's identity (central admin only)", STAFF, query=_audit_params,
                                description=_AUDIT_NOTE, errors=(400, 403, 422)),
    ("GET", "/staff/audit/export"): Op("The identity reads as CSV (central admin only)", STAFF,
                                       query=lambda: _audit_params(export=True), ok_headers=_EXPORT_HEADERS,
                                       description=_AUDIT_NOTE, ok_types=("text/csv",), errors=(400, 403, 422)),
})

# ---- building ---------------------------------------------------------------------------------
def _model_schema(name: str, components: dict[str, Any]) -> dict[str, Any]:
    """A request model's JSON schema, its sub-models moved to components; a reference to it."""
    if name == "open311-form":
        return OPEN311_FORM
    if name == "whatsapp-webhook":
        components.setdefault("WhatsAppWebhook", WHATSAPP_WEBHOOK)
        return {"$ref": REF.format(model="WhatsAppWebhook")}
    if name not in components:
        from pydantic import TypeAdapter

        schema = TypeAdapter(BODY_MODELS[name]()).json_schema(ref_template=REF, mode="validation")
        components.update(schema.pop("$defs", {}))
        for gone in FROM_PATH.get(name, ()):
            schema.get("properties", {}).pop(gone, None)
            schema["required"] = [r for r in schema.get("required", []) if r != gone]
        components[name] = schema
    return {"$ref": REF.format(model=name)}


def _parameters(path: str, op: Op) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = []
    for segment in path.split("/"):
        if segment.startswith("{") and segment.endswith("}"):
            name = segment[1:-1]
            params.append({"name": name, "in": "path", "required": True, "schema": PATH_PARAMS.get(name, {"type": "string"})})
    query = op.query() if callable(op.query) else op.query
    for p in (*query, *op.headers):
        schema = p.schema
        if p.where == "query" and op.kind == "api" and schema.get("type") == "string":
            schema = {"minLength": 1, **schema}  # http.Query refuses `?name=`; the document says so
        item = {"name": p.name, "in": p.where, "required": p.required, "schema": schema}
        if p.description:
            item["description"] = p.description
        params.append(item)
    return params


def _responses(op: Op, staff: bool, codes_by_status: dict[int, list[str]], path: str) -> dict[str, Any]:
    ok_content = {t: {"schema": {"$ref": REF.format(model=op.ok_schema)}} if t == JSON else {"schema": {}}
                  for t in op.ok_types}
    responses: dict[str, Any] = {str(op.ok): {"description": "OK", "content": ok_content}}
    for status in op.also_ok:
        responses[str(status)] = {"description": "OK", "content": copy.deepcopy(ok_content)}
    if op.ok_headers:
        responses[str(op.ok)]["headers"] = op.ok_headers
    if op.kind == "web" and op.ok == 200:
        responses["304"] = {"description": "Not modified (If-None-Match)"}
    json_body = op.body is not None and op.body != "open311-form"
    # http.guarded refuses an over-long or unprintable path parameter with 400 before anything else.
    path_params = op.kind == "api" and "{" in path
    errors = sorted(set(op.errors) | ({401, 403} if staff else set()) | ({415} if json_body else set())
                    | ({400} if path_params else set()))
    for status in errors:
        if op.kind == "open311":
            content = {t: {"schema": {"$ref": REF.format(model="Open311Errors")} if t == JSON else {}}
                       for t in (JSON, "text/xml")}
            responses[str(status)] = {"description": "GeoReport v2 error", "content": content}
        elif op.kind == "web":
            responses[str(status)] = {"description": "Not found", "content": {"text/plain": {"schema": {"type": "string"}}}}
        else:
            responses[str(status)] = {"$ref": f"#/components/responses/Error{status}"}
    return responses


def build(app) -> dict[str, Any]:
    """The whole document for `app` (uncached; `document()` caches it)."""
    codes_by_status = _error_codes_by_status()
    components: dict[str, Any] = copy.deepcopy(RESPONSE_SCHEMAS)
    components["Error"] = error_schema()
    paths: dict[str, Any] = {}
    for path in sorted(app.routes):
        for method in sorted(app.routes[path]):
            op = OPERATIONS.get((method, path)) or Op(f"{method} {path}", "undocumented")
            staff = path.startswith("/staff/")
            operation: dict[str, Any] = {
                "operationId": f"{method.lower()}_{app.routes[path][method].view_name}",
                "summary": op.summary, "tags": [op.tag],
                "parameters": _parameters(path, op),
                "responses": _responses(op, staff, codes_by_status, path),
                "security": [{"bearerAuth": []}] if staff else [],
            }
            if op.description:
                operation["description"] = op.description
            if (method, path) in LINKS:
                operation["responses"][str(op.ok)]["links"] = {
                    name: {"operationId": target, "parameters": params}
                    for name, (target, params) in LINKS[(method, path)].items()}
            if op.body:
                media = "application/x-www-form-urlencoded" if op.body == "open311-form" else JSON
                content = {"schema": _model_schema(op.body, components)}
                if op.body in BODY_EXAMPLES:
                    content["examples"] = {name: {"value": value} for name, value in BODY_EXAMPLES[op.body].items()}
                operation["requestBody"] = {"required": True, "content": {media: content}}
            paths.setdefault(path, {})[method.lower()] = operation
    error_responses = {
        f"Error{status}": {"description": ERROR_WHEN.get(status, "error"),
                           "content": {JSON: {"schema": error_schema(codes)}}}
        for status, codes in sorted(codes_by_status.items())
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "LAPOR — public-service complaints API", "version": "1",
            "description": "Errors always have one shape, with a message in Indonesian and English and the "
                           "fields at fault. Staff routes take a Cognito ID token as a bearer token.",
        },
        "servers": [{"url": "/"}],
        "tags": [{"name": t} for t in ("public", "reference", STAFF, "open311", "web")],
        "paths": paths,
        "components": {
            "schemas": dict(sorted(components.items())),
            "responses": error_responses,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                                               "description": "Cognito user-pool ID token (not the access token)"}},
        },
    }


_BUILT: dict[int, dict[str, Any]] = {}


def document(app, server_url: str = "/") -> dict[str, Any]:
    """The document, built once per app and container, with the server URL the caller used."""
    doc = _BUILT.get(id(app))
    if doc is None:
        doc = _BUILT[id(app)] = build(app)
    return {**doc, "servers": [{"url": server_url}]}


def undocumented(app) -> list[tuple[str, str]]:
    """Routes of `app` without a row in OPERATIONS (a test keeps this empty)."""
    return [(m, p) for p, methods in app.routes.items() for m in methods if (m, p) not in OPERATIONS]


# ---- public browsing (issue 14): routes/browse.py -----------------------------------------------------
def _browse_params() -> tuple[Param, ...]:
    """GET /reports' filters: the names are routes.browse.BROWSE_PARAMS."""
    from .domain.browse import ANY_CURSOR_PATTERN, SORTS
    from .domain.lifecycle import Status
    from .domain.report import KINDS
    from .routes.browse import BROWSE_PARAMS, MAX_LIMIT

    known = {
        "status": _enum(s.value for s in Status), "kind": _enum(KINDS), "sort": _enum(SORTS),
        "received_from": DATE, "received_to": DATE,
        "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 20},
        "cursor": {"type": "string", "pattern": ANY_CURSOR_PATTERN,
                   "description": "next_cursor of the previous page, in the same sort: newest "
                                  "`<received UTC>_<tracking id>`, supported `<supporters>_<tracking id>`",
                   "examples": ["2024-12-20T03:00:00.000000Z_C0P7-RX82", "12_C0P7-RX82"]},
        **REGION_PARAMS,
    }
    return tuple(Param(name, known.get(name, ID64)) for name in sorted(BROWSE_PARAMS))


_PUBLIC_ROW = {
    "type": "object",
    "description": "A public report in a list: what the tracking page shows anyone, shortened. "
                   "Never the reporter's name, e-mail or phone.",
    "required": ["tracking_id", "title", "status", "status_label", "kind", "received_at", "supporter_count"],
    "properties": {
        "tracking_id": {"type": "string"}, "title": {"type": "string"},
        "description": {"type": "string", "description": "at most 280 characters"},
        "status": {"type": "string"}, "status_label": _LABEL, "open": {"type": "boolean"},
        "kind": {"type": "string"}, "category_id": {"type": ["string", "null"]}, "agency_id": {"type": ["string", "null"]},
        "province_code": {"type": "string"}, "province_name": {"type": ["string", "null"]},
        "regency_code": {"type": ["string", "null"]}, "regency_name": {"type": ["string", "null"]},
        "address": {"type": ["string", "null"]}, "lat": {"type": ["number", "null"]}, "lon": {"type": ["number", "null"]},
        "received_at": {"type": "string", "format": "date-time"}, "overdue": {"type": "boolean"},
        "supporter_count": {"type": "integer", "minimum": 0},
    },
    "not": {"anyOf": [{"required": ["reporter"]}, {"required": ["access_code_hash"]}]},
}
RESPONSE_SCHEMAS.update({
    "PublicReportRow": _PUBLIC_ROW,
    "PublicReportList": {
        "type": "object", "required": ["items", "next_cursor"],
        "properties": {"items": {"type": "array", "items": {"$ref": REF.format(model="PublicReportRow")}},
                       "next_cursor": {"type": ["string", "null"],
                                       "description": "present while more may follow; a filtered page may hold "
                                                      "fewer than `limit` reports (each page reads a bounded "
                                                      "number) and still carry one"}},
    },
})
def _feed_params() -> tuple[Param, ...]:
    from .routes.browse import FEED_PARAMS

    return tuple(p for p in _browse_params() if p.name in FEED_PARAMS)


def _similar_params() -> tuple[Param, ...]:
    from .routes.browse import SIMILAR_TEXT
    from .schemas import LAT_RANGE, LON_RANGE

    def number(lo, hi):
        return {"type": "number", "minimum": lo, "maximum": hi,
                "description": "decimal degrees in Indonesia; with the other coordinate (alone: 422)"}

    return (Param("regency_code", REGION_PARAMS["regency_code"], required=True),
            Param("category_id", ID64, required=True),
            Param("text", {"type": "string", "minLength": SIMILAR_TEXT[0], "maxLength": SIMILAR_TEXT[1]},
                  "what the citizen typed (title and description)", required=True),
            Param("agency_id", ID64, "the agency named on the form: the same one ranks a little higher"),
            Param("lat", number(*LAT_RANGE)), Param("lon", number(*LON_RANGE)))


RESPONSE_SCHEMAS["SimilarReports"] = {
    "type": "object", "required": ["items"],
    "properties": {"items": {"type": "array", "maxItems": 5, "items": {"allOf": [
        {"$ref": REF.format(model="PublicReportRow")},
        {"type": "object", "required": ["similarity"],
         "properties": {"similarity": {"type": "number", "minimum": 0},
                        "distance_m": {"type": ["integer", "null"], "minimum": 0}}}]}}},
}
OPERATIONS.update({
    ("GET", "/reports/similar"): Op(
        "Open published reports probably about the same problem (the form's duplicate suggestions)", "public",
        query=_similar_params, ok_schema="SimilarReports", errors=(400, 422),
        description="Up to 5 open, published reports of the same regency and category received in the last 90 days, "
                    "ranked by Indonesian text similarity and, when both have coordinates, by distance. One Query "
                    "of a sparse index of open public reports per regency and category, reading at most 100."),
    ("GET", "/reports/feed.xml"): Op(
        "Atom feed of the newest published reports of a place, category, agency...", "public",
        query=_feed_params, ok_types=("application/atom+xml",), errors=(400, 422),
        description="The 50 newest reports GET /reports would list for the same filters (one Query of the "
                    "same index), as Atom (RFC 4287); each entry links to the report's tracking page."),
    ("GET", "/reports"): Op(
        "Published reports (JSON; the list page for a browser asking for text/html)", "public",
        query=_browse_params, ok_schema="PublicReportList", ok_types=(JSON, "text/html"), errors=(400, 422),
        description="Published, non-confidential reports, newest first (sort=supported: most supported "
                    "first). One Query of a sparse public index per page: place and period are key "
                    "conditions, other filters read at most 100 reports per page. `Accept: text/html` "
                    "(a browser) gets the list page instead; the answer varies by Accept."),
})
# ---- support and duplicates (issue 14) -------------------------------------------------------------
RESPONSE_SCHEMAS["SupportAnswer"] = {
    "type": "object", "required": ["tracking_id", "status", "supporter_count"],
    "description": "counted (201 now, 200 already: idempotent per contact or client) or pending (202: "
                   "a one-time code went to the contact; POST .../supports/verify with it)",
    "properties": {"tracking_id": {"type": "string"}, "status": {"type": "string", "enum": ["counted", "pending"]},
                   "supporter_count": {"type": "integer", "minimum": 0},
                   "channel": {"type": "string", "enum": ["email", "sms"]}},
}
RESPONSE_SCHEMAS["OptedOut"] = {
    "type": "object", "required": ["tracking_id", "opted_out"],
    "properties": {"tracking_id": {"type": "string"}, "opted_out": {"type": "boolean", "const": True}},
}
BODY_MODELS.update({"SupportIn": lambda: _schemas().SupportIn, "SupportVerifyIn": lambda: _schemas().SupportVerifyIn})
BODY_EXAMPLES.update({
    "SupportIn": {"anonymous": {}, "by_email": {"email": "warga@example.com"}, "by_phone": {"phone": "0812-6000-1234"}},
    "SupportVerifyIn": {"code": {"email": "warga@example.com", "code": "123456"}},
})
BODY_EXAMPLES["ActionIn"].update({
    "mark_duplicate": {"action": "mark_duplicate", "of": "C0P7-RX82"},
    "unmark_duplicate": {"action": "unmark_duplicate"},
})
_SUPPORT_ERRORS = (400, 404, 409, 422, 429)
OPERATIONS.update({
    ("POST", "/reports/{tid}/supports"): Op(
        "Support a public report (dukung)", "public", body="SupportIn", ok=201, ok_schema="SupportAnswer",
        errors=_SUPPORT_ERRORS, also_ok=(200, 202),
        description="No contact: counted at once, once per client address (a per-client hourly limit). An e-mail "
                    "or phone: 202 and a one-time code sent there (valid 30 minutes, 5 tries); the support counts "
                    "once verified, and the contact then receives the report's status changes, each message with "
                    "an opt-out link. The same contact twice counts once (200). Closed reports and merged "
                    "duplicates are 409; unpublished or confidential ones 404."),
    ("POST", "/reports/{tid}/supports/verify"): Op(
        "Enter the one-time code of a support", "public", body="SupportVerifyIn", ok=201, ok_schema="SupportAnswer",
        errors=_SUPPORT_ERRORS, also_ok=(200,)),
    ("GET", "/supports/opt-out"): Op(
        "Stop a supporter's updates (the link in each message)", "public", ok_schema="OptedOut",
        ok_types=(JSON, "text/html"), errors=(400, 404),
        query=(Param("token", {"type": "string", "maxLength": 64,
                               "pattern": r"^[0-9A-Z-]{9}\.[0-9a-f]{20}\.[0-9a-f]{16}$"},
                     "the signed token of the message's link", required=True),),
        description="A browser (Accept: text/html) gets a confirmation page, anything else JSON. The support "
                    "still counts."),
})


def _staff_list_with_support_params() -> tuple[Param, ...]:
    """GET /staff/reports: the list's filters, plus the order by support (routes.reports.STAFF_LIST_PARAMS)."""
    from .routes.reports import EITHER_CURSOR

    params = {p.name: p for p in _list_params()}
    params["cursor"] = Param("cursor", {"type": "string", "pattern": EITHER_CURSOR,
                                        "examples": ["2024-12-20T03:00:00.000000Z_C0P7-RX82", "000000012_C0P7-RX82"]},
                             "next_cursor of the previous page; one of the other order is a 422")
    params["sort"] = Param("sort", _enum(["newest", "supported"]),
                           "newest first (default), or most supporters first (only reports with a supporter; "
                           "a page may be short, with a next_cursor, when the scope has few)")
    params["min_supporters"] = Param("min_supporters", {"type": "integer", "minimum": 0, "maximum": 999_999_999},
                                     "only reports with at least this many supporters")
    return tuple(params[name] for name in sorted(params))


OPERATIONS[("GET", "/staff/reports")] = Op(
    "Reports in the caller's scope, newest or most supported first", STAFF, query=_staff_list_with_support_params,
    ok_schema="StaffReportList", errors=(400, 422))
# What a report's views say of support and merging (public, staff, list rows).
for _name in ("PublicReport", "StaffReport"):
    RESPONSE_SCHEMAS[_name]["properties"].update({
        "supporter_count": {"type": "integer", "minimum": 0, "description": "people supporting it (issue 14)"},
        "duplicate_of": {"type": ["string", "null"], "description": "the original, when merged as a duplicate"},
        "duplicates": {"type": "array", "items": {"type": "string"}, "description": "reports merged into this one"},
    })
