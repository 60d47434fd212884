"""Signed reply addresses and the reporter's decision words: plain functions, no I/O."""
from __future__ import annotations

import pytest

from chalicelib.domain.reply_address import ReplyTo, read_reply_address, reply_address
from chalicelib.services.inbound import reporter_decision
from chalicelib.services.reports import ReporterReply

KEY, OTHER_KEY = b"k" * 32, b"x" * 32
DOMAIN = "lapor.example.go.id"


@pytest.mark.parametrize("username", [None, "penghubung.dishub.medan", "a", "x" * 40])
def test_an_address_names_its_report_and_reader_and_fits_a_local_part(username):
    address = reply_address(KEY, DOMAIN, "C0P7-RX82", username)
    local = address.split("@")[0]
    assert len(local) <= 64 and local.startswith("r+") and address.endswith("@" + DOMAIN)
    assert read_reply_address(KEY, address) == ReplyTo("C0P7-RX82", username)
    assert read_reply_address(KEY, address.upper()) == ReplyTo("C0P7-RX82", username)  # servers may change case


def test_a_changed_character_another_key_or_another_reader_is_nobody():
    address = reply_address(KEY, DOMAIN, "C0P7-RX82", "penghubung.dishub.medan")
    local, _, domain = address.partition("@")
    for i in range(2, len(local)):
        swapped = local[:i] + ("b" if local[i] != "b" else "c") + local[i + 1:]
        assert read_reply_address(KEY, f"{swapped}@{domain}") is None
    assert read_reply_address(OTHER_KEY, address) is None
    reporter = reply_address(KEY, DOMAIN, "C0P7-RX82").split("@")[0]
    assert read_reply_address(KEY, f"{reporter}.admin.pusat@{DOMAIN}") is None  # a reader appended by hand


@pytest.mark.parametrize("address", ["", "lapor@" + DOMAIN, "r+@" + DOMAIN, "r+c0p7rx82@" + DOMAIN, "r+" + "a" * 70])
def test_what_is_not_a_reply_address_is_nobody(address):
    assert read_reply_address(KEY, address) is None


def test_a_username_an_address_cannot_carry_gets_no_signed_address():
    assert reply_address(KEY, DOMAIN, "C0P7-RX82", "Budi@Dinas") is None
    assert reply_address(KEY, DOMAIN, "C0P7-RX82", "x" * 41) is None
    assert reply_address(KEY, "", "C0P7-RX82") is None


@pytest.mark.parametrize("text,decision", [
    ("TERIMA 5", ReporterReply(accept=True, rating=5)),
    ("terima 4 Lampu sudah menyala", ReporterReply(accept=True, rating=4, message="Lampu sudah menyala")),
    ("Setuju, 3/5", None),
    ("SETUJU 3/5", ReporterReply(accept=True, rating=3)),
    ("ACCEPT (5)", ReporterReply(accept=True, rating=5)),
    ("TERIMA", ReporterReply(accept=True)),
    ("TERIMA kasih pak", ReporterReply(accept=True, message="kasih pak")),
    ("TOLAK Lampu masih mati", ReporterReply(accept=False, message="Lampu masih mati")),
    ("reject", ReporterReply(accept=False)),
    ("Lampu masih mati", ReporterReply(message="Lampu masih mati")),
])
def test_the_reporters_decision_words_in_indonesian_and_english(text, decision):
    got = reporter_decision(text)
    if decision is None:  # "Setuju," with a comma is still the word SETUJU; the rating is not "3/5" then
        assert got.accept is True
    else:
        assert got == decision
