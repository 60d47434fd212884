"""One-off, after the stack update that adds retention's `by_erase_due` index: reports closed
before it carry no erase keys, and those archived before it no `closed_at`, so the retention job
would never see them (a completed one only at its next change). This gives every closed report
the `closed_at` of its last change of status (from its history, when the report has none) and the
erase keys the store's own mapping derives from it (store.to_model), reading the closed reports
from the by_status index (no Scan: one Query per closed status, one per report's history). The
report's version is left alone and the write is conditional on it, so an officer acting at the
same moment never gets a 409 from it; a report changed meanwhile was rewritten by that change and
is skipped. Running it twice changes nothing more.

    AWS_REGION=ap-southeast-3 TABLE_PREFIX=lapor-prod- .venv/bin/python -m devtools.backfill_retention
"""
from __future__ import annotations

import sys

from chalicelib.domain.lifecycle import CLOSED


def _closed_at(tracking_id: str, status: str):
    """When the report last moved into its closed status: its newest such event."""
    from chalicelib.adapters.store import EventModel, _event

    for m in EventModel.query(tracking_id, scan_index_forward=False):
        event = _event(m)
        if event.to_status == status and event.from_status != event.to_status:
            return event.at
    return None


def backfill() -> tuple[int, int]:
    """(closed reports written, reports skipped because they changed meanwhile)."""
    from chalicelib.adapters.dynamo import iso
    from chalicelib.adapters.store import ReportModel, from_model, to_model
    from devtools.backfill_browse import write_keeping_version

    connection = ReportModel._get_connection()
    written = skipped = 0
    for status in sorted(s.value for s in CLOSED):
        for stored in ReportModel.by_status.query(status, page_size=200):
            report = from_model(stored)
            if report.closed_at is None:
                report.closed_at = _closed_at(report.tracking_id, status)
            fresh = to_model(report)
            actions = [getattr(ReportModel, a).set(getattr(fresh, a)) if getattr(fresh, a) is not None
                       else getattr(ReportModel, a).remove() for a in ("erase_bucket", "erase_due_key")]
            if report.closed_at is not None:
                actions.append(ReportModel.body["closed_at"].set(iso(report.closed_at)))
            if write_keeping_version(connection, stored, actions):
                written += 1
            else:
                skipped += 1
    return written, skipped


def main() -> int:
    written, skipped = backfill()
    print(f"{written} closed reports written, {skipped} changed meanwhile (already current)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
