"""Modules loaded on first use, not at import: a route module names the use cases it calls, but
a cold start should not compile and run them until a request needs them (issue 6: `import app`
within 1.5x of `import chalice, boto3`). The standard library's LazyLoader does the work."""
from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def lazy_import(name: str) -> ModuleType:
    """`name` as a module whose code runs at its first attribute access (already loaded: itself)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module
