"""Abuse limits a government security review asks for: guesses of an access code, and public
submissions per client. Limits are settings, not code."""
from __future__ import annotations

import datetime as dt
import os

from ..domain.errors import TooManyAttempts

CODE_ATTEMPTS = int(os.environ.get("ACCESS_CODE_ATTEMPTS_PER_HOUR", "10"))
SUBMISSIONS = int(os.environ.get("SUBMISSIONS_PER_CLIENT_PER_HOUR", "30"))
HOUR = dt.timedelta(hours=1)


def refuse_if_locked(limiter, tracking_id: str, now: dt.datetime) -> None:
    """After too many wrong codes a report refuses every code for the rest of the hour, so
    guessing cannot go on until it happens to hit."""
    if limiter.count("code", tracking_id, HOUR, now) >= CODE_ATTEMPTS:
        raise TooManyAttempts("Terlalu banyak percobaan kode akses; coba lagi dalam satu jam",
                              "Too many access code attempts; try again within the hour")


def wrong_code(limiter, tracking_id: str, now: dt.datetime) -> None:
    limiter.hit("code", tracking_id, HOUR, now)


def count_submission(limiter, client: str | None, now: dt.datetime) -> None:
    if not client:
        return
    if limiter.hit("submit", client, HOUR, now) > SUBMISSIONS:
        raise TooManyAttempts("Terlalu banyak laporan dari perangkat ini; coba lagi nanti",
                              "Too many reports from this client; try again later")
