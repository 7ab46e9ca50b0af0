"""The tree is formatted and linted by ruff as pyproject.toml configures it: a review never argues about either."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUFF = Path(sys.executable).with_name("ruff")


def _ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(RUFF), *args], cwd=ROOT, capture_output=True, text=True)


def test_ruff_finds_nothing():
    result = _ruff("check", "--no-cache", "--output-format", "concise", ".")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_the_tree_is_formatted():
    result = _ruff("format", "--no-cache", "--check", ".")
    assert result.returncode == 0, "run `make lint-fix`:\n" + result.stdout[-4000:] + result.stderr[-2000:]


def test_the_linter_would_catch_an_unused_import(tmp_path):
    # The project's configuration, on a file outside the tree (so the whole-tree checks never see it).
    probe = tmp_path / "probe.py"
    probe.write_text('"""Probe."""\nimport os\n')
    result = _ruff("check", "--no-cache", "--config", str(ROOT / "pyproject.toml"), "--output-format", "concise", str(probe))
    assert result.returncode == 1 and "F401" in result.stdout
