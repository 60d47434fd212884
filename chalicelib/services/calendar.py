"""The calendar and SLA policy in force, built from stored overrides.

Cached for a short while per Lambda container: overrides change a few times a year, and every
deadline records the calendar version it used, so a stale minute is visible, never silent."""
from __future__ import annotations

import datetime as dt
import time
from typing import Protocol

from ..domain.calendar import WorkingCalendar, indonesian_calendar
from ..domain.sla import DeadlineCalculator, SlaPolicy

CACHE_SECONDS = 60.0


class SettingsRepo(Protocol):
    def calendar_overrides(self) -> list[dict]: ...
    def sla_overrides(self, scope: str) -> dict[str, dict[str, int]]: ...


_cache: dict[str, tuple[float, object]] = {}


def invalidate() -> None:
    _cache.clear()


def _cached(key: str, build):
    hit = _cache.get(key)
    if hit and time.monotonic() - hit[0] < CACHE_SECONDS:
        return hit[1]
    value = build()
    _cache[key] = (time.monotonic(), value)
    return value


def current_calendar(settings: SettingsRepo) -> WorkingCalendar:
    def build() -> WorkingCalendar:
        rows = settings.calendar_overrides()
        return indonesian_calendar(
            extra_non_working=[dt.date.fromisoformat(r["date"]) for r in rows if not r["working"]],
            extra_working=[dt.date.fromisoformat(r["date"]) for r in rows if r["working"]],
        )

    return _cached("calendar", build)


def current_calculator(settings: SettingsRepo) -> DeadlineCalculator:
    policy = _cached("sla", lambda: SlaPolicy(
        agency_overrides=settings.sla_overrides("agency"),
        category_overrides=settings.sla_overrides("category"),
    ))
    return DeadlineCalculator(current_calendar(settings), policy)
