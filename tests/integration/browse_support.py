"""Reports for the browsing tests and benches, written through the store's own mapping
(store.to_model: the same keys and sparse index attributes a real change writes), fast enough to
put thousands into moto."""
from __future__ import annotations

import datetime as dt
from itertools import count

from chalicelib.domain.ids import ALPHABET
from chalicelib.domain.lifecycle import Status
from chalicelib.domain.report import Location, Report, Reporter

_numbers = count(1)
START_UTC = dt.datetime(2024, 12, 20, 3, 0, tzinfo=dt.timezone.utc)
REPORTER = Reporter("Rina Marlina", email="rina@example.com", phone="+6281260001234")


def tracking_id(n: int) -> str:
    digits = []
    for _ in range(8):
        n, r = divmod(n, 32)
        digits.append(ALPHABET[r])
    text = "".join(reversed(digits))
    return f"{text[:4]}-{text[4:]}"


def public_report(*, minutes_ago: int = 0, province: str = "12", regency: str | None = "12.71",
                  category: str | None = "illegal-parking", agency: str | None = "pemkot-medan",
                  status: Status = Status.DISPATCHED, kind: str = "complaint", published: bool = True,
                  confidential: bool = False, supporters: int = 0, title: str = "Parkir liar di Jalan Gatot Subroto",
                  description: str = "Juru parkir liar memungut Rp5.000 di depan pasar setiap sore.",
                  lat: float | None = None, lon: float | None = None, now: dt.datetime = START_UTC,
                  anonymous: bool = False) -> Report:
    received = now - dt.timedelta(minutes=minutes_ago)
    return Report(
        tracking_id=tracking_id(next(_numbers) * 7919), access_code_hash="x" * 64, kind=kind, title=title,
        description=description, location=Location(province, regency, "Jl. Gatot Subroto", lat, lon),
        reporter=REPORTER, channel="web", received_at=received, status=status, category_id=category,
        agency_id=agency, agency_province_code=province if agency else None, published=published,
        confidential=confidential, anonymous=anonymous, supporter_count=supporters,
        public_updated_at=received if published else None,
    )


def put(*reports: Report) -> list[Report]:
    from chalicelib.adapters.store import ReportModel, to_model

    with ReportModel.batch_write() as batch:
        for report in reports:
            batch.save(to_model(report))
    return list(reports)
