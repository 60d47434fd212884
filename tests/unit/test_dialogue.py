"""The WhatsApp guided dialogue's steps, as plain values: what each answer means, what is asked
next, when it files and when it is over."""
from __future__ import annotations

import datetime as dt

import pytest

from chalicelib.domain import dialogue as d

NOW = dt.datetime(2024, 12, 20, 3, 0, tzinfo=dt.timezone.utc)
LASTS = dt.timedelta(minutes=30)
REGIONS = {"MEDAN": "12.71", "KOTA MEDAN": "12.71", "KAB BLITAR": "35.05"}


def region_of(text: str) -> str | None:
    return REGIONS.get(" ".join(text.upper().split()))


def answer(state: d.Dialogue, text: str, media: tuple[str, ...] = (), at: dt.datetime = NOW, mid: str = "m") -> d.Turn:
    return d.advance(state, mid, text, media, at, LASTS, region_of)


def test_a_first_message_asks_the_kind_and_keeps_a_photo_sent_with_it():
    turn = d.start("m1", ("media-1",), NOW, LASTS)
    assert turn.answer == d.ASK_KIND and turn.filing is None
    assert turn.dialogue.step == d.KIND and turn.dialogue.media == ("media-1",)
    assert turn.dialogue.expires_at == NOW + LASTS and turn.dialogue.last_message_id == "m1"


@pytest.mark.parametrize("text,kind", [
    ("1", "complaint"), (" 2 ", "aspiration"), ("3", "information_request"), ("Pengaduan", "complaint"),
    ("aspirasi", "aspiration"), ("permintaan  informasi", "information_request"), ("Info", "information_request"),
    ("(1)", "complaint"),
])
def test_the_kind_is_a_number_or_its_name(text, kind):
    assert d.kind_of(text) == kind


@pytest.mark.parametrize("text", ["", "4", "12", "lapor", "satu"])
def test_anything_else_is_no_kind(text):
    assert d.kind_of(text) is None


def test_a_full_walk_files_the_kind_region_words_and_photos():
    turn = d.start("m1", (), NOW, LASTS)
    turn = answer(turn.dialogue, "2")
    assert turn.answer == d.ASK_REGION and turn.dialogue.kind == "aspiration"
    turn = answer(turn.dialogue, "Kota Medan", media=("p1",))
    assert turn.answer == d.ASK_WHAT and turn.dialogue.regency_code == "12.71"
    turn = answer(turn.dialogue, "  Taman kota perlu lampu penerangan  ", media=("p2",))
    assert turn.dialogue is None and turn.answer is None
    assert turn.filing == d.Filing("aspiration", "12.71", "Taman kota perlu lampu penerangan", ("p1", "p2"))


def test_a_wrong_answer_is_asked_again_and_the_step_stays():
    at_kind = d.start("m1", (), NOW, LASTS).dialogue
    turn = answer(at_kind, "tujuh")
    assert turn.answer == d.ASK_KIND_AGAIN and turn.dialogue.step == d.KIND
    at_region = answer(at_kind, "1").dialogue
    for unknown in ("Atlantis", "", "   "):
        turn = answer(at_region, unknown)
        assert turn.answer == d.ASK_REGION_AGAIN and turn.dialogue.step == d.REGION
    at_what = answer(at_region, "Medan").dialogue
    turn = answer(at_what, "rusak")
    assert turn.answer == d.ASK_WHAT_AGAIN and turn.dialogue.step == d.WHAT and turn.filing is None


@pytest.mark.parametrize("word", ["BATAL", "batal", " Batal. ", "cancel"])
def test_batal_ends_the_dialogue_at_any_step(word):
    state = d.start("m1", (), NOW, LASTS).dialogue
    for step_answer in ("1", "Medan"):
        turn = answer(state, word)
        assert turn == d.Turn(None, d.CANCELLED)
        state = answer(state, step_answer).dialogue


def test_each_turn_keeps_the_dialogue_alive_for_its_full_length_from_now():
    state = d.start("m1", (), NOW, LASTS).dialogue
    later = NOW + dt.timedelta(minutes=20)
    turn = answer(state, "1", at=later, mid="m2")
    assert turn.dialogue.expires_at == later + LASTS and turn.dialogue.last_message_id == "m2"


def test_a_dialogue_past_its_expiry_is_no_longer_current():
    state = d.start("m1", (), NOW, LASTS).dialogue
    assert d.current(state, NOW + LASTS - dt.timedelta(seconds=1)) == state
    assert d.current(state, NOW + LASTS) is None
    assert d.current(None, NOW) is None


def test_at_most_five_photos_are_kept():
    state = d.start("m1", ("a", "b", "c"), NOW, LASTS).dialogue
    turn = answer(state, "1", media=("d", "e", "f"))
    assert turn.dialogue.media == ("a", "b", "c", "d", "e")
