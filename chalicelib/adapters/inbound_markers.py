"""Which inbound messages (SMS, later e-mail and WhatsApp) were already taken in: one row per
provider message id, `inbound#<channel>#<message id>`, in the limits table (same key and expiry
attributes as its counters). A message that changes a report writes its row in that report's
transaction, so the change and the marker commit together or not at all; any other message's row
is a conditional put after its answer. Rows expire after MARKER_RETENTION, far longer than any
provider retries a delivery."""
from __future__ import annotations

import datetime as dt
from typing import Callable

from pynamodb.attributes import TTLAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist, PutError
from pynamodb.models import Model

from .dynamo import condition_failed, iso, meta

MARKER_RETENTION = dt.timedelta(days=14)


class InboundMarkerModel(Model):
    Meta = meta("limits")

    key = UnicodeAttribute(hash_key=True)  # "inbound#<channel>#<provider message id>"
    outcome = UnicodeAttribute(null=True)
    tracking_id = UnicodeAttribute(null=True)
    received_at = UnicodeAttribute(null=True)
    expires_at = TTLAttribute(null=True)


def _key(channel: str, message_id: str) -> str:
    return f"inbound#{channel}#{message_id}"


def _row(channel: str, message_id: str, now: dt.datetime, outcome: str, tracking_id: str | None = None):
    return InboundMarkerModel(_key(channel, message_id), outcome=outcome, tracking_id=tracking_id,
                              received_at=iso(now), expires_at=now + MARKER_RETENTION)


class DynamoInboundMarkers:
    def seen(self, channel: str, message_id: str) -> str | None:
        """The outcome recorded for this message, or None when it is new."""
        try:
            return InboundMarkerModel.get(_key(channel, message_id), consistent_read=True).outcome or ""
        except DoesNotExist:
            return None

    def hook(self, channel: str, message_id: str, now: dt.datetime) -> Callable:
        """A report-transaction hook: the marker is written with the change, only if absent."""

        def hook(write) -> None:
            outcome = "filed" if write.before is None else "replied"
            write.save(_row(channel, message_id, now, outcome, write.after.tracking_id),
                       condition=InboundMarkerModel.key.does_not_exist())

        return hook

    def put(self, channel: str, message_id: str, now: dt.datetime, outcome: str) -> bool:
        """False when the message was marked already."""
        try:
            _row(channel, message_id, now, outcome).save(condition=InboundMarkerModel.key.does_not_exist())
            return True
        except PutError as exc:
            if condition_failed(exc):
                return False
            raise
