"""The SMS a WhatsApp template message falls back to when Meta reports, after accepting it, that it
could not be delivered (a `statuses` callback with `"status": "failed"`: not a WhatsApp number,
blocked...). One row per sent template, `whatsapp-fallback#<wamid>` in the limits table, holding
the number and the SMS words (status notices: never an access code) until the message is
delivered or read (row deleted), fails (row taken once: one SMS), or FALLBACK_RETENTION passes."""
from __future__ import annotations

import datetime as dt

from pynamodb.attributes import TTLAttribute, UnicodeAttribute
from pynamodb.exceptions import DeleteError
from pynamodb.models import Model

from .dynamo import condition_failed, meta

FALLBACK_RETENTION = dt.timedelta(days=3)  # Meta reports a failure within minutes; TTL cleans up the rest


class WhatsAppFallbackModel(Model):
    Meta = meta("limits")

    key = UnicodeAttribute(hash_key=True)  # "whatsapp-fallback#<wamid>"
    recipient = UnicodeAttribute()
    text = UnicodeAttribute()
    dedup_key = UnicodeAttribute()
    tracking_id = UnicodeAttribute(null=True)
    expires_at = TTLAttribute(null=True)


def _key(wamid: str) -> str:
    return f"whatsapp-fallback#{wamid}"


class DynamoFallbacks:
    def remember(self, wamid: str, recipient: str, text: str, dedup_key: str, tracking_id: str | None,
                 now: dt.datetime) -> None:
        WhatsAppFallbackModel(_key(wamid), recipient=recipient, text=text, dedup_key=dedup_key,
                              tracking_id=tracking_id, expires_at=now + FALLBACK_RETENTION).save()

    def take(self, wamid: str) -> WhatsAppFallbackModel | None:
        """The row, deleted in the same call (so one failure report sends one SMS); None when absent."""
        try:
            answer = WhatsAppFallbackModel._get_connection().delete_item(
                _key(wamid), condition=WhatsAppFallbackModel.key.exists(), return_values="ALL_OLD")
        except DeleteError as exc:
            if condition_failed(exc):
                return None
            raise
        attributes = (answer or {}).get("Attributes")
        return WhatsAppFallbackModel.from_raw_data(attributes) if attributes else None

    def forget(self, wamid: str) -> None:
        WhatsAppFallbackModel(_key(wamid)).delete()

