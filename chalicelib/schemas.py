"""Request bodies as pydantic models: the one source for validation and for /openapi.json.
Shape and format are checked here; rules that need data (does the agency exist?) in services."""
from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal, Union

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    WithJsonSchema,
    ValidationError,
    field_validator,
    model_validator,
)

from .domain.attachments import ALLOWED_TYPES, MAX_BYTES
from .domain.errors import InvalidInput
from .domain.report import ARCHIVE_REASONS, CHANNELS
from .domain.sla import LIMIT_KEYS, MAX_LIMIT
from .domain.staff import ROLE_SCOPE

Kind = Literal["complaint", "aspiration", "information_request"]
Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9._-]*$")]
VISIBLE = r"\S"  # something besides white space
Text = Annotated[str, Field(min_length=1, max_length=5000, pattern=VISIBLE)]

# Indonesia's bounding box, roughly: a coordinate outside it is a typo or a swapped pair.
LAT_RANGE, LON_RANGE = (-11.5, 6.5), (94.5, 141.5)


def _whole_number(value):
    """JSON has one number type: 5 and 5.0 are the same integer (as the document's `integer` says);
    true, "5" and 5.5 are not."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("harus bilangan bulat / must be an integer")
    return value


def whole(lo: int | None = None, hi: int | None = None):
    return Annotated[int, Field(ge=lo, le=hi), BeforeValidator(_whole_number)]


def _date_text(value):
    """`format: date` and nothing else: pydantic alone would read 0 as 1970-01-01."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value, re.ASCII):
        raise ValueError("tanggal YYYY-MM-DD / a YYYY-MM-DD date")
    return value


def _date_time_text(value):
    """`format: date-time` (RFC 3339) is text: pydantic alone would read a number as epoch seconds."""
    if isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str):
        raise ValueError("tanggal/waktu ISO 8601 / an ISO 8601 date-time")
    return value


Date = Annotated[dt.date, BeforeValidator(_date_text)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="after")
    def _trimmed(self):
        """Lengths are checked as sent (what the document's minLength counts); what is kept is trimmed."""
        for name, value in self.__dict__.items():
            if isinstance(value, str):
                self.__dict__[name] = value.strip()
        return self


class LocationIn(_Body):
    # lat and lon together or neither, as the document states it (and _pair below checks).
    model_config = ConfigDict(json_schema_extra={"anyOf": [
        {"properties": {"lat": {"type": "null"}, "lon": {"type": "null"}}},
        {"required": ["lat", "lon"], "properties": {"lat": {"type": "number"}, "lon": {"type": "number"}}}]})

    province_code: Annotated[str, Field(pattern=r"^\d{2}$")]
    regency_code: Annotated[str | None, Field(pattern=r"^\d{2}\.\d{2}$")] = None
    address: Annotated[str | None, Field(max_length=500)] = None
    lat: Annotated[float | None, Field(strict=True, ge=LAT_RANGE[0], le=LAT_RANGE[1])] = None
    lon: Annotated[float | None, Field(strict=True, ge=LON_RANGE[0], le=LON_RANGE[1])] = None

    @field_validator("lat", "lon")
    @classmethod
    def _to_a_centimetre(cls, value: float | None) -> float | None:
        """Seven decimals (about 1 cm): a DynamoDB number keeps 38 digits and no exponent below
        -130, so 4e-307 (a valid JSON number) could not be stored (it was a 500)."""
        return None if value is None else round(value, 7)

    @model_validator(mode="after")
    def _pair(self):
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat dan lon diisi berdua / lat and lon go together")
        return self


def normalise_email(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    from email_validator import EmailNotValidError, validate_email

    try:
        # What the document's `format: email` admits (RFC 5321: quoted local parts, address
        # literals) but reserved names; the outbox reports what SES then refuses.
        return validate_email(value, check_deliverability=False, allow_quoted_local=True,
                              allow_domain_literal=True).normalized
    except EmailNotValidError:
        raise ValueError("alamat e-mail tidak valid / invalid e-mail address") from None


def normalise_phone(value: str | None) -> str | None:
    """E.164 (+62…); Indonesian numbers may be written the local way (0812-…)."""
    if value is None or value == "":
        return None
    import phonenumbers

    if any(c.isalpha() for c in value):  # phonenumbers would read letters as keypad digits
        raise ValueError("nomor telepon tidak valid / invalid phone number")
    try:
        number = phonenumbers.parse(value, "ID")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValueError("nomor telepon tidak valid / invalid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# What clients must send, stated in the document: `format: email` (checked by email-validator) and
# `format: phone` (an Indonesian number as people write it, or E.164; checked by phonenumbers).
def _email_schema() -> dict:
    """`format: email`, less the reserved names (RFC 6761: .test, .local, ...) no mail reaches,
    which email-validator refuses: the list is its own."""
    from email_validator import SPECIAL_USE_DOMAIN_NAMES

    names = "|".join("".join(f"[{c.upper()}{c}]" if c.isalpha() else re.escape(c) for c in name)
                     for name in sorted(SPECIAL_USE_DOMAIN_NAMES))  # any case: domains have none
    return {"format": "email", "not": {"type": "string", "pattern": rf"[@.]({names})\.?$"}}


Email = Annotated[str | None, Field(max_length=254, json_schema_extra=_email_schema())]
Phone = Annotated[str | None, Field(max_length=32, json_schema_extra={
    "format": "phone", "examples": ["0812-3456-7890", "+6281234567890", "021-1234567"]})]


class ReporterIn(_Body):
    # One way to reach the reporter at least, as the document states it (the validator below says so too).
    model_config = ConfigDict(json_schema_extra={"anyOf": [
        {"required": [contact], "properties": {contact: {
            "type": "string", "minLength": 1, **(_email_schema() if contact == "email" else {"format": contact})}}}
        for contact in ("email", "phone")]})

    name: Annotated[str, Field(min_length=1, max_length=120, pattern=VISIBLE)]
    email: Email = None
    phone: Phone = None

    _email = field_validator("email")(lambda cls, v: normalise_email(v))
    _phone = field_validator("phone")(lambda cls, v: normalise_phone(v))

    @model_validator(mode="after")
    def _contact(self):
        if not self.email and not self.phone:
            raise ValueError("isi e-mail atau nomor telepon / give an e-mail or a phone number")
        return self


class ReportIn(_Body):
    kind: Kind
    title: Annotated[str, Field(min_length=5, max_length=150, pattern=VISIBLE)]
    description: Annotated[str, Field(min_length=10, max_length=5000, pattern=VISIBLE)]
    occurred_on: Annotated[Date | None, Field(description=(
        "not before 1945-08-17 nor after today (WIB), else 422"))] = None
    location: LocationIn
    agency_id: Id | None = None
    category_id: Id | None = None
    anonymous: StrictBool = False
    confidential: StrictBool = False
    reporter: ReporterIn
    channel: Literal["web", "api", "mobile_app"] = "api"


EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
EARLIEST_OCCURRED_ON = dt.date(1945, 8, 17)


class StaffReportIn(ReportIn):
    channel: Literal[CHANNELS]  # type: ignore[valid-type]
    received_at: Annotated[AwareDatetime, BeforeValidator(_date_time_text),
                           Field(json_schema_extra={"pattern": r"^[2-9]\d{3}-"})]  # the year 2000 or later

    @field_validator("received_at")
    @classmethod
    def _plausible(cls, value: dt.datetime) -> dt.datetime:
        if value.year < EARLIEST.year:  # as written, whatever its offset: what the document's pattern says
            raise ValueError("sebelum tahun 2000 / before the year 2000")
        return value


class DispatchIn(_Body):
    action: Literal["dispatch"]
    agency_id: Id
    message: Annotated[str | None, Field(max_length=5000)] = None


class PostponeIn(_Body):
    action: Literal["postpone"]
    message: Text


class ArchiveIn(_Body):
    action: Literal["archive"]
    reason: Literal[ARCHIVE_REASONS]  # type: ignore[valid-type]
    message: Annotated[str | None, Field(max_length=5000)] = None


class AssignIn(_Body):
    action: Literal["assign"]
    unit_id: Id


class RerouteIn(_Body):
    action: Literal["reroute"]
    message: Text


class RespondIn(_Body):
    action: Literal["respond"]
    message: Text


class FinalAnswerIn(_Body):
    action: Literal["final_answer"]
    message: Text


class FieldInspectionIn(_Body):
    action: Literal["set_field_inspection"]
    required: StrictBool


class CorrectIn(_Body):
    # At least one field to correct, as the document states it (services.reports checks it too).
    model_config = ConfigDict(json_schema_extra={"anyOf": [
        {"required": [name], "properties": {name: {"not": {"type": "null"}}}}
        for name in ("title", "kind", "category_id", "anonymous", "confidential")]})

    action: Literal["correct"]
    title: Annotated[str | None, Field(min_length=5, max_length=150, pattern=VISIBLE)] = None
    kind: Kind | None = None
    category_id: Id | None = None
    anonymous: StrictBool | None = None
    confidential: StrictBool | None = None


class MarkDuplicateIn(_Body):
    action: Literal["mark_duplicate"]
    of: Annotated[str, Field(min_length=1, max_length=64, pattern=VISIBLE,
                             description="the original's tracking number, as people type it")]
    message: Annotated[str | None, Field(max_length=5000)] = None


class UnmarkDuplicateIn(_Body):
    action: Literal["unmark_duplicate"]


ActionIn = Annotated[
    Union[DispatchIn, PostponeIn, ArchiveIn, AssignIn, RerouteIn, RespondIn, FinalAnswerIn,
          FieldInspectionIn, CorrectIn, MarkDuplicateIn, UnmarkDuplicateIn],
    Field(discriminator="action"),
]


class ActionEnvelope(BaseModel):
    body: ActionIn


class ReplyIn(_Body):
    message: Annotated[str | None, Field(max_length=5000)] = None
    accept: StrictBool | None = None
    rating: whole(1, 5) | None = None


class AssignmentIn(_Body):
    username: Annotated[str, Field(min_length=1, max_length=128, pattern=VISIBLE)]
    start: Date
    end: Date | None = None
    decree: Annotated[str | None, Field(max_length=200)] = None
    replaces: Annotated[str | None, Field(max_length=200)] = None


class AssignmentEndIn(_Body):
    end: Date


class StaffIn(_Body):
    # The scope fields each role needs, stated in the document (services.officers checks them too).
    model_config = ConfigDict(json_schema_extra={"allOf": [
        {"if": {"required": ["role"], "properties": {"role": {"const": role}}},
         "then": {"required": list(needed), "properties": {f: {"type": "string"} for f in needed}}}
        for role, needed in ROLE_SCOPE.items()]})

    name: Annotated[str, Field(min_length=1, max_length=120, pattern=VISIBLE)]
    role: Literal["central_admin", "agency_admin", "liaison_officer", "provincial_admin"]
    email: Email = None
    phone: Phone = None
    agency_id: Id | None = None
    unit_id: Id | None = None
    province_code: Annotated[str | None, Field(pattern=r"^\d{2}$")] = None

    _email = field_validator("email")(lambda cls, v: normalise_email(v))
    _phone = field_validator("phone")(lambda cls, v: normalise_phone(v))


class CalendarOverrideIn(_Body):
    date: Date
    working: StrictBool
    note: Annotated[str | None, Field(max_length=200)] = None


class SlaOverrideIn(_Body):
    # Names and ranges are checked by domain.sla.validate_limits (its messages name each stage); the
    # document states the same rule.
    limits: Annotated[dict[Annotated[str, Field(max_length=64)], whole()], Field(max_length=len(LIMIT_KEYS)),
                      WithJsonSchema({
                          "type": "object", "propertyNames": {"enum": list(LIMIT_KEYS)}, "minProperties": 1,
                          "additionalProperties": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}})]


class UploadIn(_Body):
    """An attachment the reporter is about to upload (the presigned POST enforces the size)."""

    # The types and sizes domain.attachments.check_upload takes (a name with nothing visible is 422).
    filename: Annotated[str, Field(min_length=1, max_length=255)]
    content_type: Literal[tuple(ALLOWED_TYPES)]  # type: ignore[valid-type]
    size: whole(1, MAX_BYTES)


class Open311KeyIn(_Body):
    client_name: str = Field(min_length=1, max_length=120, pattern=VISIBLE)
    contact: str | None = Field(default=None, max_length=200)


_MESSAGES = {
    "missing": "wajib diisi / required",
    "extra_forbidden": "kolom tidak dikenal / unknown field",
    "string_too_short": "terlalu pendek / too short",
    "string_too_long": "terlalu panjang / too long",
    "literal_error": "nilai tidak dikenal / not one of the allowed values",
    "string_pattern_mismatch": "format tidak valid / wrong format",
    "union_tag_invalid": "tindakan tidak dikenal / unknown action",
    "union_tag_not_found": "wajib diisi / required",
    "timezone_aware": "sertakan zona waktu / include a UTC offset",
    "bool_type": "harus true atau false / must be true or false",
    "int_type": "harus bilangan bulat / must be an integer",
    "string_type": "harus teks / must be text",
    "dict_type": "harus objek / must be an object",
    "model_type": "harus objek / must be an object",
    "model_attributes_type": "harus objek / must be an object",
}


def _field_message(error: dict) -> str:
    kind = error["type"]
    if kind == "value_error":
        return str(error.get("ctx", {}).get("error", error["msg"]))
    if kind in ("string_too_short", "string_too_long") and "ctx" in error:
        limit = error["ctx"].get("min_length", error["ctx"].get("max_length"))
        word = ("minimal", "at least") if kind == "string_too_short" else ("maksimal", "at most")
        return f"{word[0]} {limit} karakter / {word[1]} {limit} character{'s' if limit != 1 else ''}"
    if kind in ("greater_than_equal", "less_than_equal"):
        ctx = error.get("ctx", {})
        if "ge" in ctx:
            return f"minimal {ctx['ge']} / at least {ctx['ge']}"
        return f"maksimal {ctx['le']} / at most {ctx['le']}"
    if kind.startswith(("date", "datetime")):
        return "tanggal/waktu tidak valid (ISO 8601) / invalid date or time (ISO 8601)"
    if kind.startswith("float") or kind.startswith("int"):
        return "harus angka / must be a number"
    return _MESSAGES.get(kind, f"tidak valid / invalid ({kind})")


def parse(model, data, envelope: bool = False):
    """Validates a JSON body into `model`, or raises InvalidInput naming every wrong field."""
    if not isinstance(data, dict):
        raise InvalidInput("Badan permintaan harus objek JSON", "The request body must be a JSON object")
    try:
        if envelope:
            return ActionEnvelope.model_validate({"body": data}).body
        return model.model_validate(data)
    except ValidationError as exc:
        fields: dict[str, str] = {}
        for error in exc.errors(include_url=False):
            loc = [str(p) for p in error["loc"] if p != "body"]
            # discriminated unions put the tag in the path: body.dispatch.agency_id
            if envelope and loc and loc[0] in _ACTION_TAGS:
                loc = loc[1:]
            if error["type"].startswith("union_tag"):
                loc = ["action"]
            fields.setdefault(".".join(loc) or "body", _field_message(error))
        raise InvalidInput("Data tidak valid, periksa kolom yang ditandai",
                           "Invalid data, check the fields listed", fields) from None


_ACTION_TAGS = {"dispatch", "postpone", "archive", "assign", "reroute", "respond", "final_answer",
                "set_field_inspection", "correct", "mark_duplicate", "unmark_duplicate"}


class ContactIn(_Body):
    """PUT /reports/{tid}/my-data/contact: the reporter's whole contact, checked as at intake
    (ReporterIn): an omitted one is removed, one way to reach them at least stays."""

    model_config = ConfigDict(json_schema_extra=ReporterIn.model_config["json_schema_extra"])

    email: Email = None
    phone: Phone = None

    _email = field_validator("email")(lambda cls, v: normalise_email(v))
    _phone = field_validator("phone")(lambda cls, v: normalise_phone(v))
    _contact = model_validator(mode="after")(ReporterIn._contact)


# ---- support (issue 14) -------------------------------------------------------------------------------
_BOTH_CONTACTS = {"required": ["email", "phone"],
                  "properties": {"email": {"type": "string"}, "phone": {"type": "string"}}}


class SupportIn(_Body):
    """No contact: an anonymous support, counted at once. An e-mail or a phone (one of them): a
    one-time code is sent there, and the support counts once it is entered (SupportVerifyIn)."""

    # Not both, as the document states it (a null one is as good as absent).
    model_config = ConfigDict(json_schema_extra={"not": _BOTH_CONTACTS})

    email: Email = None
    phone: Phone = None

    _email = field_validator("email")(lambda cls, v: normalise_email(v))
    _phone = field_validator("phone")(lambda cls, v: normalise_phone(v))

    @model_validator(mode="after")
    def _one_contact(self):
        if self.email and self.phone:
            raise ValueError("isi e-mail atau nomor telepon, bukan keduanya / give an e-mail or a phone, not both")
        return self


class SupportVerifyIn(SupportIn):
    model_config = ConfigDict(json_schema_extra={
        "not": _BOTH_CONTACTS,
        "anyOf": [{"required": [c], "properties": {c: {"type": "string", "minLength": 1}}} for c in ("email", "phone")]})

    code: Annotated[str, Field(min_length=6, max_length=6, pattern=r"^[0-9]{6}$")]

    @model_validator(mode="after")
    def _a_contact(self):
        if not self.email and not self.phone:
            raise ValueError("isi e-mail atau nomor telepon yang menerima kode / give the e-mail or phone that got the code")
        return self
