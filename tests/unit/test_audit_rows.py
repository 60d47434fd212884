"""The audit row's own rules (domain/audit.py): kept five calendar years, and the history line the
central admin reads, in Jakarta time."""
from __future__ import annotations

import datetime as dt

from chalicelib.domain.audit import IdentityRead, kept_until

UTC = dt.timezone.utc


def test_a_read_is_kept_five_calendar_years_and_29_february_keeps_to_28_february():
    assert kept_until(dt.datetime(2026, 12, 2, 3, 0, tzinfo=UTC)) == dt.datetime(2031, 12, 2, 3, 0, tzinfo=UTC)
    assert kept_until(dt.datetime(2028, 2, 29, 23, 0, tzinfo=UTC)) == dt.datetime(2033, 2, 28, 23, 0, tzinfo=UTC)


def test_the_history_line_names_who_which_route_and_when_in_wib():
    read = IdentityRead("C0P7-RX82", "admin.medan", "agency_admin", "GET /staff/reports/{tid}",
                        dt.datetime(2026, 12, 1, 20, 30, tzinfo=UTC), "0" * 32)
    assert read.history_message == ("identitas pelapor dilihat oleh admin.medan (GET /staff/reports/{tid}) "
                                    "2026-12-02 03:30 WIB")
    assert read.expires_at.year == 2031
