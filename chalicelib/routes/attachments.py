"""Attachment routes: presigned uploads for the reporter, short-lived links for readers."""
from __future__ import annotations

from functools import lru_cache

from chalice import Blueprint

from chalicelib import wiring
from chalicelib.http import access_code, client_address, guarded, json_body, json_response, staff_only, tracking_id
from chalicelib.lazy import lazy_import

attachments = lazy_import("chalicelib.services.attachments")
schemas = lazy_import("chalicelib.schemas")

bp = Blueprint(__name__)


@lru_cache(maxsize=1)
def files() -> attachments.Files:
    return attachments.default_files()


def _attachment_id(raw: str) -> str:
    if len(raw) != 32 or any(ch not in "0123456789abcdef" for ch in raw):
        from chalicelib.domain.errors import NotFound

        raise NotFound("Lampiran tidak ditemukan", "Attachment not found")
    return raw


@bp.route("/reports/{tid}/attachments", methods=["POST"])
@guarded
def request_upload(tid):
    request = bp.current_request
    body = schemas.parse(schemas.UploadIn, json_body(request))
    answer = attachments.request_upload(wiring.deps(), files(), tracking_id(tid), access_code(request), body.filename,
                                        body.content_type, body.size, wiring.now(), client_address(request))
    return json_response(answer, 201)


@bp.route("/reports/{tid}/attachments/{aid}/complete", methods=["POST"])
@guarded
def complete_upload(tid, aid):
    request = bp.current_request
    return attachments.complete_upload(wiring.deps(), files(), tracking_id(tid), _attachment_id(aid),
                                       access_code(request), wiring.now(), client_address(request))


@bp.route("/reports/{tid}/attachments", methods=["GET"])
@guarded
def public_attachments(tid):
    request = bp.current_request
    return {"attachments": attachments.public_list(wiring.deps(), files(), tracking_id(tid), access_code(request),
                                                   client_address(request))}


@bp.route("/staff/reports/{tid}/attachments", methods=["GET"])
@staff_only(bp)
def staff_attachments(who, tid):
    return {"attachments": attachments.staff_list(wiring.deps(), files(), who, tracking_id(tid))}
