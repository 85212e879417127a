"""20 workers fanning out the same event, then 20 running the same deliveries: one row and one
email per user (PostgreSQL, real threads and connections)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

URL = os.environ.get("DATABASE_URL", "")
pytestmark = pytest.mark.skipif(not URL.startswith("postgres"), reason="concurrency is tested on PostgreSQL")


def test_simultaneous_fan_outs_and_deliveries_reach_each_user_once():
    script = Path(__file__).with_name("concurrency_script.py")
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, env=os.environ)
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["errors"] == []
    assert (result["notifications"], result["deliveries"], result["sent"]) == (30, 30, 30)
    assert (result["emails"], result["recipients"]) == (30, 30)
