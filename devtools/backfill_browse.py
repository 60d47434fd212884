"""One-off, after the stack update that adds issue 14's indexes: public reports written before it
lack the attributes those sparse indexes are keyed on (public_province, public_regency,
open_topic, supporter_count), so the public list, its feed and the duplicate suggestions would not
see them until their next change. This writes just those attributes, derived by the store's own
mapping (store.to_model), on every public report (read from the existing by_public_update index:
no Scan). The report's version is left alone and the write is conditional on it, so an officer
acting at the same moment never gets a 409 from it; a report changed meanwhile was rewritten by
that change anyway and is skipped. Running it twice changes nothing more.

    AWS_REGION=ap-southeast-3 TABLE_PREFIX=lapor-prod- .venv/bin/python -m devtools.backfill_browse
"""
from __future__ import annotations

import sys

ATTRIBUTES = ("public_province", "public_regency", "open_topic", "supporter_count")


def backfill() -> tuple[int, int]:
    """(reports written, reports skipped because they changed meanwhile)."""
    from chalicelib.adapters.store import PUBLIC_BUCKET, ReportModel, from_model, to_model

    connection = ReportModel._get_connection()
    written = skipped = 0
    for stored in ReportModel.by_public_update.query(PUBLIC_BUCKET, page_size=200):
        fresh = to_model(from_model(stored))
        actions = [getattr(ReportModel, a).set(getattr(fresh, a)) if getattr(fresh, a) is not None
                   else getattr(ReportModel, a).remove() for a in ATTRIBUTES]
        if write_keeping_version(connection, stored, actions):
            written += 1
        else:
            skipped += 1
    return written, skipped


def write_keeping_version(connection, stored, actions) -> bool:
    """Writes `actions` on the report as it was read, its version untouched (an officer's loaded
    copy stays current); False when it changed meanwhile (that change rewrote it already)."""
    from pynamodb.exceptions import UpdateError

    from chalicelib.adapters.dynamo import condition_failed
    from chalicelib.adapters.store import ReportModel

    try:
        connection.update_item(stored.tracking_id, actions=actions, condition=ReportModel.version == stored.version)
        return True
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
        return False


def main() -> int:
    written, skipped = backfill()
    print(f"{written} public reports written, {skipped} changed meanwhile (already current)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
