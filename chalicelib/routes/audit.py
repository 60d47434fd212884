"""The audit of identity reads, for the central admin: GET /staff/audit and its CSV export.
Parse, call, map."""
from __future__ import annotations

from chalice import Blueprint

from .. import wiring
from ..domain.errors import Unprocessable
from ..domain.ids import normalise_tracking_id
from ..http import Query, staff_only
from ..lazy import lazy_import

audit = lazy_import("chalicelib.services.audit")

bp = Blueprint(__name__)
staff = staff_only(bp)

AUDIT_PARAMS = {"report", "user", "from", "to", "limit", "cursor"}
USERNAME = r"^[A-Za-z0-9._@+-]{1,128}$"  # a Cognito username, as the staff directory spells them


def _report(q: Query) -> str | None:
    raw = q.str("report", max_len=16)
    tid = normalise_tracking_id(raw) if raw is not None else None
    if raw is not None and tid is None:  # the document's shape, but no tracking number can be spelt so
        raise Unprocessable("Nomor pelacakan tidak dikenal", "Unknown tracking number",
                            {"report": "bukan nomor pelacakan / not a tracking number"})
    return tid


def _filters(q: Query):
    return audit.AuditFilters(tracking_id=_report(q),
                              username=q.str("user", max_len=128, pattern=USERNAME),
                              date_from=q.date("from"), date_to=q.date("to"))


def _cursor(q: Query) -> str | None:
    from ..adapters.audit import AUDIT_CURSOR_PATTERN

    return q.str("cursor", max_len=64, pattern=AUDIT_CURSOR_PATTERN)


@bp.route("/staff/audit", methods=["GET"])
@staff
def list_identity_reads(who):
    q = Query(bp.current_request.query_params, AUDIT_PARAMS)
    return audit.list_reads(wiring.audit_log(), who, _filters(q), q.int("limit", 50, 1, 200), _cursor(q))


@bp.route("/staff/audit/export", methods=["GET"])
@staff
def export_identity_reads(who):
    from .statistics import _download

    q = Query(bp.current_request.query_params, AUDIT_PARAMS)
    limit = q.int("limit", audit.EXPORT_MAX_ROWS, 1, audit.EXPORT_MAX_ROWS)
    return _download(audit.export_reads(wiring.audit_log(), who, _filters(q), limit, _cursor(q), wiring.now()))
