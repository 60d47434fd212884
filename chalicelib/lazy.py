"""Modules loaded on first use, not at import: a route module names the use cases it calls, but
a cold start should not compile and run them until a request needs them (issue 6: `import app`
within 1.5x of `import chalice, boto3`).

Not the standard library's LazyLoader: before Python 3.12 it lets a second thread read a module
the first is still running (`chalice local` serves threaded, and a fuzzer found the AttributeError).
The stand-in below imports through `importlib.import_module`, under the interpreter's import lock."""
from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType
from typing import Any


class _OnFirstUse(ModuleType):
    """Stands for module `__name__`: any attribute read imports it (once) and reads it there."""

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self.__name__), attr)


def lazy_import(name: str) -> ModuleType:
    """`name` as a module whose code runs at its first attribute access (already loaded: itself)."""
    if name in sys.modules:
        return sys.modules[name]
    if importlib.util.find_spec(name) is None:
        raise ModuleNotFoundError(name)
    return _OnFirstUse(name)
