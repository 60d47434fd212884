"""What a report change owes beyond the report itself: messages to people and counter deltas.
Both ride in the change's outbox row (written with the report) and are applied once after."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Message:
    dedup_key: str      # names the one occurrence this message is for; the same key is never sent twice
    channel: str        # email | sms | whatsapp | topic
    recipient: str      # e-mail address, E.164 phone number, or topic ARN
    text: str           # whatsapp: the text sent, or the SMS fallback of a template message
    tracking_id: str | None = None
    subject: str | None = None
    html: str | None = None
    # e-mail: who a reply to it comes from, "reporter" or a staff username (its signed Reply-To)
    reply_as: str | None = None
    template: str | None = None  # whatsapp only: JSON {name, language, parameters} of a Meta template

    @property
    def id(self) -> str:
        return hashlib.sha256(self.dedup_key.encode()).hexdigest()[:32]


@dataclass
class Change:
    """The effects of one committed report version. `counters` maps (scope, key) to the metric
    deltas to ADD; `messages` are written as outbox rows (each once per dedup key) and sent."""

    tracking_id: str
    version: int
    counters: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)
    messages: list[Message] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"change#{self.tracking_id}#{self.version}"

    def __bool__(self) -> bool:
        return bool(self.counters or self.messages)
