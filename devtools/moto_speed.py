"""moto, faster where it is needlessly slow, for the tests and the local stack's server (devtools
only: nothing in Lambda runs moto).

    python -m devtools.moto_speed -H 127.0.0.1 -p 5000    # moto.server with the fix applied
"""
from __future__ import annotations

import contextlib
import copy
import sys


class _CopyEachTableOnce:
    """Stands in for the `copy` module inside moto's DynamoDB backend for one transaction."""

    def __init__(self, table_type: type):
        self.table_type, self.tables = table_type, {}

    def deepcopy(self, obj, memo=None):
        if not isinstance(obj, self.table_type):
            return copy.deepcopy(obj, memo)
        if id(obj) not in self.tables:
            self.tables[id(obj)] = copy.deepcopy(obj, memo)
        return self.tables[id(obj)]


@contextlib.contextmanager
def moto_copies_each_table_once():
    """moto 5.2.5's TransactWriteItems deep-copies a table (for its rollback) once per item that
    names it: a report change with 30 counter items copied the counters table 30 times. The
    copies are identical (nothing is written before the loop ends), so one per table keeps the
    same rollback and makes each transaction ~30x cheaper. Speed only: the tests and the local
    stack's moto server run under it."""
    from moto.dynamodb import models
    from moto.dynamodb.models.table import Table

    real = models.DynamoDBBackend.transact_write_items

    def transact_write_items(self, transact_items):
        models.copy = _CopyEachTableOnce(Table)
        try:
            return real(self, transact_items)
        finally:
            models.copy = copy

    models.DynamoDBBackend.transact_write_items = transact_write_items
    try:
        yield
    finally:
        models.DynamoDBBackend.transact_write_items = real


def main(argv: list[str] | None = None) -> None:
    from moto.server import main as moto_main

    with moto_copies_each_table_once():
        moto_main(argv if argv is not None else sys.argv[1:])


if __name__ == "__main__":
    main()
