"""Transactional outbox, in one table.

- A change row (`change#<tracking_id>#<version>`) is written in the same TransactWriteItems as
  the report change that caused it, whatever that change owes: counter deltas and messages. So
  the report's own transaction stays a handful of items however many admins are told or counters
  move (DynamoDB allows 100 per transaction), and it never touches the busy national and
  provincial counter items that every change in the month shares.
- Right after the commit the change is applied: counter ADDs and message rows, in transactions of
  at most 100 items, each also moving the change row's `applied` marker under a condition, so a
  part is applied exactly once however often (or however concurrently) it is tried. A message row
  is written only if its dedup key has none: one row per occurrence, whoever wrote it first. What
  fails is retried by the sweep from the row.
- Message rows are then sent, marked sent, and retried by the sweep with capped backoff for
  RETRY_FOR; a provider's permanent refusal (a bad address) ends a message at once. Both endings
  are logged as errors and counted in the NotificationsUndeliverable metric (an alarm in infra/).

Delivery is at least once: a message is sent, then marked sent; a crash between the two sends it
again on retry. The dedup key makes everything before the send exactly once (one row per
occurrence, one claim at a time).
"""
from __future__ import annotations

import base64
import datetime as dt
import json
import random
import time
import zlib
from typing import Callable, Iterable, Iterator

from aws_lambda_powertools import Logger
from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from ..domain.messages import Change, Message
from .dynamo import CONDITION_FAILED, cancellation_codes, condition_failed, index, iso, meta, transaction_conflict

logger = Logger(child=True)

PENDING = "pending"        # a message row waiting to be sent
CHANGE_PENDING = "change"  # a change row not yet fully applied
LEASE = dt.timedelta(minutes=5)
SENT_RETENTION = dt.timedelta(days=90)
APPLIED_RETENTION = dt.timedelta(days=7)
# Transient failures (throttling, an SES outage, an SMS spend limit) are retried for three days.
RETRY_FOR = dt.timedelta(hours=72)
BACKOFF_CAP = dt.timedelta(hours=1)
# A new row belongs to its writer, which sends or applies it right after the commit; the sweep's
# retry pass takes it only once this grace has passed, so the two never race for a fresh row.
GRACE = dt.timedelta(minutes=1)
MAX_TRANSACTION_ITEMS = 100
CONFLICT_RETRIES = 4
# Provider answers that no retry can change: the address or number itself is refused.
PERMANENT_ERRORS = frozenset({
    "InvalidParameterValue", "InvalidParameter", "EndpointDisabled", "OptedOut", "UnknownChannel",
})


def backoff(attempts: int) -> dt.timedelta:
    """2, 4, 8 ... minutes, at most an hour between tries."""
    return min(dt.timedelta(minutes=2 ** min(attempts, 10)), BACKOFF_CAP)


class OutboxModel(Model):
    Meta = meta("outbox")

    id = UnicodeAttribute(hash_key=True)
    dedup_key = UnicodeAttribute()
    channel = UnicodeAttribute()
    recipient = UnicodeAttribute()
    subject = UnicodeAttribute(null=True)
    text = UnicodeAttribute()
    html = UnicodeAttribute(null=True)
    template = UnicodeAttribute(null=True)  # whatsapp: a Meta template message (domain.messages.Message)
    tracking_id = UnicodeAttribute(null=True)
    reply_as = UnicodeAttribute(null=True)  # e-mail: whose signed reply address it carries
    status = UnicodeAttribute()            # pending | sent | failed (gave up) | refused (permanent)
    attempts = NumberAttribute(default=0)
    created_at = UnicodeAttribute()
    next_attempt_at = UnicodeAttribute(null=True)
    pending = UnicodeAttribute(null=True)  # sparse index key: present only while unsent
    lease_until = UnicodeAttribute(null=True)
    sent_at = UnicodeAttribute(null=True)
    last_error = UnicodeAttribute(null=True)
    expires_at = TTLAttribute(null=True)  # sent rows go after SENT_RETENTION

    by_pending = index("by_pending", "pending", "next_attempt_at")


class ChangeModel(Model):
    """Same table, other rows: one committed report change and what it still owes."""

    Meta = meta("outbox")

    id = UnicodeAttribute(hash_key=True)
    tracking_id = UnicodeAttribute()
    payload = UnicodeAttribute()           # base64 of zlib'd JSON: counters and messages
    parts = NumberAttribute()              # transactions the change is applied in
    applied = NumberAttribute(default=0)   # parts applied so far, in order
    created_at = UnicodeAttribute()
    next_attempt_at = UnicodeAttribute(null=True)
    pending = UnicodeAttribute(null=True)  # CHANGE_PENDING until every part is applied
    attempts = NumberAttribute(default=0)
    last_error = UnicodeAttribute(null=True)
    expires_at = TTLAttribute(null=True)

    by_pending = index("by_pending", "pending", "next_attempt_at")


# ---- the change row ---------------------------------------------------------------------------------
Effect = tuple  # ("count", scope, key, metrics) | ("message", Message)


def _effects(change: Change) -> list[Effect]:
    return [*(("count", s, k, m) for (s, k), m in sorted(change.counters.items())),
            *(("message", m) for m in change.messages)]


def _parts(effects: list[Effect]) -> list[list[Effect]]:
    """Each part leaves one item of its transaction for the change row's marker."""
    size = MAX_TRANSACTION_ITEMS - 1
    return [effects[i:i + size] for i in range(0, len(effects), size)]


def _encode(change: Change) -> str:
    data = {"counters": [[s, k, m] for (s, k), m in sorted(change.counters.items())],
            "messages": [vars(m) for m in change.messages]}
    return base64.b64encode(zlib.compress(json.dumps(data, separators=(",", ":")).encode(), 6)).decode()


def _decode(m: ChangeModel) -> Change:
    data = json.loads(zlib.decompress(base64.b64decode(m.payload)))
    version = int(m.id.rsplit("#", 1)[1])
    return Change(m.tracking_id, version, {(s, k): metrics for s, k, metrics in data["counters"]},
                  [Message(**d) for d in data["messages"]])


def change_row(change: Change, now: dt.datetime) -> ChangeModel:
    """The row a report transaction saves (only if absent: one row per committed version)."""
    return ChangeModel(change.id, tracking_id=change.tracking_id, payload=_encode(change),
                       parts=len(_parts(_effects(change))), applied=0, created_at=iso(now),
                       next_attempt_at=iso(now + GRACE), pending=CHANGE_PENDING, attempts=0)


class DynamoOutbox:
    """What the use cases see of the outbox (through Deps): apply a committed change, send,
    retry. `send` is the provider adapter; `count` adds a counter delta to a transaction."""

    def __init__(self, send: Callable[["OutboxModel"], str | None], count: Callable[..., None]):
        self.send, self.count = send, count

    # -- applying a change ---------------------------------------------------------------------------
    def apply(self, change: Change, now: dt.datetime, applied: int = 0) -> dict[str, int]:
        """Applies the parts not yet applied, then sends the change's messages."""
        parts = _parts(_effects(change))
        for number in range(applied, len(parts)):
            self._apply_part(change.id, number, len(parts), parts[number], now)
        return self.deliver([m.id for m in change.messages], now)

    def _apply_part(self, change_id: str, number: int, total: int, effects: list[Effect], now: dt.datetime) -> None:
        """One transaction: the part's message rows (puts, each only if its dedup key has no row
        yet), the change row's marker and the counter ADDs. A message row that exists already was
        written by an earlier try: it is left as it is and the part tried again without it."""
        marker = [ChangeModel.applied.set(number + 1)]
        if number + 1 == total:
            marker += [ChangeModel.pending.remove(), ChangeModel.expires_at.set(now + APPLIED_RETENTION)]
        messages = [e[1] for e in effects if e[0] == "message"]
        counts = [e[1:] for e in effects if e[0] == "count"]
        conflicts = 0
        while True:
            try:
                with TransactWrite(connection=ChangeModel._get_connection().connection) as txn:
                    for message in messages:  # puts go first in the request, in this order
                        txn.save(_row(message, now), condition=OutboxModel.id.does_not_exist())
                    txn.update(ChangeModel(change_id), actions=marker, condition=ChangeModel.applied == number)
                    for count in counts:
                        self.count(txn, *count)
                return
            except TransactWriteError as exc:
                codes = cancellation_codes(exc)
                if codes[len(messages):len(messages) + 1] == [CONDITION_FAILED]:
                    return  # applied already (by the writer or another sweep): exactly once
                written = {i for i, code in enumerate(codes[:len(messages)]) if code == CONDITION_FAILED}
                if written:
                    messages = [m for i, m in enumerate(messages) if i not in written]
                    continue
                conflicts += 1
                if not transaction_conflict(exc) or conflicts == CONFLICT_RETRIES:
                    raise
                time.sleep(random.uniform(0.02, 0.1) * 2 ** conflicts)  # busy counter items: jitter, again

    def pending_changes(self, now: dt.datetime, limit: int = 200) -> Iterator[ChangeModel]:
        return ChangeModel.by_pending.query(CHANGE_PENDING, ChangeModel.next_attempt_at <= iso(now), limit=limit)

    def retry_change(self, row: ChangeModel, now: dt.datetime) -> bool:
        """The sweep's second try of a change its writer could not finish; False leaves it for later."""
        try:
            self.apply(_decode(row), now, int(row.applied))
            return True
        except Exception as exc:  # noqa: BLE001 - logged and retried with backoff, never dropped
            attempts = int(row.attempts) + 1
            row.update(actions=[ChangeModel.attempts.set(attempts), ChangeModel.last_error.set(_error_name(exc)),
                                ChangeModel.next_attempt_at.set(iso(now + backoff(attempts)))])
            logger.error("change not applied", extra={"change_id": row.id, "tracking_id": row.tracking_id,
                                                      "attempts": attempts, "error": _error_name(exc)})
            return False

    # -- messages --------------------------------------------------------------------------------------
    def put_alone(self, message: Message, now: dt.datetime) -> bool:
        """For messages with no report change (digests): written once per dedup key."""
        try:
            _row(message, now).save(condition=OutboxModel.id.does_not_exist())
            return True
        except PutError as exc:
            if condition_failed(exc):
                return False
            raise

    def deliver(self, ids: Iterable[str], now: dt.datetime) -> dict[str, int]:
        """Sends the given pending rows: claim with a lease, send, mark. `now` is the run's one
        clock: leases are taken and compared with it alone."""
        counts = {"sent": 0, "failed": 0, "skipped": 0}
        for message_id in ids:
            item = _claim(message_id, now)
            if item is None:
                counts["skipped"] += 1
                continue
            try:
                provider_id = self.send(item)
            except Exception as exc:  # noqa: BLE001 - any provider failure only delays the message
                _failed(item, now, exc)
                counts["failed"] += 1
                continue
            item.update(actions=[
                OutboxModel.status.set("sent"), OutboxModel.sent_at.set(iso(now)),
                OutboxModel.pending.remove(), OutboxModel.lease_until.remove(),
                OutboxModel.attempts.set(item.attempts + 1),
                OutboxModel.expires_at.set(now + SENT_RETENTION),
                # Once sent, the words are the recipient's: what stays is who, when and which
                # occurrence (the dedup key), never a name, a message or an access code.
                OutboxModel.text.set(""), OutboxModel.html.remove(), OutboxModel.subject.remove(),
                OutboxModel.template.remove(),
            ])
            logger.info("notification sent", extra={"message_id": item.id, "channel": item.channel,
                                                     "tracking_id": item.tracking_id, "provider_id": provider_id})
            counts["sent"] += 1
        return counts

    def due_for_retry(self, now: dt.datetime, limit: int = 500) -> list[str]:
        return [m.id for m in OutboxModel.by_pending.query(PENDING, OutboxModel.next_attempt_at <= iso(now),
                                                           limit=limit)]

    def backlog(self, now: dt.datetime) -> int:
        """Unsent messages and unapplied changes past their time: the alarm metric."""
        return sum(OutboxModel.by_pending.count(key, OutboxModel.next_attempt_at <= iso(now))
                   for key in (PENDING, CHANGE_PENDING))


def _row(message: Message, now: dt.datetime) -> OutboxModel:
    return OutboxModel(
        message.id, dedup_key=message.dedup_key, channel=message.channel, recipient=message.recipient,
        subject=message.subject, text=message.text, html=message.html, template=message.template,
        tracking_id=message.tracking_id, reply_as=message.reply_as,
        status=PENDING, attempts=0, created_at=iso(now), next_attempt_at=iso(now + GRACE), pending=PENDING,
    )


def _count_undeliverable() -> None:
    from aws_lambda_powertools.metrics import MetricUnit, single_metric

    with single_metric(name="NotificationsUndeliverable", unit=MetricUnit.Count, value=1, namespace="Lapor") as metric:
        metric.add_dimension(name="service", value="lapor")


def _claim(message_id: str, now: dt.datetime) -> OutboxModel | None:
    """The row, leased to this sender, in one conditional write that also returns it (no read
    first); None when it is gone, sent, ended or leased to another sender."""
    item = OutboxModel(message_id)
    try:
        item.update(
            actions=[OutboxModel.lease_until.set(iso(now + LEASE))],
            condition=(OutboxModel.status == PENDING)
            & (OutboxModel.lease_until.does_not_exist() | (OutboxModel.lease_until < iso(now))),
        )
        return item
    except UpdateError as exc:
        if condition_failed(exc):
            return None
        raise


def _error_code(exc: Exception) -> str | None:
    response = getattr(exc, "response", None)  # botocore's ClientError
    return response.get("Error", {}).get("Code") if isinstance(response, dict) else None


def _error_name(exc: Exception) -> str:
    """The provider's error code, never its message: SES and SNS messages name the recipient."""
    code = _error_code(exc)
    return f"{type(exc).__name__}: {code}" if code else type(exc).__name__


def _failed(item: OutboxModel, now: dt.datetime, exc: Exception) -> None:
    attempts = item.attempts + 1
    error = _error_name(exc)
    permanent = _error_code(exc) in PERMANENT_ERRORS or isinstance(exc, ValueError)
    expired = now >= dt.datetime.fromisoformat(item.created_at) + RETRY_FOR
    if permanent or expired:
        status = "refused" if permanent else "failed"
        item.update(actions=[OutboxModel.status.set(status), OutboxModel.attempts.set(attempts),
                             OutboxModel.pending.remove(), OutboxModel.lease_until.remove(),
                             OutboxModel.last_error.set(error)])
        # Alarm-worthy: an operator must look (the NotificationsUndeliverable alarm in infra/).
        logger.error("notification refused" if permanent else "notification given up",
                     extra={"message_id": item.id, "channel": item.channel, "tracking_id": item.tracking_id,
                            "attempts": attempts, "error": error})
        _count_undeliverable()
        return
    item.update(actions=[OutboxModel.attempts.set(attempts), OutboxModel.lease_until.remove(),
                         OutboxModel.next_attempt_at.set(iso(now + backoff(attempts))),
                         OutboxModel.last_error.set(error)])
    logger.warning("notification delayed", extra={"message_id": item.id, "channel": item.channel,
                                                  "attempts": attempts, "error": error})
