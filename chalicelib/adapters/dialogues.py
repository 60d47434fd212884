"""Where a WhatsApp sender's guided dialogue waits between messages: one row per sender in the
limits table (`dialogue#<channel>#<number key>`: a keyed hash, never the number), expired by
DynamoDB's TTL and, since TTL deletes late, also ignored once past its time (domain.dialogue)."""
from __future__ import annotations

import datetime as dt

from pynamodb.attributes import ListAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist
from pynamodb.models import Model

from ..domain.dialogue import Dialogue
from .dynamo import meta

# TTL deletes within days; the row is kept a little past its expiry only for that reason.
TTL_SLACK = dt.timedelta(hours=1)


class DialogueModel(Model):
    Meta = meta("limits")

    key = UnicodeAttribute(hash_key=True)  # "dialogue#<channel>#<number key>"
    step = UnicodeAttribute()
    kind = UnicodeAttribute(null=True)
    regency_code = UnicodeAttribute(null=True)
    media = ListAttribute(of=UnicodeAttribute, null=True)
    last_message_id = UnicodeAttribute(null=True)
    last_answer = UnicodeAttribute(null=True)
    until = UnicodeAttribute()  # the dialogue's expiry, exact; expires_at is only DynamoDB's cleanup
    expires_at = TTLAttribute(null=True)


def _key(channel: str, subject: str) -> str:
    return f"dialogue#{channel}#{subject}"


class DynamoDialogues:
    def __init__(self, channel: str = "whatsapp"):
        self.channel = channel

    def get(self, subject: str) -> Dialogue | None:
        try:
            row = DialogueModel.get(_key(self.channel, subject), consistent_read=True)
        except DoesNotExist:
            return None
        return Dialogue(row.step, dt.datetime.fromisoformat(row.until), row.kind, row.regency_code,
                        tuple(row.media or ()), row.last_message_id or "", row.last_answer or "")

    def put(self, subject: str, dialogue: Dialogue) -> None:
        DialogueModel(_key(self.channel, subject), step=dialogue.step, kind=dialogue.kind,
                      regency_code=dialogue.regency_code, media=list(dialogue.media) or None,
                      last_message_id=dialogue.last_message_id or None, last_answer=dialogue.last_answer or None,
                      until=dialogue.expires_at.isoformat(), expires_at=dialogue.expires_at + TTL_SLACK).save()

    def end(self, subject: str) -> None:
        DialogueModel(_key(self.channel, subject)).delete()
