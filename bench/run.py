"""Benchmark the foundation's hot paths on a dataset loaded by bench/national.py.

    python bench/run.py --database-url postgres://postgres@127.0.0.1:5432/handbook_bench

Starts granian (2 workers, production profile over HTTP) on 127.0.0.1 only, then for each endpoint:
a latency phase (sequential requests, p50/p95/p99) and a throughput phase (a few client threads
for a fixed time). Every loop is bounded in count and time. Baselines in the same run: a bare
Django JSON view and a JSON view doing one indexed query. Also times moving a commune (API) back
and forth between two provinces and checks that no member was lost. Writes bench/results/*.json and
prints a Markdown table for docs/PERFORMANCE.md.
"""

import argparse
import datetime
import http.client
import json
import os
import platform
import secrets
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password"  # noqa: S105


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


class Client:
    def __init__(self, port: int, token: str | None = None):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes, float]:
        headers = dict(self.headers)
        payload = None
        if body is not None:
            payload = json.dumps(body)
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        self.conn.request(method, path, body=payload, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        return response.status, data, (time.perf_counter() - started) * 1000


def start_server(
    url: str, port: int, workers: int, *, blocking_threads: int | None = None, env_extra: dict | None = None
) -> subprocess.Popen:
    env = {
        **os.environ,
        **(env_extra or {}),
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "PYTHONPATH": str(ROOT),
        "DEBUG": "false",
    }
    granian = Path(sys.executable).parent / "granian"
    cmd = [
        str(granian),
        "--interface",
        "wsgi",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        *(["--blocking-threads", str(blocking_threads)] if blocking_threads else []),
        "handbook.wsgi:application",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _, _ = Client(port).request("GET", "/healthz")
            if status == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise RuntimeError("granian did not start")


def token_for(port: int, username: str) -> str:
    status, data, _ = Client(port).request("POST", "/api/v1/auth/token", {"username": username, "password": PASSWORD})
    if status != 200:
        raise RuntimeError(f"cannot log in as {username}: {status} {data[:200]!r}")
    return json.loads(data)["token"]


def measure(port: int, token: str | None, path: str, *, requests: int, seconds: float, threads: int) -> dict:
    client = Client(port, token)
    for _ in range(min(20, requests)):  # warm-up
        status, data, _ = client.request("GET", path)
        if status != 200:
            raise RuntimeError(f"{path}: {status} {data[:200]!r}")
    latencies = []
    deadline = time.monotonic() + seconds
    for _ in range(requests):
        latencies.append(client.request("GET", path)[2])
        if time.monotonic() > deadline:
            break
    done = [0] * threads
    errors = [0] * threads
    stop = time.monotonic() + seconds

    def worker(i: int) -> None:
        c = Client(port, token)
        while time.monotonic() < stop:
            status, _, _ = c.request("GET", path)
            done[i] += 1
            errors[i] += status != 200

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    started = time.monotonic()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.monotonic() - started
    return {
        "path": path,
        "latency_requests": len(latencies),
        "p50_ms": round(percentile(latencies, 50), 2),
        "p95_ms": round(percentile(latencies, 95), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
        "mean_ms": round(statistics.fmean(latencies), 2),
        "throughput_rps": round(sum(done) / elapsed, 1),
        "errors": sum(errors),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/handbook_bench")
    parser.add_argument("--port", type=int, default=8123)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--requests", type=int, default=400, help="sequential requests per endpoint (latency)")
    parser.add_argument("--seconds", type=float, default=10, help="time limit per phase and endpoint")
    parser.add_argument("--threads", type=int, default=4, help="client threads in the throughput phase")
    parser.add_argument("--moves", type=int, default=4, help="commune moves to time")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    args = parser.parse_args()

    with psycopg.connect(args.database_url) as conn:
        ids = dict(
            conn.execute(
                "SELECT name, id FROM organizations_organization WHERE depth = 1 OR name IN "
                "('Đảng bộ tỉnh 01', 'Đảng bộ tỉnh 02', 'Đảng bộ xã 01-001', 'Đảng bộ xã 01-002')"
            ).fetchall()
        )
        root_id = conn.execute("SELECT id FROM organizations_organization WHERE depth = 1").fetchone()[0]
        total_members = conn.execute("SELECT count(*) FROM members_member").fetchone()[0]
        commune_cells = conn.execute(
            "SELECT numchild FROM organizations_organization WHERE id = %s", [ids["Đảng bộ xã 01-002"]]
        ).fetchone()[0]
    server = start_server(args.database_url, args.port, args.workers)
    try:
        tokens = {u: token_for(args.port, u) for u in ("nation", "province", "commune")}
        province, commune = ids["Đảng bộ tỉnh 01"], ids["Đảng bộ xã 01-001"]
        cases = [
            ("baseline: bare Django JSON view", None, "/bench/hello", None),
            ("baseline: JSON view, one indexed query", None, f"/bench/one-query?id={commune}", None),
            ("member count of a province subtree", "province", f"/api/v1/organizations/{province}/counts", 100),
            ("member count of the nation", "nation", f"/api/v1/organizations/{root_id}/counts", 300),
            ("one page of 50 members of a commune", "commune", f"/api/v1/members?organization_id={commune}&page=2", 50),
            ("children of a province with counts", "province", f"/api/v1/organizations/{province}/children", None),
        ]
        results = []
        for label, who, path, goal in cases:
            r = measure(
                args.port, tokens.get(who), path, requests=args.requests, seconds=args.seconds, threads=args.threads
            )
            r.update(label=label, goal_p95_ms=goal)
            results.append(r)
            print(f"{label}: p95 {r['p95_ms']} ms, {r['throughput_rps']} req/s", flush=True)
        # Moving a commune with its cells between two provinces, back and forth (admin token).
        mover = Client(args.port, tokens["nation"])
        moved = ids["Đảng bộ xã 01-002"]
        targets = [ids["Đảng bộ tỉnh 02"], ids["Đảng bộ tỉnh 01"]]
        move_ms = []
        for i in range(args.moves):
            status, data, ms = mover.request(
                "POST", f"/api/v1/organizations/{moved}/move", {"new_parent_id": targets[i % 2]}
            )
            if status != 200:
                raise RuntimeError(f"move failed: {status} {data[:300]!r}")
            move_ms.append(ms)
        status, data, _ = mover.request("GET", f"/api/v1/organizations/{root_id}/counts")
        counted = sum(json.loads(data)["by_status"].values())
        with psycopg.connect(args.database_url) as conn:
            after = conn.execute("SELECT count(*) FROM members_member").fetchone()[0]
    finally:
        server.terminate()
        server.wait(timeout=30)

    base = results[0]["throughput_rps"]
    for r in results:
        r["throughput_vs_bare"] = round(r["throughput_rps"] / base, 3) if base else None
    report = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.node()} · {os.cpu_count()} cores · {platform.processor() or platform.machine()}",
        "python": platform.python_version(),
        "members": total_members,
        "commune_moved_cells": commune_cells,
        "move_ms": [round(m, 1) for m in move_ms],
        "members_after_moves": after,
        "counters_after_moves": counted,
        "results": results,
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"foundation-{report['date'].replace(':', '')}.json").write_text(json.dumps(report, indent=2))
    print()
    print(f"{report['date']} · {report['machine']} · {total_members:,} members")
    print("| endpoint | goal p95 | p50 ms | p95 ms | p99 ms | req/s | req/s vs bare Django |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        goal = f"≤ {r['goal_p95_ms']} ms" if r["goal_p95_ms"] else ""
        print(
            f"| {r['label']} | {goal} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {r['throughput_rps']} "
            f"| {r['throughput_vs_bare']} |"
        )
    print(
        f"\nMoving a commune of {commune_cells} cells (API, ms): {report['move_ms']}; "
        f"members before/after: {total_members}/{after}; counters after: {counted}"
    )
    failures = [r for r in results if r["errors"]] + ([1] if after != total_members or counted != after else [])
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
