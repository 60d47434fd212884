"""Kemendagri region codes, shipped with the code (chalicelib/data/regions.json)."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

_FILE = Path(__file__).resolve().parent.parent / "data" / "regions.json"


@lru_cache(maxsize=1)
def regions() -> dict:
    return json.loads(_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _index() -> tuple[dict[str, str], dict[str, str]]:
    provinces, regencies = {}, {}
    for p in regions()["provinces"]:
        provinces[p["code"]] = p["name"]
        for r in p.get("regencies", []):
            regencies[r["code"]] = r["name"]
    return provinces, regencies


def province_name(code: str) -> str | None:
    return _index()[0].get(code)


def regency_name(code: str) -> str | None:
    return _index()[1].get(code)
