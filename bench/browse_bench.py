"""Public browsing: items each page's Query reads (DynamoDB's ScannedCount) at two table sizes,
in-process against moto. The design's claim is that the figure does not grow with the table.

    .venv/bin/python -m bench.browse_bench [SMALL LARGE]

Reports are spread over two regencies, three categories and two statuses; a tenth are not public
(unverified or confidential) and never read. Wall time under moto is not DynamoDB's: moto answers
a Query by looking at every item of the table, so only the items read are compared here."""
from __future__ import annotations

import os
import sys

SHAPES = {
    "newest, the country": dict(),
    "newest, a regency": dict(regency_code="12.71"),
    "newest, a regency + category": dict(regency_code="12.71", category_id="street-lighting"),
    "newest, a province + status + kind": dict(province_code="21", status="dispatched", kind="complaint"),
    "most supported": dict(sort="supported"),
    "most supported, a regency": dict(sort="supported", regency_code="21.71"),
}


def fill(total: int) -> None:
    from chalicelib.domain.lifecycle import Status
    from tests.integration.browse_support import public_report, put

    reports = []
    for i in range(total):
        medan = i % 2 == 0
        reports.append(public_report(
            minutes_ago=i, province="12" if medan else "21", regency="12.71" if medan else "21.71",
            category=("street-lighting", "illegal-parking", "roads")[i % 3],
            status=Status.COMPLETED if i % 4 == 0 else Status.DISPATCHED, supporters=i % 17,
            published=i % 10 != 0, confidential=i % 20 == 5))
    put(*reports)


def measure(limit: int = 20) -> dict[str, tuple[int, int]]:
    """(items read, reports returned) of the first and a second page, per shape."""
    from chalicelib.adapters.browse import public_page
    from chalicelib.domain.browse import PublicQuery

    out = {}
    for name, filters in SHAPES.items():
        first = public_page(PublicQuery(**filters), limit, None)
        second = public_page(PublicQuery(**filters), limit, first.next_cursor) if first.next_cursor else first
        out[name] = (first.read, len(first.items), second.read, len(second.items))
    return out


def main(argv: list[str]) -> int:
    sizes = [int(x) for x in argv[:2]] or [1_000, 10_000]
    os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                       "AWS_DEFAULT_REGION": "ap-southeast-3", "TABLE_PREFIX": "lapor-bench-", "STAGE": "bench",
                       "POWERTOOLS_LOG_LEVEL": "WARNING", "POWERTOOLS_TRACE_DISABLED": "1"})
    for name in list(os.environ):
        if name.startswith("AWS_ENDPOINT_URL") or name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
            del os.environ[name]
    import moto

    results = {}
    for size in sizes:
        with moto.mock_aws():
            from chalicelib.adapters.tables import create_tables

            create_tables()
            fill(size)
            results[size] = measure()
    width = max(len(n) for n in SHAPES)
    head = "  ".join(f"{size:>7} reports: read/shown p1, p2" for size in sizes)
    print(f"{'page of 20':<{width}}  {head}")
    for name in SHAPES:
        cells = "  ".join(f"{'':>10}{results[s][name][0]:>5}/{results[s][name][1]:<3} {results[s][name][2]:>5}/"
                          f"{results[s][name][3]:<3}" for s in sizes)
        print(f"{name:<{width}}  {cells}")
    same = all(results[sizes[0]][n][0] == results[sizes[-1]][n][0] for n in SHAPES)
    print(f"items read per page independent of the table size: {'yes' if same else 'NO'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
