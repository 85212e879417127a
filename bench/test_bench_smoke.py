"""A seconds-long smoke run of the national loader and the benchmark on a tiny dataset.

Runs only when the suite runs on PostgreSQL (CI's second pass); the loader uses COPY.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
URL = os.environ.get("DATABASE_URL", "")

pytestmark = pytest.mark.skipif(not URL.startswith("postgres"), reason="the national loader needs PostgreSQL")


def _free_port() -> str:
    """A port nobody listens on now (fixed ports collide when several suites run at once)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return str(sock.getsockname()[1])


def _drop(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _bench(script: str, *args: str) -> str:
    """Run one bench script to its end (bounded); fail with its last output unless it succeeds."""
    done = subprocess.run(
        [sys.executable, f"bench/{script}", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done.stdout


def test_the_loader_and_the_benchmark_run_and_lose_nothing(tmp_path):
    base = URL.rsplit("/", 1)[0]
    url = f"{base}/handbook_smoke_{uuid.uuid4().hex[:8]}"
    try:
        load = _bench(
            "national.py", "--database-url", url, "--reset", "--provinces", "2", "--communes", "6", "--cells", "60",
            "--members", "3000",
        )  # fmt: skip
        assert "'members': 3000" in load
        run = _bench(
            "run.py", "--database-url", url, "--port", _free_port(), "--requests", "20", "--seconds", "1",
            "--threads", "2", "--moves", "2", "--out", str(tmp_path),
        )  # fmt: skip
        assert "members before/after: 3000/3000; counters after: 3000" in run
        assert list(tmp_path.glob("foundation-*.json"))
        documents = _bench(
            "documents.py", "--database-url", url, "--port", _free_port(), "--requests", "20", "--seconds", "1",
            "--threads", "2", "--publishes", "3", "--out", str(tmp_path),
        )  # fmt: skip
        assert "publish to the nation: p95" in documents and "goals met:" in documents
        assert list(tmp_path.glob("documents-*.json"))
    finally:
        _drop(url)


def test_the_meeting_day_benchmark_runs_and_loses_nothing(tmp_path):
    """A few members check in and vote through granian, with retries: the benchmark's own final
    count (0 lost, 0 duplicated) must hold, and it writes its report."""
    base = URL.rsplit("/", 1)[0]
    url = f"{base}/handbook_smoke_md_{uuid.uuid4().hex[:8]}"
    try:
        run = _bench(
            "meeting_day.py", "--database-url", url, "--cells", "3", "--members", "5", "--seconds", "5", "--slice", "1",
            "--threads", "2", "--port", _free_port(), "--redis-port", _free_port(), "--out", str(tmp_path),
        )  # fmt: skip
        assert "0 lost and 0 duplicated" in run
        (report,) = tmp_path.glob("meeting-day-*.json")
        assert '"attendance_rows": 15' in report.read_text() and '"ballots_in_boxes": 15' in report.read_text()
    finally:
        _drop(url)
