"""The reporter's own data (UU PDP): a lost access code, and access, correction and erasure with
the code. Parse, call services/reporter_rights.py, map."""
from __future__ import annotations

import time

from chalice import Blueprint

from chalicelib import wiring
from chalicelib.http import access_code, client_address, guarded, json_body, json_response, tracking_id
from chalicelib.lazy import lazy_import

rights = lazy_import("chalicelib.services.reporter_rights")
schemas = lazy_import("chalicelib.schemas")

bp = Blueprint(__name__)
MAX_TRACKING_ID = 64  # the document's maxLength for {tid} (openapi.TID)


def _files():
    from chalicelib.routes.attachments import files

    return files()


@bp.route("/reports/{tid}/access-code/recover", methods=["POST"])
@guarded
def recover_access_code(tid):
    """202 and the same body for any tracking number, after at least RECOVERY_ANSWER_SECONDS."""
    started = time.monotonic()
    if len(tid) > MAX_TRACKING_ID:  # what the document refuses; no tracking number is that long
        from chalicelib.domain.errors import InvalidInput

        raise InvalidInput("Nomor laporan tidak valid", "Invalid tracking number",
                           {"tid": f"maksimal {MAX_TRACKING_ID} karakter / at most {MAX_TRACKING_ID} characters"})
    request = bp.current_request
    rights.recover_access_code(wiring.deps(), tid, client_address(request), wiring.now())
    time.sleep(max(0.0, rights.RECOVERY_ANSWER_SECONDS - (time.monotonic() - started)))
    return json_response(rights.RECOVERY_ANSWER, 202)


@bp.route("/reports/{tid}/my-data", methods=["GET"])
@guarded
def my_data(tid):
    request = bp.current_request
    return rights.my_data(wiring.deps(), _files(), tracking_id(tid), access_code(request), wiring.now(),
                          client_address(request))


@bp.route("/reports/{tid}/my-data/contact", methods=["PUT"])
@guarded
def correct_contact(tid):
    request = bp.current_request
    body = schemas.parse(schemas.ContactIn, json_body(request))
    return rights.correct_contact(wiring.deps(), tracking_id(tid), access_code(request), body.email, body.phone,
                                  wiring.now(), client_address(request))


@bp.route("/reports/{tid}/my-data", methods=["DELETE"])
@guarded
def erase_my_data(tid):
    request = bp.current_request
    return rights.erase_my_data(wiring.deps(), _files(), tracking_id(tid), access_code(request), wiring.now(),
                                client_address(request))
