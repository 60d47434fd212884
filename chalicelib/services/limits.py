"""Abuse limits a government security review asks for: guesses of an access code, and public
submissions per client. Limits are settings (config.py), not code."""
from __future__ import annotations

import datetime as dt

from ..config import settings
from ..domain.errors import TooManyAttempts
from ..domain.ids import access_code_matches, seal_access_code

CODE_ATTEMPTS = settings().access_code_attempts_per_report
CLIENT_CODE_ATTEMPTS = settings().access_code_attempts_per_client
SUBMISSIONS = settings().submissions_per_client_per_hour
RECOVERIES = settings().access_code_recoveries_per_report  # lost-code recoveries per report a day
CLIENT_RECOVERIES = settings().access_code_recoveries_per_client  # ... per client an hour
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


def seal(code: str) -> str:
    """What a report stores for a new access code: keyed and salted (domain.ids)."""
    return seal_access_code(code, settings().access_code_key)


def check_access_code(limiter, tracking_id: str, stored: str | None, code: str, client: str | None,
                      now: dt.datetime) -> bool:
    """True for the right code whatever the counters say, so no stranger can lock a reporter out.
    A wrong code counts against the report and the client; past either limit it answers 429 (the
    report's counter stops guessing spread over many clients, the client's one guessing over many
    reports). An unknown id counts the same, so the answers never tell it from a wrong code."""
    if access_code_matches(code, stored, settings().access_code_key):
        return True
    if _over_either(limiter, "code", tracking_id, HOUR, CODE_ATTEMPTS, client, CLIENT_CODE_ATTEMPTS, now):
        raise TooManyAttempts("Terlalu banyak kode akses salah; coba lagi dalam satu jam",
                              "Too many wrong access codes; try again within the hour")
    return False


def _over_either(limiter, purpose: str, tracking_id: str, window: dt.timedelta, limit: int, client: str | None,
                 client_limit: int, now: dt.datetime) -> bool:
    """One counter per report (over `window`) and one per client (an hour), both hit every time."""
    over = limiter.hit(purpose, tracking_id, window, now) > limit
    if client:
        over = limiter.hit(f"{purpose}-client", client, HOUR, now) > client_limit or over
    return over


def count_submission(limiter, client: str | None, now: dt.datetime) -> None:
    if not client:
        return
    if limiter.hit("submit", client, HOUR, now) > SUBMISSIONS:
        raise TooManyAttempts("Terlalu banyak laporan dari perangkat ini; coba lagi nanti",
                              "Too many reports from this client; try again later")


def count_recovery(limiter, tracking_id: str, client: str | None, now: dt.datetime) -> None:
    """Lost-code recoveries per report a day (each revokes the code in use, so a stranger who
    knows a tracking number could otherwise keep replacing it) and per client an hour. Counted
    whether or not the report exists, so a 429 says nothing about it either."""
    if _over_either(limiter, "recover", tracking_id, DAY, RECOVERIES, client, CLIENT_RECOVERIES, now):
        raise TooManyAttempts("Terlalu banyak permintaan kode akses baru; coba lagi nanti",
                              "Too many requests for a new access code; try again later")
