"""Idempotent public intake: the same Idempotency-Key returns the first answer, never a
second report. Powertools idempotency with its DynamoDB persistence layer."""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable

from ..config import settings
from ..domain.errors import Conflict, InvalidInput

KEY_MAX = 128
EXPIRES_AFTER_SECONDS = 24 * 3600


@lru_cache(maxsize=1)
def _guarded_call():
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    store = DynamoDBPersistenceLayer(table_name=settings().table("idempotency"))
    config = IdempotencyConfig(
        event_key_jmespath="key",
        payload_validation_jmespath="body",
        expires_after_seconds=EXPIRES_AFTER_SECONDS,
        raise_on_no_idempotency_key=True,
    )

    @idempotent_function(data_keyword_argument="request", persistence_store=store, config=config,
                         key_prefix="submit_report")
    def call(request: dict, work: Callable[[], dict]) -> dict:
        return work()

    return config, call


def once(key: str, body: Any, work: Callable[[], dict], lambda_context=None) -> tuple[dict, bool]:
    """Runs `work` once per key; answers (result, replayed)."""
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )

    if not key or len(key) > KEY_MAX or not key.isprintable():
        raise InvalidInput("Idempotency-Key tidak valid", "Invalid Idempotency-Key",
                           {"Idempotency-Key": f"1–{KEY_MAX} karakter tercetak / printable characters"})
    config, call = _guarded_call()
    if lambda_context is not None and hasattr(lambda_context, "get_remaining_time_in_millis"):
        config.register_lambda_context(lambda_context)
    ran: list[bool] = []

    def tracked() -> dict:
        ran.append(True)
        return work()

    try:
        result = call(request={"key": key, "body": body}, work=tracked)
    except IdempotencyValidationError:
        raise InvalidInput("Idempotency-Key ini sudah dipakai untuk laporan lain",
                           "This Idempotency-Key was already used for a different report",
                           {"Idempotency-Key": "dipakai ulang / reused with another body"}) from None
    except IdempotencyAlreadyInProgressError:
        raise Conflict("Laporan yang sama sedang diproses, coba lagi sebentar",
                       "The same report is being processed, retry shortly") from None
    return result, not ran
