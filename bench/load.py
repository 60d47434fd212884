"""Bounded mixed load against the local stack: public submissions and tracking, staff lists and
staff actions walking reports to completion, from a few threads for a fixed time.

    make run                                    # in another terminal (see below for the limit)
    .venv/bin/python -m bench.load [--seconds 30] [--threads 4] [--max-requests 20000]
    .venv/bin/python -m bench.load --start      # starts its own stack on free ports instead

Prints throughput, p50/p95/p99 latency per kind of request and overall, and the errors by status;
exits 1 if any request failed. It only ever talks to a loopback address and stops by itself
(time and request count are both bounded).

`chalice local` reports every caller as 127.0.0.1, so the per-client submission limit (30 an
hour) would answer 429 within the first second: run the stack with
`SUBMISSIONS_PER_CLIENT_PER_HOUR=1000000 make run` (`--start` does this itself)."""
from __future__ import annotations

import argparse
import contextlib
import ipaddress
import os
import random
import statistics
import sys
import threading
import time
from collections import Counter, defaultdict
from urllib.parse import urlsplit

from devtools.stack import DEFAULT_STATE_PATH, read_state

ADMIN, AGENCY, OFFICER, PROVINCE = "admin.pusat", "admin.medan", "penghubung.dishub.medan", "admin.sumut"
# weights of the mix: public intake and tracking dominate, as on a real day
MIX = (("submit", 25), ("track", 35), ("staff list", 15), ("staff action", 25))
WALK = ((ADMIN, {"action": "dispatch", "agency_id": "pemkot-medan"}),
        (AGENCY, {"action": "assign", "unit_id": "pemkot-medan.dishub"}),
        (OFFICER, {"action": "respond", "message": "Petugas meninjau lokasi."}),
        (OFFICER, {"action": "final_answer", "message": "Sudah ditangani."}),
        (None, {"accept": True, "rating": 4}))


def loopback_only(url: str) -> str:
    host = urlsplit(url).hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise SystemExit(f"refusing to load {url}: only the local stack on a loopback address is a target")
    return url.rstrip("/")


def report_body(i: int) -> dict:
    return {
        "kind": ("complaint", "aspiration", "information_request")[i % 3],
        "title": f"Lampu jalan mati di Jalan Sisingamangaraja no. {i}",
        "description": "Sudah dua minggu lampu jalan mati sehingga rawan kecelakaan pada malam hari.",
        "location": {"province_code": "12", "regency_code": "12.71", "address": "Jl. Sisingamangaraja"},
        "category_id": "street-lighting", "channel": "web",
        "reporter": {"name": "Warga Uji Beban", "email": f"warga{i}@example.com"},
    }


class Worker(threading.Thread):
    """One client: keeps the reports it filed and walks them one step per staff action."""

    def __init__(self, n: int, api: str, tokens: dict[str, str], deadline: float, budget: "Budget", seed: int):
        super().__init__(name=f"load-{n}", daemon=True)
        import requests

        self.api, self.tokens, self.deadline, self.budget = api, tokens, deadline, budget
        self.rng = random.Random(seed)
        self.session = requests.Session()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: Counter = Counter()
        self.mine: list[dict] = []   # {tracking_id, access_code, step}
        self.published: list[str] = []
        self.n = n

    def call(self, kind: str, method: str, path: str, expect: int, body=None, user=None, headers=None):
        h = dict(headers or {})
        if user:
            h["Authorization"] = f"Bearer {self.tokens[user]}"
        started = time.perf_counter()
        try:
            response = self.session.request(method, self.api + path, json=body, headers=h, timeout=30)
        except Exception as exc:  # noqa: BLE001 - counted, the run goes on
            self.errors[f"{kind}: {type(exc).__name__}"] += 1
            return None
        self.latencies[kind].append(time.perf_counter() - started)
        if response.status_code != expect:
            self.errors[f"{kind}: {response.status_code}"] += 1
            return None
        return response.json()

    def run(self) -> None:
        kinds, weights = zip(*MIX)
        i = 0
        while time.monotonic() < self.deadline and self.budget.take():
            kind = self.rng.choices(kinds, weights)[0]
            if kind == "staff action" and not self.mine:
                kind = "submit"
            if kind == "track" and not (self.published or self.mine):
                kind = "submit"
            i += 1
            getattr(self, kind.replace(" ", "_"))(i)

    def submit(self, i: int) -> None:
        created = self.call("submit", "POST", "/reports", 201, report_body(self.n * 1_000_000 + i),
                            headers={"Idempotency-Key": f"load-{self.n}-{i}"} if i % 2 else None)
        if created:
            self.mine.append({"tracking_id": created["tracking_id"], "access_code": created["access_code"], "step": 0})

    def track(self, i: int) -> None:
        if self.published and self.rng.random() < 0.6:
            self.call("track", "GET", f"/reports/{self.rng.choice(self.published)}", 200)
        else:
            report = self.rng.choice(self.mine)
            self.call("track", "GET", f"/reports/{report['tracking_id']}", 200,
                      headers={"X-Access-Code": report["access_code"]})

    def staff_list(self, i: int) -> None:
        user = self.rng.choice((ADMIN, AGENCY, OFFICER, PROVINCE))
        self.call("staff list", "GET", "/staff/reports?limit=50", 200, user=user)

    def staff_action(self, i: int) -> None:
        report = self.mine[0]
        user, body = WALK[report["step"]]
        tid = report["tracking_id"]
        if user is None:
            answer = self.call("reporter reply", "POST", f"/reports/{tid}/replies", 200, body,
                               headers={"X-Access-Code": report["access_code"]})
        else:
            answer = self.call("staff action", "POST", f"/staff/reports/{tid}/actions", 200, body, user=user)
        if answer is None:
            self.mine.pop(0)  # counted as an error; do not retry it forever
            return
        if report["step"] == 0:
            self.published.append(tid)
        report["step"] += 1
        if report["step"] == len(WALK):
            self.mine.pop(0)


class Budget:
    """The most requests the run may send, across threads."""

    def __init__(self, total: int):
        self.left, self.lock = total, threading.Lock()

    def take(self) -> bool:
        with self.lock:
            if self.left <= 0:
                return False
            self.left -= 1
            return True


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))] if ordered else float("nan")


def run(api: str, tokens: dict[str, str], seconds: float, threads: int, max_requests: int, seed: int) -> int:
    api = loopback_only(api)
    import requests

    probe = requests.post(api + "/reports", json=report_body(0), timeout=30)
    if probe.status_code == 429:
        print("the stack answers 429 to submissions (per-client limit): start it with "
              "SUBMISSIONS_PER_CLIENT_PER_HOUR=1000000 make run, or use --start", file=sys.stderr)
        return 2
    probe.raise_for_status()
    budget = Budget(max_requests)
    started = time.monotonic()
    workers = [Worker(n, api, tokens, started + seconds, budget, seed + n) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(seconds + 60)
    elapsed = time.monotonic() - started
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: Counter = Counter()
    for w in workers:
        for kind, values in w.latencies.items():
            latencies[kind] += values
        errors.update(w.errors)
    every = [v for values in latencies.values() for v in values]
    print(f"target {api}  threads {threads}  {elapsed:.1f} s  requests {len(every)}  "
          f"throughput {len(every) / elapsed:.1f} req/s  errors {sum(errors.values())}")
    print(f"{'kind':<16}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for kind in sorted(latencies, key=lambda k: -len(latencies[k])) + ["all"]:
        values = every if kind == "all" else latencies[kind]
        print(f"{kind:<16}{len(values):>7}" + "".join(f"{percentile(values, p) * 1000:>9.0f}" for p in (50, 95, 99))
              + f"{max(values) * 1000:>9.0f}")
    for what, count in sorted(errors.items()):
        print(f"error  {what}: {count}")
    if every:
        print(f"mean {statistics.mean(every) * 1000:.0f} ms")
    return 1 if errors else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--max-requests", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--state", default=str(DEFAULT_STATE_PATH), help="the running stack's state file")
    parser.add_argument("--start", action="store_true", help="start a stack of its own (free ports) for the run")
    args = parser.parse_args(argv)
    if not 0 < args.seconds <= 600 or not 0 < args.threads <= 32:
        parser.error("--seconds 1..600, --threads 1..32")
    from devtools.token import get_id_token

    with contextlib.ExitStack() as stack:
        if args.start:
            from devtools.stack import local_stack

            os.environ["SUBMISSIONS_PER_CLIENT_PER_HOUR"] = "1000000"  # passed on to chalice local
            state = stack.enter_context(local_stack(log=lambda m: print(m, file=sys.stderr)))[2]
        else:
            state = read_state(args.state)
        tokens = {user: get_id_token(state, user) for user in (ADMIN, AGENCY, OFFICER, PROVINCE)}
        return run(state["api_url"], tokens, args.seconds, args.threads, args.max_requests, args.seed)


if __name__ == "__main__":
    sys.exit(main())
