"""50 simultaneous submissions from one member record one ballot and one check-in (PostgreSQL), through
the services and through the API's lean hot path."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

URL = os.environ.get("DATABASE_URL", "")
pytestmark = pytest.mark.skipif(not URL.startswith("postgres"), reason="concurrency is tested on PostgreSQL")


def test_fifty_simultaneous_ballots_and_check_ins_from_one_member_count_once():
    script = Path(__file__).with_name("concurrency_script.py")
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, env=os.environ)
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["errors"] == []
    assert (result["vote_ok"], result["vote_refused"], result["participations"], result["ballots_in_box"]) == (
        1,
        49,
        1,
        1,
    )
    assert result["checkin_ok"] == 50  # every retry is answered with the one attendance row
    assert (result["attendance_rows"], result["attendance_state"]) == (1, "present")
    # A vote closed while a ballot was being cast counts that ballot: every participant is in the box.
    assert (result["late_participations"], result["late_ballots_in_box"]) == (1, 1)
    # The API's lean hot path (handbook.meetings.hotpath) keeps every one of these guarantees.
    assert result["hot"] == {
        "vote_ok": 1,
        "vote_refused": 49,
        "participations": 1,
        "ballots_in_box": 1,
        "checkin_ok": 50,
        "checkin_answers": 1,  # every re-send with the key gets the first answer
        "attendance_rows": 1,
        "audit_events": 1,
        "late_participations": 1,
        "late_ballots_in_box": 1,
    }
    # The whole API in autocommit: the one-statement writes decide the first of each, the reference
    # path answers the others exactly once.
    api = result["api"]
    assert (api["check_in_200"], api["check_in_answers"], api["attendance_rows"], api["audit_events"]) == (50, 1, 1, 1)
    assert (api["same_key_200"], api["same_key_receipts"], api["same_key_ballots"]) == (50, 1, 1)
    assert (api["own_keys_200"], api["own_keys_already_voted"], api["own_keys_ballots"]) == (1, 49, 1)
    assert api["participations"] == 2
    assert api["one_statement_check_ins"] >= 1 and api["one_statement_votes"] >= 2
