"""The e-mail parser alone: what is kept of a message's text, and that no bytes break it."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.adapters.email_inbound import Unusable, html_text, parse, strip_quoted

MAIL = Path(__file__).resolve().parent.parent / "fixtures" / "mail"
NOW = dt.datetime(2024, 12, 20, 3, 0, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize("text,kept", [
    ("Tiang 12.\n\nOn Fri, 20 Dec 2024 at 10:00, LAPOR <lapor@x.go.id> wrote:\n> Di mana?", "Tiang 12."),
    ("Tiang 12.\nOn Fri, 20 Dec 2024 at 10:00, LAPOR\n<lapor@x.go.id> wrote:\n> Di mana?", "Tiang 12."),
    ("Tiang 12.\nPada Jum, 20 Des 2024 pukul 13.05 LAPOR menulis:\n> Di mana?", "Tiang 12."),
    ("> kutipan\nTiang 12.\n> lagi", "Tiang 12."),
    ("Tiang 12.\n-- \nSiti\nWarga", "Tiang 12."),
    ("Tiang 12.\n-----Original Message-----\nFrom: LAPOR", "Tiang 12."),
    ("Pada dasarnya lampu mati.\nOn the corner of Jl. Halat.", "Pada dasarnya lampu mati.\nOn the corner of Jl. Halat."),
])
def test_quoted_history_and_signatures_are_cut_and_the_senders_words_kept(text, kept):
    assert strip_quoted(text) == kept


def test_an_html_only_message_reads_as_its_visible_text():
    assert html_text("<style>p{}</style><div>Lampu&nbsp;mati<br>Jl. Halat</div>").split() == ["Lampu", "mati", "Jl.",
                                                                                           "Halat"]


def test_the_sample_message_reads_as_the_sender_wrote_it():
    inbound = parse((MAIL / "new-report.eml").read_bytes(), "ses-1", "2024-12-20T02:59:41.000Z", NOW)
    assert (inbound.sender, inbound.name, inbound.subject) == (
        "siti.rahmawati@example.com", "Siti Rahmawati", "Medan: Lampu jalan mati di Jl. Sisingamangaraja")
    assert inbound.message_id == "CAJ8vTz4hQ1x2Rk7nW0pLmYb3sGfE5uD9cVa@mail.gmail.com"
    assert inbound.received_at == dt.datetime(2024, 12, 20, 2, 59, 41, tzinfo=dt.timezone.utc)
    assert inbound.text.endswith("Terima kasih.")


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["new-report.eml", "reply.eml"]), st.lists(
    st.tuples(st.floats(0, 1), st.binary(max_size=12)), max_size=12))
def test_no_bytes_break_the_parser_a_message_parses_or_is_unusable(name, edits):
    raw = bytearray((MAIL / name).read_bytes())
    for where, junk in edits:
        at = int(where * len(raw))
        raw[at:at + len(junk)] = junk
    try:
        parse(bytes(raw), "ses-1", None, NOW)
    except Unusable:
        pass
