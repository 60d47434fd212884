"""Supporter rows (issue 14), table suffix "supporters": pk `tracking_id`, sk `key` = "c#<keyed hash
of a contact>" or "a#<keyed hash of a client address>" (domain/support.py). Everyone following a
report with a contact is one Query (`begins_with("c#")`, active ones); the raw contact is an
attribute, needed to send, never part of a key. Pending rows (a code not yet entered) expire."""
from __future__ import annotations

import datetime as dt
from typing import Iterable, Iterator

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist, PutError, UpdateError
from pynamodb.models import Model

from ..domain import support as rules
from .dynamo import condition_failed, iso, meta

PENDING_RETENTION = dt.timedelta(days=1)


class SupporterModel(Model):
    Meta = meta("supporters")

    tracking_id = UnicodeAttribute(hash_key=True)
    key = UnicodeAttribute(range_key=True)
    status = UnicodeAttribute()                 # pending | active | opted_out | unmerged
    via = UnicodeAttribute(default=rules.VIA_SUPPORT)
    channel = UnicodeAttribute(null=True)       # email | sms; none for an anonymous support
    contact = UnicodeAttribute(null=True)
    code_hash = UnicodeAttribute(null=True)
    code_expires_at = UnicodeAttribute(null=True)
    attempts = NumberAttribute(default=0)
    created_at = UnicodeAttribute()
    verified_at = UnicodeAttribute(null=True)
    expires_at = TTLAttribute(null=True)        # only pending rows expire


def counted_row(tracking_id: str, key: str, now: dt.datetime, channel: str | None = None,
                contact: str | None = None, via: str = rules.VIA_SUPPORT) -> SupporterModel:
    """An active row, as a report transaction writes it (ReportWrite extra)."""
    return SupporterModel(tracking_id, key, status=rules.ACTIVE, via=via, channel=channel, contact=contact,
                          attempts=0, created_at=iso(now), verified_at=iso(now))


class DynamoSupporters:
    def get(self, tracking_id: str, key: str) -> SupporterModel | None:
        try:
            return SupporterModel.get(tracking_id, key)
        except DoesNotExist:
            return None

    def find(self, tracking_ids: Iterable[str], key: str) -> SupporterModel | None:
        """The row of `key` on the first of these reports that has one (a report and its duplicates)."""
        for tid in tracking_ids:
            row = self.get(tid, key)
            if row is not None:
                return row
        return None

    def put_pending(self, tracking_id: str, key: str, channel: str, contact: str, code_hash: str,
                    now: dt.datetime) -> bool:
        """A new code for a contact not yet counted (a pending row is replaced: the newest code
        wins; so is a merged-away reporter's row); False when it counts already (verified meanwhile)."""
        row = SupporterModel(tracking_id, key, status=rules.PENDING, channel=channel, contact=contact,
                             code_hash=code_hash, code_expires_at=iso(now + rules.CODE_TTL), attempts=0,
                             created_at=iso(now), expires_at=now + PENDING_RETENTION)
        try:
            row.save(condition=SupporterModel.key.does_not_exist()
                     | SupporterModel.status.is_in(rules.PENDING, rules.UNMERGED))
            return True
        except PutError as exc:
            if condition_failed(exc):
                return False
            raise

    def count_wrong_code(self, row: SupporterModel) -> int:
        try:
            row.update(actions=[SupporterModel.attempts.add(1)], condition=SupporterModel.status == rules.PENDING)
        except UpdateError as exc:
            if not condition_failed(exc):
                raise
        return int(row.attempts or 0)

    def verified(self, row: SupporterModel, now: dt.datetime) -> tuple[SupporterModel, object]:
        """The row made active, and the condition its write in the report's transaction needs:
        still pending with this very code (a second verify of the same code loses)."""
        done = SupporterModel(row.tracking_id, row.key, status=rules.ACTIVE, via=row.via, channel=row.channel,
                              contact=row.contact, attempts=row.attempts, created_at=row.created_at,
                              verified_at=iso(now))
        return done, (SupporterModel.status == rules.PENDING) & (SupporterModel.code_hash == row.code_hash)

    def followers(self, tracking_ids: Iterable[str]) -> Iterator[SupporterModel]:
        """Active rows with a contact of each report: one Query per report."""
        for tid in tracking_ids:
            yield from SupporterModel.query(tid, SupporterModel.key.startswith(rules.CONTACT),
                                            filter_condition=SupporterModel.status == rules.ACTIVE)

    def rows(self, tracking_id: str) -> list[SupporterModel]:
        """Every row of a report, whatever its status: one Query (a merge reads both reports')."""
        return list(SupporterModel.query(tracking_id))

    def opt_out(self, tracking_id: str, key: str) -> bool:
        """One click: the row stops receiving; the person still counts as a supporter."""
        try:
            SupporterModel(tracking_id, key).update(
                actions=[SupporterModel.status.set(rules.OPTED_OUT)],
                condition=SupporterModel.status.is_in(rules.ACTIVE, rules.OPTED_OUT))
            return True
        except UpdateError as exc:
            if condition_failed(exc):
                return False
            raise
