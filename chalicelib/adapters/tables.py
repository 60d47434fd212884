"""The model registry: every table-backed model of the app, and the creation of their tables
for the local run and the tests (infra/template.json creates them in AWS; its drift test
compares the two). Only jobs and tools import this; no adapter does."""
from __future__ import annotations

from pynamodb.models import Model

from ..config import settings
from .attachments import AttachmentModel
from .audit import AuditModel
from .counters import CounterModel
from .limits import LimitModel
from .open311_keys import ApiKeyModel
from .outbox import OutboxModel
from .store import DirectoryModel, EventModel, ReportModel, SettingModel
from .supporters import SupporterModel

# One model per table (several models may share a table: this names the one that creates it).
MODELS: tuple[type[Model], ...] = (
    ReportModel, EventModel, DirectoryModel, SettingModel, OutboxModel, LimitModel, ApiKeyModel,
    CounterModel, AttachmentModel, AuditModel, SupporterModel,
)


def create_tables() -> None:
    """Creates every table the app uses if missing, the idempotency table included."""
    for model in MODELS:
        if not model.exists():
            model.create_table(wait=True)
    _create_idempotency_table()


def _create_idempotency_table() -> None:
    """Powertools' persistence layer owns this table's items; it has no PynamoDB model."""
    import boto3

    s = settings()
    client = boto3.client("dynamodb", region_name=s.region)
    name = s.table("idempotency")
    if name in client.list_tables()["TableNames"]:
        return
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
