"""WhatsApp through the one intake (services/inbound.receive): commands work as on SMS; anything
else leads the sender through the guided dialogue (domain/dialogue.py), whose last answer files
the report through the same path as `LAPOR …` — same checks and limits, its marker committed with
the report, so one message id files once. Photos the sender sent are kept as the report's
attachments, under the attachment rules."""
from __future__ import annotations

import datetime as dt
import hashlib
from typing import Callable, Protocol

from aws_lambda_powertools import Logger

from ..domain import dialogue as steps
from ..domain.errors import DomainError
from .inbound import (
    MAX_REGION_WORDS,
    File,
    Inbound,
    Markers,
    NotUnderstood,
    Outcome,
    Reply,
    StatusQuery,
    file_report,
    finish,
    known_regions,
    leading_region,
    own_report,
    receive,
)
from .reports import Deps

logger = Logger(child=True)

REGION_PUNCTUATION = ".,:;-!?\"'()"


class Dialogues(Protocol):
    def get(self, subject: str) -> steps.Dialogue | None: ...
    def put(self, subject: str, dialogue: steps.Dialogue) -> None: ...
    def end(self, subject: str) -> None: ...


def region_of(deps: Deps) -> Callable[[str], str | None]:
    """The one regency a text names by its leading words (`Medan`, `Kota Medan, Sumut`), else None."""
    known = known_regions(deps.regions)

    def lookup(text: str) -> str | None:
        words = [w.strip(REGION_PUNCTUATION) for w in text.split()[:MAX_REGION_WORDS]]
        code, _used = leading_region([w for w in words if w], known)
        return code

    return lookup


class GuidedDialogue:
    """inbound.Conversation for WhatsApp. `filed_media`: the media ids of the report this message
    filed (the dialogue's photos and the message's own), for the caller to keep."""

    def __init__(self, dialogues: Dialogues, lasts: dt.timedelta):
        self.dialogues, self.lasts = dialogues, lasts
        self.filed_media: tuple[str, ...] = ()

    def take(self, deps: Deps, markers: Markers, message: Inbound, command, subject: str,
             now: dt.datetime) -> Outcome | None:
        running = steps.current(self.dialogues.get(subject), now)
        if running is None:
            if isinstance(command, Reply) and own_report(deps, message, command.tracking_id) is None:
                # "Halo lagi" reads as a tracking number: what is not the sender's report opens the
                # dialogue (a stranger learns no more than from the answer to an unknown number).
                command = NotUnderstood()
            if isinstance(command, File) and command.regency_code is None and not command.text.strip():
                command = NotUnderstood()  # a bare "LAPOR": the dialogue asks what the command would need
            if not isinstance(command, NotUnderstood) or steps.is_cancel(message.text):
                return None  # a command, as on SMS (and BATAL with nothing to cancel: the format answer)
            turn = steps.start(message.message_id, message.media, now, self.lasts)
        elif isinstance(command, (File, StatusQuery)):
            return None  # LAPOR … and STATUS … still work in the middle of a dialogue
        elif running.last_message_id == message.message_id:
            # Delivered again after its state was kept: the same answer (sent once), no new turn.
            return finish(deps, markers, message, now, Outcome("asked", running.last_answer or None))
        else:
            turn = steps.advance(running, message.message_id, message.text, message.media, now, self.lasts,
                                 region_of(deps))
        if turn.filing is not None:
            filing = turn.filing
            outcome = file_report(deps, markers, message, File(filing.text, filing.regency_code, kind=filing.kind),
                                  subject, now)
            if outcome.kind == "filed":
                self.filed_media = filing.media
            self.dialogues.end(subject)
            return outcome
        if turn.dialogue is None:
            self.dialogues.end(subject)
            return finish(deps, markers, message, now, Outcome("cancelled", turn.answer))
        self.dialogues.put(subject, turn.dialogue)
        return finish(deps, markers, message, now, Outcome("asked", turn.answer))


class MediaSource(Protocol):
    def __call__(self, media_id: str, at_most: int) -> bytes: ...


def attachment_id(channel: str, media_id: str) -> str:
    """One attachment per received file, however often it is delivered."""
    return hashlib.sha256(f"{channel}#{media_id}".encode()).hexdigest()[:32]


def keep_media(files, fetch: MediaSource, tracking_id: str, media_ids: tuple[str, ...], now: dt.datetime) -> int:
    """The sender's photos as the report's attachments; one that cannot be fetched or is refused
    by the attachment rules is logged and left out (the report stands without it)."""
    from ..domain.attachments import EXTENSIONS, MAX_BYTES
    from .attachments import check_received, keep_received

    kept = 0
    for number, media_id in enumerate(dict.fromkeys(media_ids), 1):
        try:
            data = fetch(media_id, MAX_BYTES)
            _, kind, cleaned = check_received("", data[:MAX_BYTES + 1])
            keep_received(files, tracking_id, attachment_id("whatsapp", media_id),
                          f"whatsapp-{number}.{EXTENSIONS[kind]}", kind, cleaned, now)
            kept += 1
        except DomainError as exc:
            logger.warning("whatsapp media refused", extra={"tracking_id": tracking_id, "error": exc.code})
        except Exception as exc:  # noqa: BLE001 - a provider outage loses a photo, never the report
            logger.warning("whatsapp media not fetched", extra={"tracking_id": tracking_id,
                                                                "error": type(exc).__name__})
    return kept


def receive_whatsapp(deps: Deps, markers: Markers, dialogues: Dialogues, files, fetch: MediaSource,
                     message: Inbound, now: dt.datetime, lasts: dt.timedelta) -> Outcome:
    conversation = GuidedDialogue(dialogues, lasts)
    outcome = receive(deps, markers, message, now, conversation=conversation)
    if outcome.kind == "filed" and outcome.tracking_id:
        media = conversation.filed_media or message.media
        if media:
            keep_media(files, fetch, outcome.tracking_id, media, now)
    return outcome


class Fallbacks(Protocol):
    def take(self, wamid: str): ...


def fall_back(outbox, fallbacks: Fallbacks, wamid: str, now: dt.datetime) -> bool:
    """Meta could not deliver a template it had accepted: its words go once as SMS (the row is
    taken by the first failure report; a repeated report finds none)."""
    from ..domain.messages import Message

    row = fallbacks.take(wamid)
    if row is None:
        return False
    sms = Message(f"{row.dedup_key}|sms-fallback", "sms", row.recipient, row.text, row.tracking_id)
    outbox.put_alone(sms, now)
    outbox.deliver([sms.id], now)
    return True
