"""Demo reference data: the seed places' agencies and units, and the categories citizens pick.
Loaded by the local run and the tests; a real deployment loads its own with the same call."""
from __future__ import annotations

from .domain.report import AgencyRef, UnitRef

AGENCIES = [
    ("pemkot-medan", "Pemerintah Kota Medan", "12", "12.71", [
        ("dishub", "Dinas Perhubungan"),
        ("dlh", "Dinas Lingkungan Hidup"),
        ("sda-bmbk", "Dinas Sumber Daya Air, Bina Marga dan Bina Konstruksi"),
        ("satpolpp", "Satuan Polisi Pamong Praja"),
        ("diskominfo", "Dinas Komunikasi dan Informatika"),
    ]),
    ("perumda-tirtanadi", "Perumda Air Minum Tirtanadi", "12", "12.71", [
        ("pelayanan", "Divisi Pelayanan Pelanggan"),
        ("distribusi", "Divisi Distribusi"),
    ]),
    ("pemkab-pasaman", "Pemerintah Kabupaten Pasaman", "13", "13.08", [
        ("diskominfotik", "Dinas Komunikasi, Informatika dan Statistik"),
        ("dinkes", "Dinas Kesehatan"),
        ("dpupr", "Dinas Pekerjaan Umum dan Penataan Ruang"),
    ]),
    ("pemkot-batam", "Pemerintah Kota Batam", "21", "21.71", [
        ("diskominfo", "Dinas Komunikasi dan Informatika"),
        ("dishub", "Dinas Perhubungan"),
        ("dinkes", "Dinas Kesehatan"),
        ("disdukcapil", "Dinas Kependudukan dan Pencatatan Sipil"),
    ]),
    ("pemkot-blitar", "Pemerintah Kota Blitar", "35", "35.72", [
        ("diskominfotik", "Dinas Komunikasi, Informatika dan Statistik"),
        ("dishub", "Dinas Perhubungan"),
        ("satpolpp", "Satuan Polisi Pamong Praja"),
        ("dlh", "Dinas Lingkungan Hidup"),
    ]),
]

CATEGORIES = [
    ("illegal-parking", "Juru parkir liar", "Illegal parking attendants"),
    ("street-lighting", "Penerangan jalan umum", "Street lighting"),
    ("trees", "Penebangan dan perawatan pohon", "Trees"),
    ("public-order", "Ketertiban umum", "Public order"),
    ("public-wifi", "Wifi publik", "Public wifi"),
    ("billboards", "Reklame", "Billboards"),
    ("roads", "Jalan dan trotoar", "Roads"),
    ("water-supply", "Air bersih", "Water supply"),
    ("health-services", "Layanan kesehatan", "Health services"),
    ("population-administration", "Administrasi kependudukan", "Population administration"),
    ("other", "Lainnya", "Other"),
]


def demo_agencies() -> list[AgencyRef]:
    return [
        AgencyRef(id=aid, name=name, province_code=prov, regency_code=reg,
                  units=tuple(UnitRef(id=f"{aid}.{uid}", agency_id=aid, name=uname) for uid, uname in units))
        for aid, name, prov, reg, units in AGENCIES
    ]


def load_demo_data(directory=None) -> None:
    if directory is None:
        from .adapters.store import DynamoDirectory

        directory = DynamoDirectory()
    for agency in demo_agencies():
        directory.put_agency(agency)
    for cid, name, name_en in CATEGORIES:
        directory.put_category(cid, name, name_en)


def load_demo_staff(accounts, directory=None) -> None:
    """Staff contact rows and liaison assignments for the demo accounts (any objects with
    username, role, email, phone, agency_id, unit_id, province_code and description)."""
    import datetime as dt

    from .domain.staff import Assignment, StaffMember

    if directory is None:
        from .adapters.store import DynamoDirectory

        directory = DynamoDirectory()
    for a in accounts:
        role = getattr(a.role, "value", a.role)
        directory.put_staff(StaffMember(
            username=a.username, name=getattr(a, "description", "") or a.username, role=role,
            email=a.email, phone=a.phone, agency_id=a.agency_id, unit_id=a.unit_id, province_code=a.province_code,
        ))
        if role == "liaison_officer" and a.unit_id:
            directory.put_assignment(Assignment(unit_id=a.unit_id, username=a.username,
                                                start=dt.date(2024, 1, 1), decree="SK demo 2024"))
