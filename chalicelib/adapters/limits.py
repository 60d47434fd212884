"""Fixed-window counters in DynamoDB: wrong access codes per report and per client, submissions
per client. One UpdateItem ADD per hit; items expire by TTL after their window."""
from __future__ import annotations

import datetime as dt

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist
from pynamodb.models import Model

from .dynamo import meta


class LimitModel(Model):
    Meta = meta("limits")

    key = UnicodeAttribute(hash_key=True)  # "<purpose>#<subject>#<window start>"
    hits = NumberAttribute(default=0)
    expires_at = TTLAttribute(null=True)


def _window_key(purpose: str, subject: str, window: dt.timedelta, now: dt.datetime) -> tuple[str, dt.datetime]:
    seconds = int(window.total_seconds())
    start = int(now.timestamp()) // seconds * seconds
    return f"{purpose}#{subject}#{start}", dt.datetime.fromtimestamp(start + seconds, dt.timezone.utc)


class DynamoLimiter:
    def hit(self, purpose: str, subject: str, window: dt.timedelta, now: dt.datetime) -> int:
        key, ends = _window_key(purpose, subject, window, now)
        item = LimitModel(key)
        item.update(actions=[LimitModel.hits.add(1), LimitModel.expires_at.set(ends + window)])
        return int(item.hits)
