"""The HTTP edge: JSON in, typed errors out, one mapping from domain errors to status codes."""
from __future__ import annotations

import datetime as dt
import functools
import json
import re
from typing import Any, Callable
from urllib.parse import unquote

from aws_lambda_powertools import Logger
from chalice import Response

from .domain import errors
from .domain.ids import normalise_tracking_id

logger = Logger(child=True)

STATUS_BY_ERROR: dict[type[errors.DomainError], int] = {
    errors.InvalidInput: 400,
    errors.Unauthenticated: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.InvalidTransition: 409,
    errors.Conflict: 409,
    errors.Unprocessable: 422,
    errors.TooManyAttempts: 429,
    errors.UnsupportedMediaType: 415,
    errors.MethodNotAllowed: 405,
}
MAX_BODY_BYTES = 64 * 1024
JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store"}


def error_body(exc: errors.DomainError) -> dict:
    return {"error": {"code": exc.code, "message": exc.message, "message_id": exc.message_id,
                      "message_en": exc.message_en, "fields": exc.fields}}


def error_response(exc: errors.DomainError) -> Response:
    status = next((s for cls, s in STATUS_BY_ERROR.items() if isinstance(exc, cls)), 400)
    return Response(body=json.dumps(error_body(exc), ensure_ascii=False), status_code=status, headers=JSON_HEADERS)


INTERNAL_ERROR = {"error": {"code": "internal", "message": "Terjadi kesalahan pada server / Internal error",
                            "message_id": "Terjadi kesalahan pada server", "message_en": "Internal error",
                            "fields": {}}}


# Chalice answers these itself, before any view, in a shape of its own ({"Code", "Message"}).
_CHALICE_ERRORS: dict[str, Callable[[], errors.DomainError]] = {
    "UnsupportedMediaType": lambda: errors.UnsupportedMediaType(
        "Jenis konten tidak didukung di alamat ini (kirim application/json)",
        "This path does not accept that Content-Type (send application/json)",
        {"Content-Type": "tidak didukung / not supported"}),
    "MethodNotAllowedError": lambda: errors.MethodNotAllowed(
        "Metode HTTP tidak didukung di alamat ini", "HTTP method not allowed on this path"),
    "BadRequest": lambda: errors.InvalidInput(
        "Header Accept harus menyebut jenis berkas yang diminta", "The Accept header must name the file type asked for",
        {"Accept": "jenis berkas / the file's media type"}),
}


def in_our_error_shape(response: Response) -> Response:
    """Chalice's own 4xx/5xx (wrong media type or method, binary Accept, a crash outside a view)
    in the platform's one error body, keeping their status and headers (Allow, CORS)."""
    body = response.body
    if not (isinstance(body, dict) and set(body) == {"Code", "Message"}):
        return response
    make = _CHALICE_ERRORS.get(body["Code"])
    ours = error_body(make()) if make else INTERNAL_ERROR
    return Response(body=json.dumps(ours, ensure_ascii=False), status_code=response.status_code,
                    headers={**(response.headers or {}), **JSON_HEADERS})


def local_server_takes_every_method() -> None:
    """Under `chalice local` only: its HTTP server answers methods it has no handler for (TRACE,
    CONNECT, ...) with a bare HTML 501 before the app sees them. API Gateway hands them to no
    method, so the app's 405 (Allow, our error body) is what a client meets in AWS; make the local
    server pass them through too. Nothing changes in Lambda, where chalice.local is never loaded."""
    import sys

    local = sys.modules.get("chalice.local")
    if local is None:
        return
    handler = local.ChaliceRequestHandler
    handler.__getattr__ = _every_method  # http.server looks up do_<METHOD>; the known ones exist already


def _every_method(handler, name: str):
    if name.startswith("do_"):
        return handler._generic_handle
    raise AttributeError(name)


def json_response(body: Any, status: int = 200, headers: dict | None = None) -> Response:
    return Response(body=json.dumps(body, ensure_ascii=False, default=str), status_code=status,
                    headers={**JSON_HEADERS, **(headers or {})})


MAX_PATH_PARAM = 128  # the longest id in a path (a Cognito username); DynamoDB keys stay far below their limits


def _path_params(params: dict[str, Any]) -> dict[str, Any]:
    """Path parameters decoded (Lambda proxy events and `chalice local` both pass them still
    percent-encoded), then refused before any key is built from them: no path parameter is ever
    cut short silently, and none carries a control character into a key or a log line.
    /openapi.json states the same rule (NO_CONTROL, maxLength)."""
    decoded = {name: unquote(value) if isinstance(value, str) else value for name, value in params.items()}
    for name, value in decoded.items():
        if isinstance(value, str) and (len(value) > MAX_PATH_PARAM or not _NO_CONTROL.fullmatch(value)):
            raise errors.InvalidInput("Parameter alamat tidak valid", "Invalid path parameter",
                                      {name: f"maksimal {MAX_PATH_PARAM} karakter, tanpa karakter kontrol / "
                                             f"at most {MAX_PATH_PARAM} characters, no control characters"})
    return decoded


NO_CONTROL = r"^[^\x00-\x1f\x7f-\x9f]*$"  # no C0/C1 control character (the same regex in ECMA 262)
_NO_CONTROL = re.compile(NO_CONTROL)


def _answer(call: Callable[[], Any]) -> Response:
    """Domain errors map to 4xx; anything else is a bug, logged with its trace and answered as a
    plain 500 without details."""
    try:
        result = call()
    except errors.DomainError as exc:
        return error_response(exc)
    except Exception:  # noqa: BLE001 - the last line of defence
        logger.exception("unhandled error")
        return Response(body=json.dumps(INTERNAL_ERROR), status_code=500, headers=JSON_HEADERS)
    return result if isinstance(result, Response) else json_response(result)


def guarded(fn: Callable[..., Any] | None = None, *, check_path: bool = True) -> Callable[..., Any]:
    """Every public route answers our JSON. `check_path=False` for a route that answers a bad path
    parameter itself (the static files' plain 404). Staff routes use `staff_only` instead."""
    if fn is None:
        return functools.partial(guarded, check_path=check_path)

    @functools.wraps(fn)
    def view(**path):
        def call():
            return fn(**(_path_params(path) if check_path else path))

        return _answer(call)

    return view


def staff_only(blueprint) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The one way a /staff route is written: the caller is signed in first (401/403 before any
    400 about the path), then the path is checked, then the view runs with `who`, the Principal.
    `blueprint` is the route's Blueprint or app (its current request carries the token)."""

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def view(**path):
            def call():
                who = staff_principal(blueprint.current_request)
                return fn(who, **_path_params(path))

            return _answer(call)

        view.staff_only = True  # what tests/integration/test_staff_routes.py looks for
        return view

    return decorate


def json_body(request) -> Any:
    raw = request.raw_body or b""
    if len(raw) > MAX_BODY_BYTES:
        raise errors.InvalidInput("Permintaan terlalu besar", "Request body too large",
                                  {"body": f"maksimal / at most {MAX_BODY_BYTES} bytes"})
    if not raw.strip():
        raise errors.InvalidInput("Badan permintaan kosong", "Empty request body", {"body": "wajib / required"})
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise errors.InvalidInput("JSON tidak valid", "Malformed JSON", {"body": "JSON tidak valid / malformed JSON"}) from None


def access_code(request) -> str | None:
    """The reporter's proof, sent as a header (never in the URL, where logs and referrers keep it)."""
    return (request.headers or {}).get("x-access-code")


def client_address(request) -> str | None:
    """Who is asking, as API Gateway saw it: the per-client limits' subject."""
    return ((request.context or {}).get("identity") or {}).get("sourceIp")


def tracking_id(raw: str) -> str:
    value = normalise_tracking_id(raw)
    if value is None:
        raise errors.NotFound("Laporan tidak ditemukan", "Report not found")
    return value


PROVINCE_CODE = r"^\d{2}$"            # Kemendagri codes, as /regions lists them
REGENCY_CODE = r"^\d{2}\.\d{2}$"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)


def parse_date(name: str, value: str) -> dt.date:
    """YYYY-MM-DD and nothing else (the document's `format: date`)."""
    try:
        if _DATE.fullmatch(value):
            return dt.date.fromisoformat(value)
    except ValueError:
        pass
    raise errors.InvalidInput("Tanggal tidak valid", "Invalid date", {name: "format YYYY-MM-DD / use YYYY-MM-DD"})


def _invalid_param(name: str, what: str) -> errors.InvalidInput:
    return errors.InvalidInput("Parameter tidak valid", "Invalid query parameter", {name: what})


class Query:
    """Typed access to query-string parameters, each failure naming its parameter. A parameter
    given empty (`?status=`) is refused like any other value the document does not allow."""

    def __init__(self, params: dict[str, str] | None, allowed: set[str]):
        self.params = params or {}
        unknown = set(self.params) - allowed
        if unknown:
            raise errors.InvalidInput("Parameter tidak dikenal", "Unknown query parameter",
                                      {k: "tidak dikenal / unknown" for k in sorted(unknown)})

    def _get(self, name: str) -> str | None:
        value = self.params.get(name)
        if value == "":
            raise _invalid_param(name, "kosong / empty")
        return value

    def str(self, name: str, choices: tuple[str, ...] | None = None, max_len: int = 64,
            pattern: str | None = None) -> str | None:
        value = self._get(name)
        if value is None:
            return None
        if len(value) > max_len or (choices and value not in choices):
            raise _invalid_param(name, "nilai tidak dikenal / not an allowed value")
        if pattern and not re.fullmatch(pattern, value, re.ASCII):  # as the document's ECMA regex reads
            raise _invalid_param(name, "format tidak valid / wrong format")
        return value

    def int(self, name: str, default: int, lo: int, hi: int) -> int:
        value = self._get(name)
        if value is None:
            return default
        if not (value.isascii() and value.isdigit()) or not lo <= int(value) <= hi:
            raise _invalid_param(name, f"bilangan {lo}–{hi} / integer {lo}–{hi}")
        return int(value)

    def date(self, name: str) -> dt.date | None:
        value = self._get(name)
        return None if value is None else parse_date(name, value)

    def bool(self, name: str) -> bool | None:
        value = self._get(name)
        if value is None:
            return None
        if value not in ("true", "false"):
            raise _invalid_param(name, "true atau false / true or false")
        return value == "true"

    def region(self, name: str) -> str | None:
        """province_code or regency_code, in the Kemendagri format."""
        return self.str(name, max_len=8, pattern=PROVINCE_CODE if name == "province_code" else REGENCY_CODE)


def staff_principal(request):
    """The signed-in staff member of this request (401 without a valid token)."""
    from . import wiring
    from .adapters.auth import bearer_token

    return wiring.token_verifier().verify(bearer_token((request.headers or {}).get("authorization")))
