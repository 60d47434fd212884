"""Transactional outbox. Message rows are written in the same TransactWriteItems as the change
that caused them, sent right after the commit, marked sent, and retried by the sweep with backoff.
A failing SES or SNS call delays a message; it never loses one or undoes the change."""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Callable, Iterable

from aws_lambda_powertools import Logger
from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError, UpdateError
from pynamodb.models import Model

from .dynamo import condition_failed, index, iso, meta

logger = Logger(child=True)

PENDING = "pending"
MAX_ATTEMPTS = 8
LEASE = dt.timedelta(minutes=5)
SENT_RETENTION = dt.timedelta(days=90)
# A new row belongs to its writer, which sends it right after the commit; the sweep's retry pass
# takes it only once this grace has passed, so the two never race for a fresh message.
GRACE = dt.timedelta(minutes=1)


def backoff(attempts: int) -> dt.timedelta:
    """2, 4, 8 ... minutes, at most 4 hours."""
    return dt.timedelta(minutes=min(2 ** attempts, 240))


@dataclass(frozen=True)
class Message:
    dedup_key: str      # names the one occurrence this message is for; the same key is never sent twice
    channel: str        # email | sms | topic
    recipient: str      # e-mail address, E.164 phone number, or topic ARN
    text: str
    tracking_id: str | None = None
    subject: str | None = None
    html: str | None = None

    @property
    def id(self) -> str:
        return hashlib.sha256(self.dedup_key.encode()).hexdigest()[:32]


class OutboxModel(Model):
    Meta = meta("outbox")

    id = UnicodeAttribute(hash_key=True)
    dedup_key = UnicodeAttribute()
    channel = UnicodeAttribute()
    recipient = UnicodeAttribute()
    subject = UnicodeAttribute(null=True)
    text = UnicodeAttribute()
    html = UnicodeAttribute(null=True)
    tracking_id = UnicodeAttribute(null=True)
    status = UnicodeAttribute()            # pending | sent | failed
    attempts = NumberAttribute(default=0)
    created_at = UnicodeAttribute()
    next_attempt_at = UnicodeAttribute(null=True)
    pending = UnicodeAttribute(null=True)  # sparse index key: present only while unsent
    lease_until = UnicodeAttribute(null=True)
    sent_at = UnicodeAttribute(null=True)
    last_error = UnicodeAttribute(null=True)
    expires_at = TTLAttribute(null=True)  # sent rows go after SENT_RETENTION

    by_pending = index("by_pending", "pending", "next_attempt_at")


def row(message: Message, now: dt.datetime) -> OutboxModel:
    return OutboxModel(
        message.id, dedup_key=message.dedup_key, channel=message.channel, recipient=message.recipient,
        subject=message.subject, text=message.text, html=message.html, tracking_id=message.tracking_id,
        status=PENDING, attempts=0, created_at=iso(now), next_attempt_at=iso(now + GRACE), pending=PENDING,
    )


def add_to_transaction(txn, messages: Iterable[Message], now: dt.datetime) -> list[str]:
    """Each row only if absent: a dedup key already used fails the whole change loudly rather
    than sending twice."""
    ids = []
    for message in messages:
        txn.save(row(message, now), condition=OutboxModel.id.does_not_exist())
        ids.append(message.id)
    return ids


def put_alone(message: Message, now: dt.datetime) -> bool:
    """For messages with no report change (digests): written once per dedup key."""
    try:
        row(message, now).save(condition=OutboxModel.id.does_not_exist())
        return True
    except PutError as exc:
        if condition_failed(exc):
            return False
        raise


Sender = Callable[[OutboxModel], str | None]


def deliver(ids: Iterable[str], send: Sender, now: dt.datetime) -> dict[str, int]:
    """Sends the given pending rows: claim with a lease, send, mark. Each claim is a conditional
    write, so two senders never send one row twice while the lease holds."""
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    for message_id in ids:
        item = _claim(message_id, now)
        if item is None:
            counts["skipped"] += 1
            continue
        try:
            provider_id = send(item)
        except Exception as exc:  # noqa: BLE001 - any provider failure only delays the message
            _failed(item, now, exc)
            counts["failed"] += 1
            continue
        item.update(actions=[
            OutboxModel.status.set("sent"), OutboxModel.sent_at.set(iso(now)),
            OutboxModel.pending.remove(), OutboxModel.lease_until.remove(),
            OutboxModel.attempts.set(item.attempts + 1),
            OutboxModel.expires_at.set(now + SENT_RETENTION),
        ])
        logger.info("notification sent", extra={"message_id": item.id, "channel": item.channel,
                                                 "tracking_id": item.tracking_id, "provider_id": provider_id})
        counts["sent"] += 1
    return counts


def _claim(message_id: str, now: dt.datetime) -> OutboxModel | None:
    """The row, leased to this sender, in one conditional write that also returns it (no read
    first); None when it is gone, sent, given up or leased to another sender."""
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


def _error_name(exc: Exception) -> str:
    """The provider's error code, never its message: SES and SNS messages name the recipient."""
    response = getattr(exc, "response", None)  # botocore's ClientError
    code = response.get("Error", {}).get("Code") if isinstance(response, dict) else None
    return f"{type(exc).__name__}: {code}" if code else type(exc).__name__


def _failed(item: OutboxModel, now: dt.datetime, exc: Exception) -> None:
    attempts = item.attempts + 1
    error = _error_name(exc)
    if attempts >= MAX_ATTEMPTS:
        item.update(actions=[OutboxModel.status.set("failed"), OutboxModel.attempts.set(attempts),
                             OutboxModel.pending.remove(), OutboxModel.lease_until.remove(),
                             OutboxModel.last_error.set(error)])
        # Alarm-worthy: an operator must look (the metric filter in infra/ watches this line).
        logger.error("notification given up", extra={"message_id": item.id, "channel": item.channel,
                                                      "tracking_id": item.tracking_id, "attempts": attempts,
                                                      "error": error})
        return
    item.update(actions=[OutboxModel.attempts.set(attempts), OutboxModel.lease_until.remove(),
                         OutboxModel.next_attempt_at.set(iso(now + backoff(attempts))),
                         OutboxModel.last_error.set(error)])
    logger.warning("notification delayed", extra={"message_id": item.id, "channel": item.channel,
                                                  "attempts": attempts, "error": error})


def due_for_retry(now: dt.datetime, limit: int = 500) -> list[str]:
    return [m.id for m in OutboxModel.by_pending.query(PENDING, OutboxModel.next_attempt_at <= iso(now),
                                                       limit=limit)]


def backlog(now: dt.datetime) -> int:
    """Unsent messages older than a minute: the alarm metric."""
    return OutboxModel.by_pending.count(PENDING, OutboxModel.next_attempt_at <= iso(now))
