"""wiring.RequestDirectory: each read once per request, and a write forgets what was read."""
from __future__ import annotations

from collections import Counter

from chalicelib.wiring import RequestDirectory


class CountingDirectory:
    """An in-memory directory that counts its reads."""

    def __init__(self):
        self.reads = Counter()
        self.names = {"pemkot-medan": "Pemerintah Kota Medan"}

    def agency(self, agency_id):
        self.reads["agency", agency_id] += 1
        return self.names.get(agency_id)

    def staff_with_role(self, role, scope):
        self.reads["staff_with_role", role, scope] += 1
        return [f"{role}@{scope}"]

    def put_agency(self, agency_id, name):
        self.names[agency_id] = name


def test_the_same_read_twice_reaches_the_directory_once():
    inner = CountingDirectory()
    seen = RequestDirectory(inner)
    assert seen.agency("pemkot-medan") == seen.agency("pemkot-medan") == "Pemerintah Kota Medan"
    assert seen.agency("pemkot-batam") is None and seen.agency("pemkot-batam") is None  # misses too
    seen.staff_with_role("agency_admin", "pemkot-medan")
    seen.staff_with_role("agency_admin", "pemkot-batam")
    assert inner.reads == Counter({("agency", "pemkot-medan"): 1, ("agency", "pemkot-batam"): 1,
                                   ("staff_with_role", "agency_admin", "pemkot-medan"): 1,
                                   ("staff_with_role", "agency_admin", "pemkot-batam"): 1})


def test_a_write_forgets_every_read_so_the_next_read_sees_it():
    inner = CountingDirectory()
    seen = RequestDirectory(inner)
    assert seen.agency("pemkot-medan") == "Pemerintah Kota Medan"
    seen.put_agency("pemkot-medan", "Pemko Medan")
    assert seen.agency("pemkot-medan") == "Pemko Medan"
    assert inner.reads["agency", "pemkot-medan"] == 2


def test_each_request_starts_with_nothing_read():
    inner = CountingDirectory()
    RequestDirectory(inner).agency("pemkot-medan")
    RequestDirectory(inner).agency("pemkot-medan")
    assert inner.reads["agency", "pemkot-medan"] == 2
