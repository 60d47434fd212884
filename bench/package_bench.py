"""Cold-start figures of the deployment package: its size, and the import time of `app` against a
bare `import chalice, boto3`, each in a fresh isolated interpreter over the extracted package (no
bytecode written, as on Lambda's read-only /var/task), median of several runs, in the same run.

    .venv/bin/python bench/package_bench.py [--stage dev] [--runs 9] [--build]

Exits 1 when the package is over the size limit or the ratio reaches 1.5.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from infra import lambda_runtime  # noqa: E402
from infra.package import MAX_ZIP_BYTES, build, mib  # noqa: E402

MAX_RATIO = 1.5
TIMED = "import time\nstarted = time.perf_counter()\n{statement}\nresult = time.perf_counter() - started\n"
HEAVY = ("pydantic", "holidays", "openpyxl", "aws_xray_sdk", "pynamodb", "botocore", "jwt", "cryptography",
         "phonenumbers", "email_validator")
LOADED = "import app\nresult = sorted({m.split('.')[0] for m in sys.modules} & set(HEAVY))\n"


def measure(zip_path: Path, runs: int) -> dict:
    env = lambda_runtime.lambda_env({"TABLE_PREFIX": "lapor-bench-", "POWERTOOLS_SERVICE_NAME": "lapor",
                                     "POWERTOOLS_METRICS_NAMESPACE": "Lapor", "POWERTOOLS_TRACE_DISABLED": "true"})
    with tempfile.TemporaryDirectory() as scratch:
        task = lambda_runtime.extract(zip_path, Path(scratch) / "task")
        runtime = lambda_runtime.runtime_dir(Path(scratch) / "runtime")
        timings: dict[str, list[float]] = {"base": [], "app": []}
        for _ in range(runs):  # interleaved, so a busy moment hits both alike
            for name, statement in (("base", "import chalice, boto3"), ("app", "import app")):
                timings[name].append(lambda_runtime.run(TIMED.format(statement=statement), task, runtime, env))
        loaded = lambda_runtime.run(f"HEAVY = {HEAVY!r}\n" + LOADED, task, runtime, env)
    base, app = (statistics.median(timings[k]) for k in ("base", "app"))
    return {"base_ms": base * 1000, "app_ms": app * 1000, "ratio": app / base, "loaded": loaded,
            "spread_ms": {k: (min(v) * 1000, max(v) * 1000) for k, v in timings.items()}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--build", action="store_true", help="build the package first (else reuse build/<stage>)")
    args = parser.parse_args(argv)
    zip_path = ROOT / "build" / args.stage / "deployment.zip"
    if args.build or not zip_path.exists():
        zip_path = build(args.stage).zip_path
    size = zip_path.stat().st_size
    figures = measure(zip_path, args.runs)
    print(f"package      {zip_path.relative_to(ROOT)}: {mib(size):.2f} MiB ({size} bytes), limit {mib(MAX_ZIP_BYTES):.0f} MiB")
    print(f"import chalice, boto3   median {figures['base_ms']:6.1f} ms  (min {figures['spread_ms']['base'][0]:.1f}, "
          f"max {figures['spread_ms']['base'][1]:.1f}; {args.runs} runs)")
    print(f"import app              median {figures['app_ms']:6.1f} ms  (min {figures['spread_ms']['app'][0]:.1f}, "
          f"max {figures['spread_ms']['app'][1]:.1f}; {args.runs} runs)")
    print(f"ratio app / base        {figures['ratio']:.2f}  (must stay under {MAX_RATIO})")
    print(f"heavy modules loaded by `import app`: {', '.join(figures['loaded']) or 'none'}")
    return 0 if size < MAX_ZIP_BYTES and figures["ratio"] < MAX_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
