"""Idempotent public intake: the same Idempotency-Key returns the first answer, never a
second report. Powertools idempotency with its DynamoDB persistence layer.

The stored answer carries the new report's access code, so it is kept sealed: AES-GCM under a key
derived from the server key and the client's Idempotency-Key, which Powertools stores only hashed.
A copy of the table alone opens nothing; the client that replays its key gets the same code back."""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache
from typing import Any, Callable

from ..config import settings
from ..domain.errors import Conflict, InvalidInput, Unprocessable

KEY_MAX = 128
EXPIRES_AFTER_SECONDS = 24 * 3600
SECRET_FIELD, SEALED_FIELD = "access_code", "access_code_sealed"
NONCE_BYTES = 12


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
        return seal_answer(work(), key)

    try:
        result = open_answer(call(request={"key": key, "body": body}, work=tracked), key)
    except IdempotencyValidationError:
        # 422, as the IETF Idempotency-Key draft answers a key reused with another payload
        raise Unprocessable("Idempotency-Key ini sudah dipakai untuk laporan lain",
                            "This Idempotency-Key was already used for a different report",
                            {"Idempotency-Key": "dipakai ulang / reused with another body"}) from None
    except IdempotencyAlreadyInProgressError:
        raise Conflict("Laporan yang sama sedang diproses, coba lagi sebentar",
                       "The same report is being processed, retry shortly") from None
    return result, not ran


def _cipher(idempotency_key: str):
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    secret = hmac.new(settings().access_code_key, b"idempotency-answer\x00" + idempotency_key.encode(),
                      hashlib.sha256).digest()
    return AESGCM(secret)


def seal_answer(answer: dict, idempotency_key: str) -> dict:
    """The answer as Powertools may store it: the access code replaced by its ciphertext."""
    if SECRET_FIELD not in answer:
        return answer
    nonce = os.urandom(NONCE_BYTES)
    box = _cipher(idempotency_key).encrypt(nonce, answer[SECRET_FIELD].encode(), SECRET_FIELD.encode())
    return _swap(answer, SECRET_FIELD, SEALED_FIELD, base64.urlsafe_b64encode(nonce + box).decode())


def open_answer(stored: dict, idempotency_key: str) -> dict:
    """The answer the client gets, first time and on replay. Records written before sealing
    carry the code in clear and expire within a day: they pass through."""
    if SEALED_FIELD not in stored:
        return stored
    raw = base64.urlsafe_b64decode(stored[SEALED_FIELD])
    code = _cipher(idempotency_key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], SECRET_FIELD.encode())
    return _swap(stored, SEALED_FIELD, SECRET_FIELD, code.decode())


def _swap(answer: dict, old: str, new: str, value: str) -> dict:
    """The field renamed in place, so the client sees the answer's fields in their usual order."""
    return {(new if k == old else k): (value if k == old else v) for k, v in answer.items()}
