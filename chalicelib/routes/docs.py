"""GET /openapi.json: the API's OpenAPI document, built on the first request and cached."""
from __future__ import annotations

from chalice import Blueprint

from ..http import guarded, json_response

bp = Blueprint(__name__)


@bp.route("/openapi.json", methods=["GET"])
@guarded
def openapi_document():
    from .. import openapi
    from .web import base_href

    server = base_href(bp.current_request.context).rstrip("/") or "/"
    return json_response(openapi.document(bp.current_app, server),
                         headers={"Cache-Control": "public, max-age=300"})
