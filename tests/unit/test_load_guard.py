"""bench/load.py only ever targets this machine, and its percentiles are the usual ones."""
from __future__ import annotations

import pytest

from bench.load import Budget, loopback_only, percentile


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000", "http://localhost:8000/", "http://127.0.0.5:1234",
                                 "http://[::1]:8000"])
def test_loopback_addresses_are_targets(url):
    assert loopback_only(url) == url.rstrip("/")


@pytest.mark.parametrize("url", ["http://10.0.0.5:8000", "https://lapor.go.id", "http://192.168.1.2",
                                 "http://127.0.0.1.evil.example", "http://0.0.0.0:8000", ""])
def test_anything_else_is_refused(url):
    with pytest.raises(SystemExit):
        loopback_only(url)


def test_percentiles_and_the_request_budget():
    values = [i / 1000 for i in range(1, 101)]
    assert (percentile(values, 50), percentile(values, 95), percentile(values, 99)) == (0.05, 0.095, 0.099)
    budget = Budget(2)
    assert [budget.take() for _ in range(3)] == [True, True, False]
