"""The one DynamoDB layer every adapter builds on: table metadata, index declaration, time keys
and the reading of DynamoDB's errors by their codes (never by message text).

The registry of table-backed models is `adapters/tables.py`, which imports the adapters; this
module imports none of them, so every adapter may import it."""
from __future__ import annotations

import datetime as dt

from pynamodb.exceptions import PynamoDBException
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from ..config import settings
from ..domain.calendar import utc_iso as iso  # noqa: F401  (the stored form of a moment)

CONDITION_FAILED = "ConditionalCheckFailed"
TRANSACTION_CONFLICT = "TransactionConflict"
CONDITION_FAILED_EXCEPTION = "ConditionalCheckFailedException"


def meta(name: str) -> type:
    """A model's Meta: table names from settings at import (the environment is fixed for a
    Lambda's life), on-demand billing."""
    s = settings()
    return type("Meta", (), {"table_name": s.table(name), "region": s.region, "billing_mode": "PAY_PER_REQUEST"})


def index(name: str, hash_attr: str, range_attr: str = "received_key", numeric_range: bool = False) -> GlobalSecondaryIndex:
    """A GSI keyed by `hash_attr`, sorted by `range_attr` (a string, or a number), all attributes projected."""
    from pynamodb.attributes import NumberAttribute, UnicodeAttribute

    class Meta:
        index_name = name
        projection = AllProjection()

    attrs = {
        "Meta": Meta,
        hash_attr: UnicodeAttribute(hash_key=True),
        range_attr: NumberAttribute(range_key=True) if numeric_range else UnicodeAttribute(range_key=True),
    }
    return type(f"Index_{name}", (GlobalSecondaryIndex,), attrs)()


def from_iso(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def cancellation_codes(exc: PynamoDBException) -> list[str | None]:
    """A cancelled transaction's reasons, one per item in the order written (None: not a reason)."""
    reasons = getattr(exc, "cancellation_reasons", None) or []
    return [r.code if r is not None else None for r in reasons]


def condition_failed(exc: PynamoDBException) -> bool:
    """A conditional write (alone, or any item of a transaction) found its condition false."""
    return exc.cause_response_code == CONDITION_FAILED_EXCEPTION or CONDITION_FAILED in cancellation_codes(exc)


def transaction_conflict(exc: PynamoDBException) -> bool:
    """Cancelled only because another transaction held one of its items: worth retrying as is."""
    codes = [c for c in cancellation_codes(exc) if c not in (None, "None")]
    return bool(codes) and all(c == TRANSACTION_CONFLICT for c in codes)
