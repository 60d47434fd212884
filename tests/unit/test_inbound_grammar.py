"""The SMS grammar: LAPOR [region] <text>, <tracking number> <text>, STATUS <tracking number>."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.adapters import regions
from chalicelib.adapters.sms_inbound import Unusable, parse, received_at
from chalicelib.services.inbound import File, NotUnderstood, Reply, StatusQuery, parse_command, region_words

KNOWN = region_words(regions.regions())
NOW = dt.datetime(2024, 12, 20, 3, 0, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize("text,command", [
    ("LAPOR MEDAN Lampu mati", File("Lampu mati", "12.71")),
    ("  lapor   kota   medan  Lampu   mati ", File("Lampu mati", "12.71")),
    ("Lapor Kab Pasaman Jalan rusak", File("Jalan rusak", "13.08")),
    ("LAPOR DELI SERDANG Banjir", File("Banjir", "12.07")),
    ("LAPOR BLITAR Lampu mati", File("Lampu mati", None)),  # a city and a regency: KOTA or KAB says which
    ("LAPOR Lampu mati", File("Lampu mati", None)),
    ("STATUS c0p7-rx82", StatusQuery("C0P7-RX82")),
    ("cek C0P7 RX82", StatusQuery("C0P7-RX82")),
    ("STATUS C0P7-RX82 tolong", NotUnderstood()),
    ("c0p7rx82 Sudah diperbaiki?", Reply("C0P7-RX82", "Sudah diperbaiki?")),
    ("C0P7 RX82   terima kasih", Reply("C0P7-RX82", "terima kasih")),
    ("halo", NotUnderstood()),
    ("", NotUnderstood()),
])
def test_the_grammar_reads_keywords_in_any_case_and_spacing(text, command):
    assert parse_command(text, KNOWN) == command


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_no_text_breaks_the_grammar(text):
    assert isinstance(parse_command(text, KNOWN), (File, Reply, StatusQuery, NotUnderstood))


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=200), st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(
        ["originationNumber", "inboundMessageId", "messageBody", "x"]), inner, max_size=4)).map(json.dumps)),
    st.one_of(st.none(), st.text(max_size=30), st.integers()))
def test_any_payload_parses_or_is_unusable(message, timestamp):
    try:
        inbound = parse(message, timestamp, NOW)
    except Unusable:
        return
    assert inbound.sender.startswith("+") and inbound.received_at <= NOW


def test_the_sns_timestamp_is_the_arrival_time_unless_implausible():
    assert received_at("2024-12-20T02:59:00.000Z", NOW) == NOW - dt.timedelta(minutes=1)
    assert received_at("2018-06-26T19:41:38.695Z", NOW) == NOW
    assert received_at("2024-12-21T00:00:00Z", NOW) == NOW
    assert received_at("garbage", NOW) == NOW
