"""The guided dialogue a WhatsApp sender is led through when they write something that is not a
command: kind (1 pengaduan / 2 aspirasi / 3 permintaan informasi), region (a city or regency),
what happened (words, optionally a photo) — then the report is filed. `BATAL` cancels at any step.

Plain Python: the state is a value, each answer gives the next state and what to say; storage,
the clock and the region lookup are the caller's. A dialogue left alone past its expiry is gone.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Callable

KIND, REGION, WHAT = "kind", "region", "what"
KINDS = {"1": "complaint", "2": "aspiration", "3": "information_request"}
KIND_WORDS = {
    "complaint": ("PENGADUAN", "ADUAN", "KELUHAN", "COMPLAINT"),
    "aspiration": ("ASPIRASI", "SARAN", "USUL", "ASPIRATION", "SUGGESTION"),
    "information_request": ("PERMINTAAN INFORMASI", "INFORMASI", "INFO", "INFORMATION", "INFORMATION REQUEST"),
}
CANCEL_WORDS = ("BATAL", "CANCEL", "STOP")
MIN_WHAT = 10  # what POST /reports asks of a description
MAX_MEDIA = 5  # a report's attachments (domain.attachments.MAX_PER_REPORT)

# What to say (a template name under chalicelib/templates) after each turn.
ASK_KIND, ASK_KIND_AGAIN = "whatsapp_ask_kind", "whatsapp_ask_kind_again"
ASK_REGION, ASK_REGION_AGAIN = "whatsapp_ask_region", "whatsapp_ask_region_again"
ASK_WHAT, ASK_WHAT_AGAIN = "whatsapp_ask_what", "whatsapp_ask_what_again"
CANCELLED = "whatsapp_cancelled"


@dataclass(frozen=True)
class Dialogue:
    step: str
    expires_at: dt.datetime
    kind: str | None = None
    regency_code: str | None = None
    media: tuple[str, ...] = ()
    last_message_id: str = ""  # the message that made this state: a repeated delivery is not a new turn
    last_answer: str = ""


@dataclass(frozen=True)
class Filing:
    kind: str
    regency_code: str
    text: str
    media: tuple[str, ...]


@dataclass(frozen=True)
class Turn:
    dialogue: Dialogue | None  # the state to keep; None: the dialogue ended (filed or cancelled)
    answer: str | None         # the template to answer with (None when filing: the filing answers)
    filing: Filing | None = None


def _words(text: str) -> str:
    return " ".join((text or "").upper().replace(".", " ").split())


def is_cancel(text: str) -> bool:
    return _words(text) in CANCEL_WORDS


def kind_of(text: str) -> str | None:
    words = _words(text).rstrip(")").lstrip("(")
    if words in KINDS:
        return KINDS[words]
    return next((kind for kind, spellings in KIND_WORDS.items() if words in spellings), None)


def current(dialogue: Dialogue | None, now: dt.datetime) -> Dialogue | None:
    """The dialogue still running at `now`, or None (never begun, finished, or expired)."""
    return dialogue if dialogue is not None and now < dialogue.expires_at else None


def start(message_id: str, media: tuple[str, ...], now: dt.datetime, lasts: dt.timedelta) -> Turn:
    """A first message that is no command: it opens the dialogue (a photo sent with it is kept)."""
    return Turn(Dialogue(KIND, now + lasts, media=media[:MAX_MEDIA], last_message_id=message_id,
                         last_answer=ASK_KIND), ASK_KIND)


def advance(dialogue: Dialogue, message_id: str, text: str, media: tuple[str, ...], now: dt.datetime,
            lasts: dt.timedelta, region_of: Callable[[str], str | None]) -> Turn:
    """One answer. `region_of` names the one regency a text means, or None (unknown, or shared
    by a city and a regency). Every turn keeps the dialogue alive for `lasts` more."""
    if is_cancel(text):
        return Turn(None, CANCELLED)
    kept = replace(dialogue, expires_at=now + lasts, last_message_id=message_id,
                   media=(dialogue.media + media)[:MAX_MEDIA])

    def ask(step: str, answer: str, **changes) -> Turn:
        return Turn(replace(kept, step=step, last_answer=answer, **changes), answer)

    if dialogue.step == KIND:
        kind = kind_of(text)
        return ask(REGION, ASK_REGION, kind=kind) if kind else ask(KIND, ASK_KIND_AGAIN)
    if dialogue.step == REGION:
        code = region_of(text) if text.strip() else None
        return ask(WHAT, ASK_WHAT, regency_code=code) if code else ask(REGION, ASK_REGION_AGAIN)
    words = " ".join(text.split())
    if len(words) < MIN_WHAT:
        return ask(WHAT, ASK_WHAT_AGAIN)
    return Turn(None, None, Filing(dialogue.kind or "complaint", dialogue.regency_code or "", text.strip(),
                                   kept.media))
