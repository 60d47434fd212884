"""Tracking numbers people read over the phone, and access codes compared without leaking."""
from __future__ import annotations

import re

import pytest

from chalicelib.domain.ids import (
    ALPHABET, access_code_matches, hash_access_code, new_access_code, new_tracking_id, normalise_tracking_id,
    seal_access_code,
)

KEY = b"k" * 32

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
FORMAT = re.compile(rf"^[{CROCKFORD}]{{4}}-[{CROCKFORD}]{{4}}$")


def test_the_alphabet_is_crockford_base32_without_confusable_letters():
    assert ALPHABET == CROCKFORD and len(set(ALPHABET)) == 32
    assert not set("ILOU") & set(ALPHABET)


def test_a_tracking_id_is_two_groups_of_four_crockford_symbols():
    for _ in range(300):
        assert FORMAT.match(new_tracking_id())


def test_tracking_ids_are_not_sequential():
    ids = [new_tracking_id() for _ in range(500)]
    assert len(set(ids)) == len(ids)
    assert ids != sorted(ids)
    # Consecutive ids share no long prefix: nothing counts up.
    shared = sum(a[:4] == b[:4] for a, b in zip(ids, ids[1:]))
    assert shared < 5
    # Every symbol shows up in every position sooner or later: the ids are spread, not clustered.
    assert all(len({i[pos] for i in ids}) > 20 for pos in (0, 3, 5, 8))


@pytest.mark.parametrize("typed,expected", [
    ("AB12-CD34", "AB12-CD34"),
    ("ab12-cd34", "AB12-CD34"),
    ("ab12cd34", "AB12-CD34"),
    (" AB12 CD34 ", "AB12-CD34"),
    ("ab12 - cd34", "AB12-CD34"),
    ("AB1O-CD34", "AB10-CD34"),    # O is 0
    ("ABo2-CD34", "AB02-CD34"),
    ("ABI2-CD34", "AB12-CD34"),    # I is 1
    ("ABl2-cdL4", "AB12-CD14"),    # l and L are 1
], ids=lambda v: repr(v))
def test_normalise_accepts_what_people_type(typed, expected):
    assert normalise_tracking_id(typed) == expected


@pytest.mark.parametrize("typed", [
    "", "AB12-CD3", "AB12-CD345", "AB12CD3", "AB12-CDU4", "AB12_CD34", "AB12-CD3!", "ÀB12-CD34", None,
], ids=lambda v: repr(v))
def test_normalise_refuses_what_cannot_be_a_tracking_id(typed):
    assert normalise_tracking_id(typed) is None


def test_normalise_is_idempotent_on_generated_ids():
    for _ in range(50):
        tid = new_tracking_id()
        assert normalise_tracking_id(tid) == tid == normalise_tracking_id(tid.lower().replace("-", ""))


def test_an_access_code_is_ten_crockford_symbols_and_differs_each_time():
    codes = {new_access_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == 10 and set(c) <= set(CROCKFORD) for c in codes)


def test_the_right_access_code_matches_however_it_is_typed():
    code = new_access_code()
    stored = seal_access_code(code, KEY)
    assert access_code_matches(code, stored, KEY)
    assert access_code_matches(f"  {code.lower()} ", stored, KEY)


def test_a_wrong_or_missing_access_code_does_not_match():
    stored = seal_access_code("ABCDEFGH12", KEY)
    assert not access_code_matches("ABCDEFGH13", stored, KEY)
    assert not access_code_matches("", stored, KEY)
    assert not access_code_matches(None, stored, KEY)
    assert not access_code_matches("ABCDEFGH12", None, KEY)  # no such report


def test_a_code_sealed_under_another_key_does_not_match():
    assert not access_code_matches("ABCDEFGH12", seal_access_code("ABCDEFGH12", b"x" * 32), KEY)


def test_a_code_is_stored_keyed_and_salted_so_equal_codes_look_different():
    first, second = seal_access_code("ABCDEFGH12", KEY), seal_access_code("ABCDEFGH12", KEY)
    assert first != second
    for stored in (first, second):
        assert "ABCDEFGH12" not in stored and re.fullmatch(r"hmac-sha256\$[0-9a-f]{32}\$[0-9a-f]{64}", stored)
        assert stored.rsplit("$", 1)[1] != hash_access_code("ABCDEFGH12")


def test_codes_stored_in_the_first_unsalted_form_still_match():
    legacy = hash_access_code("ABCDEFGH12")
    assert re.fullmatch(r"[0-9a-f]{64}", legacy)
    assert access_code_matches("abcdefgh12", legacy, KEY)
    assert not access_code_matches("ABCDEFGH13", legacy, KEY)


@pytest.mark.parametrize("stored", ["hmac-sha256$zz$00", "hmac-sha256$", "", "x"])
def test_a_damaged_stored_value_matches_nothing(stored):
    assert not access_code_matches("ABCDEFGH12", stored, KEY)
