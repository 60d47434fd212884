"""Merging duplicates (issue 14): who may mark a report as the duplicate of another, from which
statuses, how many supporters the original gains, and the undo. Both reports change together
(services/support.py writes them in one transaction); these rules know nothing of storage."""
from __future__ import annotations

import datetime as dt
from typing import Iterable

from .access import in_scope
from .errors import InvalidTransition, Unprocessable
from .lifecycle import CLOSED, Action, guard
from .report import Report
from .roles import Principal


def _unknown_original() -> Unprocessable:
    # The same answer for an id never issued and one outside the caller's scope: nothing to probe.
    return Unprocessable("Laporan asal tidak ditemukan", "The original report was not found",
                         {"of": "tidak ditemukan / not found"})


def check_original(principal: Principal, duplicate: Report, original: Report | None) -> Report:
    """The report a duplicate may join: another one, in the caller's scope (an agency admin's
    own agency, like the duplicate), public and still open, and not itself merged away."""
    if original is None or not in_scope(principal, original):
        raise _unknown_original()
    if original.tracking_id == duplicate.tracking_id:
        raise Unprocessable("Laporan tidak dapat menjadi duplikat dirinya sendiri", "A report cannot duplicate itself",
                            {"of": "laporan yang sama / the same report"})
    if original.status in CLOSED or original.duplicate_of:
        raise InvalidTransition("Laporan asal sudah ditutup", "The original report is closed")
    if not original.is_public:
        raise Unprocessable("Laporan asal belum terbit atau rahasia: pengikutnya tidak dapat diberi kabar",
                            "The original is unpublished or confidential: its followers could not be told",
                            {"of": "belum terbit atau rahasia / unpublished or confidential"})
    return original


def people_added(original_keys: Iterable[str], people: Iterable[Iterable[str]]) -> int:
    """How many of the duplicate's people (its reporter and each supporter, each a set of contact
    keys) the original gains: one each, unless a key of theirs already supports the original or
    belongs to someone counted before them."""
    seen = set(original_keys)
    added = 0
    for keys in people:
        keys = set(keys)
        if keys and not keys & seen:
            added += 1
        seen |= keys
    return added


def mark_duplicate(principal: Principal, duplicate: Report, original: Report, added: int,
                   now: dt.datetime, calc, message: str | None = None) -> None:
    """The duplicate is archived (reason `duplicate`) and linked to the original, which gains
    `added` supporters (people_added) and the link back."""
    guard(duplicate.status, Action.MARK_DUPLICATE, principal.role)  # 403/409 before anything about `of`
    check_original(principal, duplicate, original)
    duplicate.apply(principal, Action.MARK_DUPLICATE, now, calc, original=original, added=added, message=message)
    original.link_duplicate(principal, duplicate, added, now)


def check_unmark(principal: Principal, duplicate: Report, original: Report | None) -> Report:
    guard(duplicate.status, Action.UNMARK_DUPLICATE, principal.role)
    if not duplicate.duplicate_of or duplicate.archive_reason != "duplicate":  # as Report's handler says
        raise InvalidTransition("Laporan ini bukan duplikat", "This report is not marked as a duplicate")
    if original is None or not in_scope(principal, original):
        raise _unknown_original()
    if original.status in CLOSED:
        raise InvalidTransition("Laporan asal sudah ditutup; penggabungan tidak dapat dibatalkan",
                                "The original report is closed; the merge can no longer be undone")
    return original


def unmark_duplicate(principal: Principal, duplicate: Report, original: Report, now: dt.datetime, calc) -> None:
    """While the original is open: the duplicate returns to the status it had, the original gives
    back the supporters it gained from it."""
    check_unmark(principal, duplicate, original)
    original.unlink_duplicate(principal, duplicate, now)
    duplicate.apply(principal, Action.UNMARK_DUPLICATE, now, calc, original=original)
