"""Policy that admins maintain: non-working days and SLA overrides."""
from __future__ import annotations

import datetime as dt
from typing import Any

from ..domain.calendar import indonesian_official_days
from ..domain.errors import Forbidden, InvalidInput, NotFound
from ..domain.roles import Principal, Role
from ..domain.sla import DEFAULT_LIMITS, check_agency_override, validate_limits
from . import calendar as calendar_service

MIN_YEAR, MAX_YEAR = 2000, 2100


def _central_only(principal: Principal) -> None:
    if principal.role != Role.CENTRAL_ADMIN:
        raise Forbidden("Hanya admin pusat yang dapat mengubah kalender", "Only the central admin may change the calendar")


def calendar_year(settings, year: int) -> dict[str, Any]:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidInput("Tahun di luar rentang", "Year out of range", {"year": f"{MIN_YEAR}–{MAX_YEAR}"})
    cal = calendar_service.current_calendar(settings)
    overrides = [o for o in settings.calendar_overrides() if o["date"].startswith(f"{year}-")]
    return {
        "year": year,
        "calendar_version": cal.version,
        "official_non_working_days": sorted(d.isoformat() for d in indonesian_official_days(year)),
        "overrides": overrides,
        "non_working_days": sorted(
            d.isoformat() for d in (dt.date(year, 1, 1) + dt.timedelta(days=i) for i in range(366))
            if d.year == year and not cal.is_working_day(d)
        ),
    }


def set_calendar_day(settings, principal: Principal, day: dt.date, working: bool, note: str | None, now: dt.datetime) -> dict:
    _central_only(principal)
    settings.put_calendar_override(day, working, note, principal.actor, now)
    calendar_service.invalidate()
    return {"date": day.isoformat(), "working": working, "note": note,
            "calendar_version": calendar_service.current_calendar(settings).version}


def remove_calendar_day(settings, principal: Principal, day: dt.date) -> dict:
    _central_only(principal)
    if not settings.delete_calendar_override(day):
        raise NotFound("Tidak ada pengecualian untuk tanggal ini", "No override for this date")
    calendar_service.invalidate()
    return {"date": day.isoformat(), "calendar_version": calendar_service.current_calendar(settings).version}


SLA_SCOPES = ("agency", "category")


def _may_set_sla(principal: Principal, scope: str, key: str) -> None:
    """Categories cut across agencies, so only the central admin overrides them; an agency admin
    overrides its own agency (and only to tighten: `check_agency_override`)."""
    if principal.role == Role.CENTRAL_ADMIN:
        return
    if principal.role == Role.AGENCY_ADMIN and scope == "agency" and key == principal.agency_id:
        return
    raise Forbidden("Tidak berwenang mengubah batas waktu ini", "Not allowed to change these limits")


def sla_overview(settings) -> dict[str, Any]:
    return {"defaults": DEFAULT_LIMITS, **{scope: settings.sla_overrides(scope) for scope in SLA_SCOPES}}


def set_sla(settings, directory, principal: Principal, scope: str, key: str, limits: dict, now: dt.datetime) -> dict:
    if scope not in SLA_SCOPES:
        raise NotFound("Cakupan tidak dikenal", "Unknown scope")
    _may_set_sla(principal, scope, key)
    exists = directory.agency(key) if scope == "agency" else directory.category(key)
    if not exists:
        raise NotFound("Instansi/kategori tidak ditemukan", "Agency or category not found")
    clean = validate_limits(limits)
    if not clean:
        raise InvalidInput("Isi minimal satu batas waktu", "Give at least one limit", {"limits": "kosong / empty"})
    if scope == "agency":
        check_agency_override(clean, set_by_central=principal.role == Role.CENTRAL_ADMIN)
    settings.put_sla_override(scope, key, clean, principal.actor, now)
    calendar_service.invalidate()
    return {"scope": scope, "id": key, "limits": clean}


def remove_sla(settings, principal: Principal, scope: str, key: str) -> dict:
    if scope not in SLA_SCOPES:
        raise NotFound("Cakupan tidak dikenal", "Unknown scope")
    _may_set_sla(principal, scope, key)
    if not settings.delete_sla_override(scope, key):
        raise NotFound("Tidak ada pengecualian untuk ini", "No override here")
    calendar_service.invalidate()
    return {"scope": scope, "id": key}
