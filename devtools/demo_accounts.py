"""The demo staff accounts of the local stack: one list, used by local_run, token and tests."""
from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.roles import Role

DEMO_PASSWORD = "Lapor#Demo2026"
EMAIL_DOMAIN = "lapor.example.go.id"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    phone: str
    agency_id: str | None = None
    unit_id: str | None = None
    province_code: str | None = None
    description: str = ""

    @property
    def email(self) -> str:
        return f"{self.username}@{EMAIL_DOMAIN}"

    @property
    def scope(self) -> str:
        parts = [
            f"{name}={value}"
            for name, value in (
                ("agency_id", self.agency_id),
                ("unit_id", self.unit_id),
                ("province_code", self.province_code),
            )
            if value
        ]
        return ", ".join(parts) or "nasional / national"


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        "admin.pusat",
        Role.CENTRAL_ADMIN,
        phone="+6281200000001",
        description="Admin pusat (semua laporan)",
    ),
    DemoAccount(
        "admin.medan",
        Role.AGENCY_ADMIN,
        phone="+6281200000002",
        agency_id="pemkot-medan",
        province_code="12",
        description="Admin Pemerintah Kota Medan",
    ),
    DemoAccount(
        "penghubung.dishub.medan",
        Role.LIAISON_OFFICER,
        phone="+6281200000003",
        agency_id="pemkot-medan",
        unit_id="pemkot-medan.dishub",
        description="Penghubung Dinas Perhubungan Kota Medan",
    ),
    DemoAccount(
        "penghubung.dlh.medan",
        Role.LIAISON_OFFICER,
        phone="+6281200000004",
        agency_id="pemkot-medan",
        unit_id="pemkot-medan.dlh",
        description="Penghubung Dinas Lingkungan Hidup Kota Medan",
    ),
    DemoAccount(
        "admin.sumut",
        Role.PROVINCIAL_ADMIN,
        phone="+6281200000005",
        province_code="12",
        description="Admin Provinsi Sumatera Utara",
    ),
    DemoAccount(
        "admin.kepri",
        Role.PROVINCIAL_ADMIN,
        phone="+6281200000006",
        province_code="21",
        description="Admin Provinsi Kepulauan Riau",
    ),
)

DEMO_ACCOUNTS_BY_USERNAME = {a.username: a for a in DEMO_ACCOUNTS}
