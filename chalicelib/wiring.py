"""Adapters built lazily, once per container; the clock is here so tests can freeze it."""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Callable

from .adapters import regions as regions_module
from .services.reports import Deps


def _system_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


# Tests replace this with a frozen clock; nothing else reads the system time.
clock: Callable[[], dt.datetime] = _system_now


def now() -> dt.datetime:
    return clock()


@lru_cache(maxsize=1)
def directory():
    from .adapters.store import DynamoDirectory

    return DynamoDirectory()


@lru_cache(maxsize=1)
def settings_repo():
    from .adapters.store import DynamoSettings

    return DynamoSettings()


class RequestDirectory:
    """The directory as one request sees it: each agency, category, staff row or unit roster
    read at most once, however many parts of the request ask (the use case's reference check,
    its notifications, the view it answers with). Any write forgets what was read."""

    READS = frozenset({"agencies", "agency", "categories", "category", "staff", "staff_with_role", "assignments"})

    def __init__(self, inner):
        self._inner, self._read = inner, {}

    def __getattr__(self, name: str):
        method = getattr(self._inner, name)
        if name not in self.READS:
            self._read.clear()
            return method

        def read(*args):
            key = (name, args)
            if key not in self._read:
                self._read[key] = method(*args)
            return self._read[key]

        return read


def deps() -> Deps:
    """A request's use-case dependencies. The report repository's hooks, in order: the
    statistics counters and the notifications each change owes, both carried by its outbox row."""
    from .adapters.counters import CountersHook
    from .adapters.store import DynamoReports
    from .services.notifications import NotificationHook
    from .services.support import FollowerHook

    seen = RequestDirectory(directory())
    reports = DynamoReports([CountersHook(), NotificationHook(seen, now), FollowerHook(supporters(), seen)],
                            outbox=outbox(), clock=now)
    return Deps(reports=reports, directory=seen, settings=settings_repo(), regions=regions_module,
                limiter=limiter(), clock=now, outbox=reports.outbox, supporters=supporters())


@lru_cache(maxsize=1)
def supporters():
    from .adapters.supporters import DynamoSupporters

    return DynamoSupporters()


@lru_cache(maxsize=1)
def outbox():
    from .adapters import counters, notifier
    from .adapters.outbox import DynamoOutbox

    return DynamoOutbox(lambda message: notifier.send(message), counters.count)  # looked up per send (tests swap it)


@lru_cache(maxsize=1)
def limiter():
    from .adapters.limits import DynamoLimiter

    return DynamoLimiter()


@lru_cache(maxsize=1)
def audit_log():
    from .adapters.audit import DynamoAuditLog

    return DynamoAuditLog()


_verifier = None


def token_verifier():
    global _verifier
    if _verifier is None:
        from .adapters.auth import verifier_from_settings

        _verifier = verifier_from_settings()
    return _verifier


def use_token_verifier(verifier) -> None:
    """Tests verify against moto's published keys instead of fetching them."""
    global _verifier
    _verifier = verifier
