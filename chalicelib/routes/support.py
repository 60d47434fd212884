"""Support ("dukung", issue 14): a citizen supports a public report, anonymously or with a contact
confirmed by a one-time code, and stops its updates with one click. Parse, call, map."""
from __future__ import annotations

import html

from chalice import Blueprint, Response

from .. import wiring
from ..http import Query, client_address, guarded, json_body, json_response, tracking_id
from ..lazy import lazy_import

schemas = lazy_import("chalicelib.schemas")
support = lazy_import("chalicelib.services.support")  # its notifications and templates load on first use

bp = Blueprint(__name__)
OPT_OUT_PARAMS = {"token"}
TOKEN_PATTERN = r"^[0-9A-Z-]{9}\.[0-9a-f]{20}\.[0-9a-f]{16}$"  # domain.support.opt_out_token


def _contact(body) -> support.Contact | None:
    if body.email:
        return support.Contact("email", body.email)
    if body.phone:
        return support.Contact("sms", body.phone)
    return None


@bp.route("/reports/{tid}/supports", methods=["POST"])
@guarded
def support_report(tid):
    request = bp.current_request
    body = schemas.parse(schemas.SupportIn, json_body(request))
    deps = wiring.deps()
    answer, status = support.support(deps, deps.supporters, tracking_id(tid), _contact(body),
                                     client_address(request), wiring.now())
    return json_response(answer, status)


@bp.route("/reports/{tid}/supports/verify", methods=["POST"])
@guarded
def verify_support(tid):
    request = bp.current_request
    body = schemas.parse(schemas.SupportVerifyIn, json_body(request))
    deps = wiring.deps()
    answer, status = support.verify(deps, deps.supporters, tracking_id(tid), _contact(body), body.code, wiring.now())
    return json_response(answer, status)


_PAGE = """<!doctype html>
<html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Berhenti menerima kabar — LAPOR!</title></head>
<body><main>
<h1>Anda tidak akan menerima kabar laporan {tid} lagi.</h1>
<p>Dukungan Anda tetap terhitung. <a href="/track?id={tid}">Lihat laporan</a></p>
<p lang="en">You will no longer receive updates on report {tid}. Your support still counts.
<a href="/track?id={tid}">See the report</a></p>
</main></body></html>
"""


@bp.route("/supports/opt-out", methods=["GET"])
@guarded
def opt_out():
    """One click from a message: a page for a browser, JSON for anything else."""
    request = bp.current_request
    token = Query(request.query_params, OPT_OUT_PARAMS).str("token", max_len=64, pattern=TOKEN_PATTERN)
    if token is None:
        from ..domain.errors import InvalidInput

        raise InvalidInput("Token wajib diisi", "The token is required", {"token": "wajib / required"})
    answer = support.opt_out(wiring.supporters(), token)
    if "text/html" in ((request.headers or {}).get("accept") or ""):
        from .web import SECURITY_HEADERS

        page = _PAGE.format(tid=html.escape(answer["tracking_id"]))
        return Response(page, status_code=200, headers={
            **SECURITY_HEADERS, "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store",
            "Content-Security-Policy": "default-src 'none'; base-uri 'none'; form-action 'none'"})
    return answer
