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
    # The configuration is read from the project: a file there with an unused import is refused.
    probe = ROOT / "tests" / "unit" / f"_lint_probe_{tmp_path.name}.py"
    probe.write_text('"""Probe."""\nimport os\n')
    try:
        result = _ruff("check", "--no-cache", "--output-format", "concise", str(probe))
    finally:
        probe.unlink()
    assert result.returncode == 1 and "F401" in result.stdout
