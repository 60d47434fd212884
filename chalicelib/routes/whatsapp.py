"""The WhatsApp Business Cloud API webhook (README, "WhatsApp"): Meta's verification handshake and
its signed event deliveries. Anything signed is answered 200 — a message not understood gets a
format answer on WhatsApp, not a refusal Meta would retry; an unsigned or wrongly signed request
is 401 and nothing of its body is read or logged."""
from __future__ import annotations

from aws_lambda_powertools import Logger
from chalice import Blueprint, Response

from ..domain.errors import Forbidden, Unauthenticated
from ..http import guarded
from ..lazy import lazy_import

whatsapp = lazy_import("chalicelib.adapters.whatsapp")

bp = Blueprint(__name__)
logger = Logger(child=True)

PATH = "/inbound/whatsapp"


@bp.route(PATH, methods=["GET"])
@guarded
def whatsapp_verify():
    answer = whatsapp.challenge(bp.current_request.query_params)
    if answer is None:
        logger.warning("whatsapp verification refused")
        raise Forbidden("Token verifikasi salah", "Wrong verify token", {"hub.verify_token": "salah / wrong"})
    return Response(body=answer, status_code=200, headers={"Content-Type": "text/plain; charset=utf-8",
                                                           "Cache-Control": "no-store"})


@bp.route(PATH, methods=["POST"])
@guarded
def whatsapp_webhook():
    request = bp.current_request
    try:
        counts = whatsapp.handle(request.raw_body or b"", (request.headers or {}).get(whatsapp.SIGNATURE_HEADER))
    except whatsapp.Unsigned:
        logger.warning("whatsapp webhook refused", extra={"reason": "signature"})
        raise Unauthenticated("Tanda tangan X-Hub-Signature-256 tidak ada atau salah",
                              "Missing or wrong X-Hub-Signature-256 signature",
                              {"X-Hub-Signature-256": "sha256=<HMAC-SHA256 badan permintaan / of the body>"}) from None
    return {"received": counts}
