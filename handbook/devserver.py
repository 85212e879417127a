"""A throw-away demo server and Debian's Chromium settings, for browser tests and screenshots.

No Django import here: the server runs in child processes with their own SQLite data folder.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
# Debian's Chromium, headless, with nothing that reaches for the network (it has none here).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def demo_server(*, password: str, members: int = 3000) -> Iterator[str]:
    """Load the demo into a fresh SQLite folder, serve it on 127.0.0.1, yield its base URL."""
    with tempfile.TemporaryDirectory() as data:
        env = {**os.environ, "HANDBOOK_DATA_DIR": data, "DJANGO_SETTINGS_MODULE": "handbook.settings.base"}
        env.pop("DATABASE_URL", None)
        subprocess.run(
            [sys.executable, "manage.py", "demo", "--no-serve", "--password", password, "--members", str(members)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )
        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.3)
            yield f"http://127.0.0.1:{port}"
        finally:
            server.terminate()
            server.wait(timeout=30)
