"""Duplicate suggestions (GET /reports/similar's use case) with 1,000 and 100,000 reports in the
region, in-process against moto: items read, and latency.

    .venv/bin/python -m bench.similar_bench [SMALL LARGE]

The region (Kota Medan, 12.71) holds every report: a fifth in the asked category, a quarter of
those closed, some older than 90 days. What the design fixes is the read: one Query of the sparse
`by_open_topic` index, at most SIMILAR_CANDIDATES items, whatever the region holds. moto answers
a Query by looking at every item of the table (DynamoDB reads only the partition's items), so
its wall time grows with the table; the bench therefore reports the time spent outside
DynamoDB calls (the platform's own work: mapping and ranking the candidates) as the latency the
design controls, next to the wall time under moto."""
from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time

TEXT = "PJU padam di Jln Gatot Subroto dekat Indomaret, gelap dan rawan kejahatan"
RUNS = 15

PROBLEMS = [
    ("Lampu jalan mati di Jl. Gatot Subroto", "Sudah seminggu lampu penerangan jalan di depan Indomaret padam."),
    ("Tiang listrik miring", "Tiang listrik di Jl. Sei Batang Hari hampir roboh menimpa rumah."),
    ("Lampu taman dicuri", "Lampu taman di Lapangan Merdeka hilang dicuri orang."),
    ("Lampu lalu lintas rusak", "Lampu lalu lintas di simpang Juanda berkedip terus, kendaraan semrawut."),
]


def fill(total: int, now: dt.datetime) -> None:
    from chalicelib.domain.lifecycle import Status
    from tests.integration.browse_support import public_report, put

    batch = []
    for i in range(total):
        title, description = PROBLEMS[i % len(PROBLEMS)]
        batch.append(public_report(
            now=now, minutes_ago=(i * 7) % (60 * 24 * 120), regency="12.71",
            category="street-lighting" if i % 5 == 0 else ("roads", "illegal-parking", "waste", "water")[i % 4],
            status=Status.COMPLETED if i % 4 == 1 else Status.IN_PROGRESS, title=title, description=description,
            lat=3.58 + (i % 100) / 10_000, lon=98.67))
        if len(batch) == 5_000:
            put(*batch)
            batch = []
    put(*batch)


class DynamoTime:
    """Seconds spent inside DynamoDB calls (botocore before-call → after-call)."""

    def __init__(self):
        self.spent = 0.0
        self._started = 0.0

    def install(self) -> None:
        import gc

        from botocore.client import BaseClient

        for obj in gc.get_objects():
            if isinstance(obj, BaseClient) and obj.meta.service_model.service_name == "dynamodb":
                obj.meta.events.register("before-call.dynamodb", self._before, unique_id=f"similar-bench-before-{id(self)}")
                obj.meta.events.register("after-call.dynamodb", self._after, unique_id=f"similar-bench-after-{id(self)}")

    def _before(self, **_):
        self._started = time.perf_counter()

    def _after(self, **_):
        self.spent += time.perf_counter() - self._started


def measure(now: dt.datetime) -> dict[str, float]:
    from chalicelib.adapters import regions
    from chalicelib.adapters.browse import open_topic_candidates
    from chalicelib.services import browse

    reads: list[int] = []

    def reading(*args):
        found, read = open_topic_candidates(*args)
        reads.append(read)
        return found, read

    ask = browse.SimilarAsk("12.71", "street-lighting", TEXT, "pemkot-medan", (3.5801, 98.6701))
    answer = browse.similar_reports(reading, regions, ask, now)  # warm: clients, regions data
    clock = DynamoTime()
    clock.install()
    walls, outside = [], []
    for _ in range(RUNS):
        clock.spent = 0.0
        start = time.perf_counter()
        answer = browse.similar_reports(reading, regions, ask, now)
        wall = time.perf_counter() - start
        walls.append(wall)
        outside.append(wall - clock.spent)
    return {"items read": reads[-1], "suggestions": len(answer["items"]),
            "outside DynamoDB ms": statistics.median(outside) * 1000, "wall under moto ms": statistics.median(walls) * 1000}


def main(argv: list[str]) -> int:
    sizes = [int(x) for x in argv[:2]] or [1_000, 100_000]
    os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                       "AWS_DEFAULT_REGION": "ap-southeast-3", "TABLE_PREFIX": "lapor-bench-", "STAGE": "bench",
                       "POWERTOOLS_LOG_LEVEL": "WARNING", "POWERTOOLS_TRACE_DISABLED": "1"})
    for name in list(os.environ):
        if name.startswith("AWS_ENDPOINT_URL") or name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
            del os.environ[name]
    import moto

    now = dt.datetime(2024, 12, 20, 3, 0, tzinfo=dt.timezone.utc)
    results = {}
    for size in sizes:
        with moto.mock_aws():
            from chalicelib.adapters.tables import create_tables

            create_tables()
            started = time.perf_counter()
            fill(size, now)
            print(f"{size:>7} reports in the region written in {time.perf_counter() - started:.0f} s", file=sys.stderr)
            results[size] = measure(now)
    print(f"{'reports in the region':<24}" + "".join(f"{s:>12,}" for s in sizes))
    for key in ("items read", "suggestions", "outside DynamoDB ms", "wall under moto ms"):
        print(f"{key:<24}" + "".join(f"{results[s][key]:>12.1f}" if isinstance(results[s][key], float)
                                     else f"{results[s][key]:>12}" for s in sizes))
    small, large = results[sizes[0]], results[sizes[-1]]
    ratio = large["outside DynamoDB ms"] / small["outside DynamoDB ms"]
    wall = large["wall under moto ms"] / small["wall under moto ms"]
    print(f"latency ratio outside DynamoDB {ratio:.2f} (must be <= 1.5), wall under moto {wall:.2f}; "
          f"items read equal: {small['items read'] == large['items read']}")
    return 0 if ratio <= 1.5 and small["items read"] == large["items read"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
