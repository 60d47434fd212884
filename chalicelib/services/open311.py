"""Open311 GeoReport v2 over the report core, so civic-tech clients (FixMyStreet, city apps) can
file and follow LAPOR reports unchanged.

A service is a category (service_code = category id); a service request is a report. Reading
shows only what the public tracking page shows: published, non-confidential reports, never a
reporter's identity. Filing needs an API key the central admin issues per client. Everything
here returns plain dicts/lists in the spec's field order; the HTTP edge renders JSON or XML.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import re
import secrets
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Iterable, Mapping, Sequence

from ..domain.calendar import WIB, end_of_day_wib, utc_iso
from ..domain.errors import Forbidden, InvalidInput, NotFound, Unprocessable
from ..domain.ids import normalise_tracking_id
from ..domain.lifecycle import CLOSED, STATUS_LABELS, Status
from ..domain.query import ListQuery
from ..domain.report import Event, Location, Report, Reporter, Visibility
from ..domain.roles import Principal, Role
from .exports import Names
from .notice import short_notice
from .reports import Deps, NewReport, submit_report
from .views import ANONYMOUS_NAME

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# Bumped when the discovery document or the service definitions' shape changes.
CHANGESET = "2026-11-24T00:00:00+07:00"
FORMATS = ("json", "xml")
MIME = {"json": "application/json", "xml": "text/xml"}
WINDOW = dt.timedelta(days=90)          # the spec's default and maximum span of a query
MAX_PAGE_SIZE = 1000                    # the spec's default response volume
MAX_DEPTH = 10_000                      # page * page_size: deeper pages read too much
MAX_IDS = 100
MAX_SERVICE_CODES = 20
# RFC 3339 (the w3 profile), as JSON Schema's `date-time` and `date` formats read it.
W3_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
W3_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", re.ASCII)
W3_RANGE = (dt.datetime(1900, 1, 1, tzinfo=dt.timezone.utc), dt.datetime(2200, 1, 1, tzinfo=dt.timezone.utc))
DESCRIPTION_MAX = 4000                  # the spec's limit on description
KINDS = {
    "complaint": "Pengaduan / Complaint",
    "aspiration": "Aspirasi / Aspiration",
    "information_request": "Permintaan informasi / Information request",
}


# ---- API keys ---------------------------------------------------------------------------------
KEY_PREFIX = "lapor311"
_KEY_RE = re.compile(r"^lapor311\.([0-9a-f]{12})\.[A-Za-z0-9_-]{43}$")


def _hash_key(raw: str) -> str:
    """The key is 256 random bits: a plain SHA-256 is enough, no slow hash needed."""
    return hashlib.sha256(raw.encode()).hexdigest()


def _central_only(principal: Principal) -> None:
    if principal.role != Role.CENTRAL_ADMIN:
        raise Forbidden("Hanya admin pusat yang mengelola kunci API Open311",
                        "Only the central admin manages Open311 API keys")


def _key_view(key, api_key: str | None = None) -> dict[str, Any]:
    view = {"key_id": key.key_id, "client_name": key.client_name, "contact": key.contact,
            "created_at": key.created_at, "created_by": key.created_by,
            "revoked_at": key.revoked_at, "revoked_by": key.revoked_by, "active": key.active}
    if api_key is not None:
        view["api_key"] = api_key
    return view


def issue_key(keys, principal: Principal, client_name: str, contact: str | None, now: dt.datetime) -> dict:
    """A new key for one client. The key itself is in this answer only; we keep its hash."""
    from ..adapters.open311_keys import ApiKey

    _central_only(principal)
    for _attempt in range(5):
        key_id = secrets.token_hex(6)
        raw = f"{KEY_PREFIX}.{key_id}.{secrets.token_urlsafe(32)}"
        key = ApiKey(key_id=key_id, key_hash=_hash_key(raw), client_name=client_name, contact=contact,
                     created_at=now.astimezone(dt.timezone.utc).isoformat(timespec="seconds"),
                     created_by=principal.actor)
        if keys.add(key):
            return _key_view(key, raw)
    raise InvalidInput("Gagal membuat kunci, coba lagi", "Could not allocate a key, try again")


def list_keys(keys, principal: Principal) -> dict:
    _central_only(principal)
    return {"keys": [_key_view(k) for k in sorted(keys.all(), key=lambda k: k.created_at)]}


def revoke_key(keys, principal: Principal, key_id: str, now: dt.datetime) -> dict:
    _central_only(principal)
    key = keys.revoke(key_id, principal.actor, now) if re.fullmatch(r"[0-9a-f]{12}", key_id) else None
    if key is None:
        raise NotFound("Kunci API tidak ditemukan", "API key not found")
    return _key_view(key)


def authenticate(keys, raw: str | None):
    """The active key behind `raw`, or 403 as the spec says for a missing or invalid api_key."""
    if not raw:
        raise Forbidden("api_key wajib diisi", "api_key is required")
    match = _KEY_RE.match(raw.strip())
    key = keys.get(match.group(1)) if match else None
    if key is None or not hmac.compare_digest(key.key_hash, _hash_key(raw.strip())):
        raise Forbidden("api_key tidak valid", "Invalid api_key")
    if not key.active:
        raise Forbidden("api_key sudah dicabut", "This api_key has been revoked")
    return key


# ---- discovery and services --------------------------------------------------------------------
def discovery(base_url: str, production: bool) -> dict[str, Any]:
    endpoint_url = f"{base_url}/open311/v2"
    return {
        "changeset": CHANGESET,
        "contact": f"Admin pusat LAPOR (SP4N-LAPOR!) / LAPOR central admin · {short_notice()}",
        "key_service": ("Kunci API diterbitkan per aplikasi oleh admin pusat LAPOR / "
                        "API keys are issued per client application by the LAPOR central admin"),
        "endpoints": [{
            "specification": SPECIFICATION, "url": endpoint_url, "changeset": CHANGESET,
            "type": "production" if production else "test", "formats": [MIME["xml"], MIME["json"]],
        }],
    }


def services(directory) -> list[dict[str, Any]]:
    """Every category is a realtime service; all have metadata (the region attributes)."""
    return [
        {"service_code": c["id"], "service_name": c["name"],
         "description": f"{c['name']} ({c['name_en']})" if c.get("name_en") else c["name"],
         "metadata": True, "type": "realtime",
         "keywords": ", ".join(x for x in (c.get("name_en"), c["id"]) if x)}
        for c in directory.categories()
    ]


def _attribute(code: str, order: int, datatype: str, required: bool, description: str,
               datatype_description: str | None = None, values: Sequence[tuple[str, str]] = ()) -> dict:
    attr: dict[str, Any] = {
        "variable": True, "code": code, "datatype": datatype, "required": required,
        "datatype_description": datatype_description, "order": order, "description": description,
    }
    if values:
        attr["values"] = [{"key": k, "name": n} for k, n in values]
    return attr


def service_definition(directory, regions_data: Mapping, service_code: str) -> dict[str, Any]:
    """The same attributes for every category: where it is (Kemendagri codes, since we hold no
    coordinates of regions to map lat/long), what kind of report, and optional routing."""
    if directory.category(service_code) is None:
        raise NotFound(f"service_code '{service_code}' tidak ditemukan", f"service_code '{service_code}' not found")
    provinces = [(p["code"], p["name"]) for p in regions_data["provinces"]]
    agencies = [(a.id, a.name) for a in directory.agencies()]
    return {"service_code": service_code, "attributes": [
        _attribute("province_code", 1, "singlevaluelist", True,
                   "Provinsi lokasi laporan (wajib kecuali regency_code diisi) / "
                   "Province of the location (required unless regency_code is given)", values=provinces),
        _attribute("regency_code", 2, "string", False,
                   "Kabupaten/kota lokasi laporan / Regency or city of the location",
                   "Kode Kemendagri NN.NN, mis. 12.71 = Kota Medan / Kemendagri code NN.NN, e.g. 12.71"),
        _attribute("kind", 3, "singlevaluelist", False,
                   "Klasifikasi laporan (bawaan: pengaduan) / Kind of report (default: complaint)",
                   values=tuple(KINDS.items())),
        _attribute("title", 4, "string", False,
                   "Judul laporan (bawaan: dari deskripsi) / Title (default: taken from the description)",
                   "5–150 karakter / 5–150 characters"),
        _attribute("agency_id", 5, "singlevaluelist", False,
                   "Instansi tujuan, bila pelapor tahu / The agency to send it to, if the reporter knows",
                   values=agencies),
        _attribute("anonymous", 6, "singlevaluelist", False,
                   "Sembunyikan identitas pelapor dari instansi / Hide the reporter's identity from the agency",
                   values=(("true", "Ya / Yes"), ("false", "Tidak / No"))),
    ]}


# ---- POST service request -----------------------------------------------------------------------
ATTRIBUTE_RE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
ATTRIBUTE_CODES = ("province_code", "regency_code", "kind", "title", "agency_id", "anonymous")

# ReportIn's field paths back to the Open311 parameter a client sent.
_PARAM_OF = {
    "category_id": "service_code", "description": "description", "location.lat": "lat",
    "location.lon": "long", "location": "lat/long", "location.address": "address_string",
    "location.province_code": "attribute[province_code]", "location.regency_code": "attribute[regency_code]",
    "reporter.name": "first_name/last_name", "reporter.email": "email", "reporter.phone": "phone",
    "reporter": "email/phone", "title": "attribute[title]", "kind": "attribute[kind]",
    "agency_id": "attribute[agency_id]", "anonymous": "attribute[anonymous]",
}


def parse_form(pairs: Iterable[tuple[str, str]]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Plain fields (first value wins) and attribute[code] / attribute[code][] values."""
    fields: dict[str, str] = {}
    attributes: dict[str, list[str]] = {}
    for name, value in pairs:
        match = ATTRIBUTE_RE.match(name)
        if match:
            attributes.setdefault(match.group(1), []).append(value.strip())
        else:
            fields.setdefault(name, value.strip())
    return fields, attributes


def _single(attributes: Mapping[str, list[str]], code: str) -> str | None:
    values = [v for v in attributes.get(code, []) if v]
    if len(values) > 1:
        raise InvalidInput("Atribut hanya boleh satu nilai", "The attribute takes one value",
                           {f"attribute[{code}]": "satu nilai / one value"})
    return values[0] if values else None


def _title(explicit: str | None, description: str, category_name: str) -> str:
    if explicit:
        return explicit
    first_line = " ".join(description.strip().splitlines()[0].split()) if description.strip() else ""
    title = f"{category_name}: {first_line}" if first_line else category_name
    return title if len(title) <= 150 else title[:149].rstrip() + "…"


def _location_rules(fields: Mapping[str, str], attributes: Mapping[str, list[str]]) -> tuple[str | None, str | None]:
    """The spec wants a location (lat & long, address_string or address_id); our reports also
    need a province, which only the province_code/regency_code attributes can give."""
    has_point = bool(fields.get("lat")) and bool(fields.get("long"))
    if bool(fields.get("lat")) != bool(fields.get("long")):
        raise InvalidInput("lat dan long harus dikirim berdua", "lat and long must be sent together",
                           {"lat/long": "keduanya / both"})
    if not (has_point or fields.get("address_string")):
        if fields.get("address_id"):
            raise InvalidInput("address_id tidak didukung; kirim lat/long atau address_string",
                               "address_id is not supported here; send lat/long or address_string",
                               {"address_id": "tidak didukung / not supported"})
        raise InvalidInput("Lokasi wajib: lat & long atau address_string",
                           "A location is required: lat & long or address_string",
                           {"lat/long/address_string": "wajib / required"})
    province, regency = _single(attributes, "province_code"), _single(attributes, "regency_code")
    if province is None and regency and re.fullmatch(r"\d{2}\.\d{2}", regency):
        province = regency[:2]
    if province is None:
        raise InvalidInput(
            "attribute[province_code] (atau attribute[regency_code]) wajib: LAPOR memetakan lokasi ke "
            "kode wilayah Kemendagri dan tidak dapat menurunkannya dari lat/long",
            "attribute[province_code] (or attribute[regency_code]) is required: LAPOR files reports "
            "under Kemendagri region codes and cannot derive them from lat/long",
            {"attribute[province_code]": "wajib / required"})
    return province, regency


def _flag(value: str | None, code: str) -> bool | None:
    if value is None:
        return None
    if value not in ("true", "false"):
        raise InvalidInput("Nilai atribut tidak valid", "Invalid attribute value",
                           {f"attribute[{code}]": "true atau false / true or false"})
    return value == "true"


def _number(fields: Mapping[str, str], name: str) -> float | None:
    value = fields.get(name)
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise InvalidInput("Koordinat tidak valid", "Invalid coordinate", {name: "harus angka / must be a number"})
    return number


def _media(url: str | None) -> str:
    if not url:
        return ""
    if len(url) > 500 or not re.match(r"^https?://\S+$", url):
        raise InvalidInput("media_url tidak valid", "Invalid media_url", {"media_url": "URL http(s)"})
    return f"\n\nMedia: {url}"


def new_report_from_form(directory, fields: Mapping[str, str], attributes: Mapping[str, list[str]]) -> NewReport:
    """Open311 parameters to the same validated body the JSON intake takes (schemas.ReportIn)."""
    from .. import schemas

    code = fields.get("service_code")
    if not code:
        raise InvalidInput("service_code wajib diisi", "service_code is required", {"service_code": "wajib / required"})
    category = directory.category(code)
    if category is None:
        raise NotFound(f"service_code '{code}' tidak ditemukan", f"service_code '{code}' not found")
    province, regency = _location_rules(fields, attributes)
    description = fields.get("description", "")
    if len(description) > DESCRIPTION_MAX:
        raise InvalidInput("Deskripsi terlalu panjang", "The description is too long",
                           {"description": f"maksimal / at most {DESCRIPTION_MAX}"})
    name = " ".join(x for x in (fields.get("first_name"), fields.get("last_name")) if x)
    # No name means anonymous; a named reporter may still ask to be hidden from the agency.
    anonymous = _flag(_single(attributes, "anonymous"), "anonymous") is True or not name
    kind = _single(attributes, "kind") or "complaint"
    data = {
        "kind": kind,
        "title": _title(_single(attributes, "title"), description, category["name"]),
        "description": description + _media(fields.get("media_url")) if description else "",
        "location": {k: v for k, v in {
            "province_code": province, "regency_code": regency, "address": fields.get("address_string"),
            "lat": _number(fields, "lat"), "lon": _number(fields, "long"),
        }.items() if v not in (None, "")},  # lat 0.0 is the equator, in Indonesia
        "category_id": code,
        "agency_id": _single(attributes, "agency_id"),
        "anonymous": anonymous,
        "reporter": {"name": name or ANONYMOUS_NAME, "email": fields.get("email") or None,
                     "phone": fields.get("phone") or None},
        "channel": "api",
    }
    try:
        body = schemas.parse(schemas.ReportIn, {k: v for k, v in data.items() if v is not None})
    except InvalidInput as exc:
        raise _renamed(exc) from None
    return NewReport(
        kind=body.kind, title=body.title, description=body.description,
        location=Location(**body.location.model_dump()), reporter=Reporter(**body.reporter.model_dump()),
        channel=body.channel, agency_id=body.agency_id, category_id=body.category_id,
        anonymous=body.anonymous, confidential=False,
    )


def _renamed(exc: InvalidInput | Unprocessable) -> InvalidInput | Unprocessable:
    """Field names as the Open311 client sent them, not as our JSON intake calls them."""
    fields = {_PARAM_OF.get(k, k): v for k, v in exc.fields.items()}
    return type(exc)(exc.message_id, exc.message_en, fields)


def create_request(deps: Deps, keys, fields: Mapping[str, str], attributes: Mapping[str, list[str]],
                   now: dt.datetime) -> list[dict[str, Any]]:
    """The key first (403), then the service (404), then the data (400). `deps` is this
    request's own: the record of which client filed the report joins its transaction."""
    key = authenticate(keys, fields.get("api_key"))
    new = new_report_from_form(deps.directory, fields, attributes)
    deps.reports.hooks.append(keys.submission_hook(key, now))
    try:
        report, _access_code = submit_report(deps, new, now)
    except (InvalidInput, Unprocessable) as exc:  # unknown region or agency, named as our JSON intake names them
        raise _renamed(exc) from None
    notice = f"{_notice(report, deps.directory)} · {short_notice()}"
    return [{"service_request_id": report.tracking_id, "service_notice": notice,
             "account_id": None}]


def _notice(report: Report, directory) -> str:
    tid = report.tracking_id
    if report.status == Status.DISPATCHED and report.agency_id:
        agency = directory.agency(report.agency_id)
        due = report.deadlines.get("completion")
        return (f"Laporan {tid} diterima dan diteruskan ke {agency.name}; target selesai {due} / "
                f"Report {tid} received and dispatched to {agency.name}; due {due}")
    due = report.deadlines.get("verification")
    return (f"Laporan {tid} diterima dan menunggu verifikasi admin paling lambat {due} / "
            f"Report {tid} received; it will be verified by {due}")


# ---- reading requests ---------------------------------------------------------------------------
def _w3(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(WIB).isoformat(timespec="seconds") if moment else None


def _label(status: str) -> str:
    ind, en = STATUS_LABELS[Status(status)]
    return f"{ind} / {en}"


def _timeline(events: list[Event]) -> list[Event]:
    """What the public tracking page shows: public events and every change of status."""
    return [e for e in events if e.on_public_timeline]


def request_view(report: Report, events: list[Event], names: Names, regions, extensions: bool) -> dict[str, Any]:
    """One service request, in the spec's field order. No reporter identity, whatever the flags."""
    timeline = _timeline(events)
    public_messages = [e.message for e in timeline if e.visibility == Visibility.PUBLIC and e.message]
    loc = report.location
    completion = report.deadline("completion")
    view: dict[str, Any] = {
        "service_request_id": report.tracking_id,
        "status": "closed" if report.status in CLOSED else "open",
        "status_notes": public_messages[-1] if public_messages else None,
        "service_name": names.categories.get(report.category_id) if report.category_id else None,
        "service_code": report.category_id,
        "description": report.description,
        "agency_responsible": names.agencies.get(report.agency_id) if report.agency_id else None,
        "service_notice": _label(report.status.value),
        "requested_datetime": _w3(report.received_at),
        "updated_datetime": _w3(max((e.at for e in timeline), default=report.received_at)),
        "expected_datetime": _w3(end_of_day_wib(completion)) if completion else None,
        "address": ", ".join(x for x in (
            loc.address, regions.regency_name(loc.regency_code) if loc.regency_code else None,
            regions.province_name(loc.province_code)) if x),
    }
    if loc.lat is not None and loc.lon is not None:
        view.update(lat=loc.lat, long=loc.lon)
    if extensions:
        view["notes"] = [
            {"datetime": _w3(e.at), "type": e.action,
             "description": e.message if e.visibility == Visibility.PUBLIC and e.message else _label(e.to_status)}
            for e in timeline
        ]
        view["extended_attributes"] = {
            "title": report.title, "kind": report.kind, "lifecycle_status": report.status.value,
            "province_code": loc.province_code, "regency_code": loc.regency_code, "agency_id": report.agency_id,
            # issue 14: how many support it, and the report it was merged into
            "supporter_count": report.supporter_count, "duplicate_of": report.duplicate_of,
        }
    return view


def _events_of(deps: Deps, reports: list[Report]) -> list[list[Event]]:
    """One history Query per report, a few at a time: status_notes and updated_datetime need them."""
    if len(reports) <= 1:
        return [deps.reports.events(r.tracking_id) for r in reports]
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda r: deps.reports.events(r.tracking_id), reports))


def _views(deps: Deps, reports: list[Report], extensions: bool) -> list[dict[str, Any]]:
    if not reports:
        return []
    names = Names.load(deps.directory)
    return [request_view(r, ev, names, deps.regions, extensions) for r, ev in zip(reports, _events_of(deps, reports))]


class Params:
    """Query-string values as Open311 clients send them: repeated or comma-delimited lists,
    empty meaning absent, unknown names ignored (jurisdiction_id, api_key on reads...). Only spaces
    around a value are dropped: a tab or a line break is part of it (the document's formats)."""

    def __init__(self, params: Mapping[str, list[str]] | None):
        self.params = params or {}

    def one(self, name: str) -> str | None:
        values = [v.strip(" ") for v in self.params.get(name, []) if v.strip(" ")]
        return values[-1] if values else None

    def many(self, name: str) -> list[str]:
        out: list[str] = []
        for value in self.params.get(name, []):
            out.extend(x.strip(" ") for x in value.split(",") if x.strip(" "))
        return list(dict.fromkeys(out))

    def moment(self, name: str) -> dt.datetime | None:
        """A w3 date-time with its offset, or a date (midnight WIB): what /openapi.json states as
        `format: date-time` or `format: date`. Moments beyond any report's life are moved to the
        edge of W3_RANGE (the answer is the same: nothing), so a window never overflows."""
        value = self.one(name)
        if value is None:
            return None
        text = value.replace(" ", "+")  # an unencoded '+' of an offset arrives as a space
        moment = None
        try:
            if W3_DATE_TIME.fullmatch(text):
                # Python reads at most 6 fractional digits; RFC 3339 sets no limit.
                moment = dt.datetime.fromisoformat(re.sub(r"(\.\d{6})\d+", r"\1", text.upper()))
            elif W3_DATE.fullmatch(text):
                moment = dt.datetime.combine(dt.date.fromisoformat(text), dt.time(), tzinfo=WIB)
        except ValueError:
            moment = None
        if moment is None:
            raise InvalidInput("Tanggal/waktu tidak valid", "Invalid date/time",
                               {name: "format w3, mis. / w3 format, e.g. 2024-12-20T00:00:00+07:00"})
        return min(max(moment, W3_RANGE[0]), W3_RANGE[1])

    def integer(self, name: str, default: int, lo: int, hi: int) -> int:
        value = self.one(name)
        if value is None:
            return default
        if not (value.isascii() and value.isdigit()) or not lo <= int(value) <= hi:
            raise InvalidInput("Parameter tidak valid", "Invalid parameter", {name: f"{lo}–{hi}"})
        return int(value)

    def flag(self, name: str) -> bool:
        return (self.one(name) or "").lower() in ("true", "1")


def _window(params: Params, now: dt.datetime, first: str = "start_date",
            last: str = "end_date") -> tuple[dt.datetime, dt.datetime]:
    """start_date/end_date (or updated_after/updated_before): at most 90 days apart; a missing
    end is start + 90 days, a missing start is end - 90 days, neither is the last 90 days."""
    start, end = params.moment(first), params.moment(last)
    if start and end:
        if end < start:
            raise Unprocessable(f"{last} sebelum {first}", f"{last} is before {first}",
                                {last: f"setelah {first} / after {first}"})
        if end - start > WINDOW:
            raise Unprocessable("Rentang tanggal lebih dari 90 hari", "The date range spans more than 90 days",
                                {f"{first}/{last}": "maksimal 90 hari / at most 90 days"})
        return start, end
    if start:
        return start, start + WINDOW
    if end:
        return end - WINDOW, end
    return now - WINDOW, now


def _updated_window(params: Params, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """updated_after alone means "since then, up to now": refused beyond 90 days rather than
    answered with only the first 90, which a syncing client would take for everything."""
    if params.one("updated_after") and not params.one("updated_before"):
        after = params.moment("updated_after")
        if now - after > WINDOW:
            raise Unprocessable("updated_after lebih dari 90 hari lalu; tambahkan updated_before",
                                "updated_after is more than 90 days ago; add updated_before",
                                {"updated_after": "maksimal 90 hari lalu / at most 90 days ago"})
        return after, now
    return _window(params, now, "updated_after", "updated_before")


STATUSES_BY_OPEN311 = {
    "open": tuple(s.value for s in Status if s not in CLOSED),
    "closed": tuple(s.value for s in Status if s in CLOSED),
}


def _newest(deps: Deps, start: dt.datetime, end: dt.datetime, statuses: Sequence[str | None],
            codes: Sequence[str | None], limit: int) -> list[Report]:
    """The newest `limit` published reports received in [start, end]: one store list Query
    per (status, category) asked for, merged newest first."""
    found: list[Report] = []
    for status in statuses:
        for code in codes:
            equals = tuple(sorted((k, v) for k, v in (("status", status), ("category_id", code)) if v))
            query = ListQuery(equals=equals, received_from=utc_iso(start),
                              received_to=utc_iso(end + dt.timedelta(microseconds=1)), published_only=True)
            found.extend(deps.reports.list(query, limit, None).items)
    found.sort(key=lambda r: (r.received_at, r.tracking_id), reverse=True)
    return found[:limit]


def list_requests(deps: Deps, raw_params: Mapping[str, list[str]] | None, now: dt.datetime) -> list[dict[str, Any]]:
    params = Params(raw_params)
    extensions = params.flag("extensions")
    # Every parameter is read (and refused when wrong) whichever branch answers.
    page_size = params.integer("page_size", MAX_PAGE_SIZE, 1, MAX_PAGE_SIZE)
    page = params.integer("page", 1, 1, MAX_DEPTH)
    for name in ("start_date", "end_date", "updated_after", "updated_before"):
        params.moment(name)
    status_names = params.many("status")
    unknown = [s for s in status_names if s not in STATUSES_BY_OPEN311]
    if unknown:
        raise InvalidInput("status tidak dikenal", "Unknown status", {"status": "open, closed"})
    statuses: list[str | None] = [None]
    if len(set(status_names)) == 1:
        statuses = list(STATUSES_BY_OPEN311[status_names[0]])
    codes: list[str | None] = list(params.many("service_code")) or [None]
    if len(codes) > MAX_SERVICE_CODES:
        raise InvalidInput("Terlalu banyak service_code", "Too many service codes",
                           {"service_code": f"maksimal / at most {MAX_SERVICE_CODES}"})
    ids = params.many("service_request_id")
    if ids:
        return _views(deps, _by_ids(deps, ids), extensions)
    if page * page_size > MAX_DEPTH:
        raise Unprocessable("Halaman terlalu jauh; persempit rentang tanggal",
                            "Page too deep; narrow the date range instead",
                            {"page": f"page × page_size ≤ {MAX_DEPTH}"})
    if params.one("updated_after") or params.one("updated_before"):
        # A syncing client: what changed in the window, most recently changed first; start_date
        # and end_date, when given too, narrow by requested_datetime.
        after, before = _updated_window(params, now)
        any_of = {k: tuple(v) for k, v in (("status", [s for s in statuses if s]),
                                            ("category_id", [c for c in codes if c])) if v}
        received = _window(params, now) if params.one("start_date") or params.one("end_date") else None
        changed = deps.reports.public_updates(after, before, any_of, received, page * page_size)
        return _views(deps, changed[(page - 1) * page_size:], extensions)
    start, end = _window(params, now)
    newest = _newest(deps, start, end, statuses, codes, page * page_size)
    return _views(deps, newest[(page - 1) * page_size:], extensions)


def _by_ids(deps: Deps, ids: list[str]) -> list[Report]:
    if len(ids) > MAX_IDS:
        raise InvalidInput("Terlalu banyak service_request_id", "Too many service_request_id values",
                           {"service_request_id": f"maksimal / at most {MAX_IDS}"})
    found = []
    for raw in ids:
        tid = normalise_tracking_id(raw)
        if tid is None:
            continue
        try:
            report = deps.reports.get(tid)
        except NotFound:
            continue
        if report.is_public:
            found.append(report)
    return found


def _visible(deps: Deps, keys, raw_id: str, api_key: str | None) -> Report:
    """A public report (Report.is_public); or, for the client that filed it (its api_key), one still
    awaiting verification that is not confidential. Anything else does not exist (404)."""
    missing = NotFound(f"service_request_id '{raw_id}' tidak ditemukan", f"service_request_id '{raw_id}' not found")
    tid = normalise_tracking_id(raw_id)
    if tid is None:
        raise missing
    key = authenticate(keys, api_key) if api_key else None
    try:
        report = deps.reports.get(tid)
    except NotFound:
        raise missing from None
    if report.is_public:
        return report
    if report.confidential or key is None or keys.filed_by(tid) != key.key_id:
        raise missing
    return report


def get_request(deps: Deps, keys, raw_id: str, raw_params: Mapping[str, list[str]] | None) -> list[dict[str, Any]]:
    params = Params(raw_params)
    report = _visible(deps, keys, raw_id, params.one("api_key"))
    return _views(deps, [report], params.flag("extensions"))


def token(deps: Deps, keys, raw_token: str, raw_params: Mapping[str, list[str]] | None) -> list[dict[str, str]]:
    """Requests are created realtime, so a token is the service_request_id itself."""
    report = _visible(deps, keys, raw_token, Params(raw_params).one("api_key"))
    return [{"service_request_id": report.tracking_id, "token": report.tracking_id}]
