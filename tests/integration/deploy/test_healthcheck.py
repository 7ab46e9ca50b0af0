"""`python -m shared.healthcheck`: the compose health check of relays and consumers, run as compose runs it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def run_healthcheck(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "shared.healthcheck", *args], cwd=ROOT, capture_output=True, text=True, timeout=30)


def make_heartbeat(path: Path, age_seconds: float) -> Path:
    path.touch()
    stamp = time.time() - age_seconds
    os.utime(path, (stamp, stamp))
    return path


def test_fresh_heartbeat_file_is_healthy(tmp_path):
    beat = make_heartbeat(tmp_path / "registration-relay.alive", age_seconds=2)
    result = run_healthcheck(str(beat), "--max-age", "30")
    assert result.returncode == 0, result.stderr
    assert "healthy" in result.stdout


def test_heartbeat_older_than_max_age_is_unhealthy(tmp_path):
    beat = make_heartbeat(tmp_path / "streaming-worker.alive", age_seconds=45)
    result = run_healthcheck(str(beat), "--max-age", "30")
    assert result.returncode == 1
    assert "last touched 45 s ago" in result.stderr


def test_missing_heartbeat_file_is_unhealthy(tmp_path):
    result = run_healthcheck(str(tmp_path / "notification-worker.alive"))
    assert result.returncode == 1
    assert "does not exist" in result.stderr


def test_max_age_defaults_to_thirty_seconds(tmp_path):
    assert run_healthcheck(str(make_heartbeat(tmp_path / "a.alive", age_seconds=25))).returncode == 0
    assert run_healthcheck(str(make_heartbeat(tmp_path / "b.alive", age_seconds=35))).returncode == 1
