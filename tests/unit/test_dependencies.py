"""pyproject.toml and requirements.lock (what the image installs) agree, and the floors match what the code calls."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
LOCK_TEXT = (ROOT / "requirements.lock").read_text(encoding="utf-8")
PINS = {
    canonicalize_name(name): Version(version) for name, version in re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", LOCK_TEXT, flags=re.MULTILINE)
}
RUNTIME = [Requirement(line) for line in PROJECT["dependencies"]]
DEV_ONLY = {"honcho", "pypng", "uv", "pytest", "aiosmtpd", "schemathesis", "testcontainers"}


@pytest.mark.parametrize("requirement", RUNTIME, ids=lambda r: r.name)
def test_every_runtime_dependency_is_locked_at_a_version_pyproject_allows(requirement):
    name = canonicalize_name(requirement.name)
    assert name in PINS, f"{name} is in pyproject.toml but not in requirements.lock: run `make lock`"
    assert requirement.specifier.contains(PINS[name], prereleases=True), (
        f"{name}=={PINS[name]} is outside {requirement.specifier}: run `make lock`"
    )


def test_the_lock_holds_nothing_but_the_runtime_closure_each_with_hashes():
    blocks = re.split(r"^(?=[A-Za-z0-9_.-]+==)", LOCK_TEXT, flags=re.MULTILINE)[1:]
    assert len(blocks) == len(PINS)
    for block in blocks:
        assert "--hash=sha256:" in block, block.splitlines()[0]
        # uv names why each package is there; a package nothing needs any more is a stale lock.
        assert "# via" in block, block.splitlines()[0]
    assert not DEV_ONLY & set(PINS), "dev-only packages in the production lock"


def test_production_extras_hold_no_dev_only_packages():
    runtime = {canonicalize_name(r.name) for r in RUNTIME}
    assert not DEV_ONLY & runtime
    assert all(not r.extras for r in RUNTIME if canonicalize_name(r.name) == "qrcode"), (
        "qrcode[png] pulls pypng, which the code does not use"
    )


@pytest.mark.parametrize("name, too_old, enough", [("icalendar", "6.0.1", "6.1.0"), ("gunicorn", "22.0.0", "23.0.0")])
def test_floors_match_what_the_code_needs(name, too_old, enough):
    (requirement,) = [r for r in RUNTIME if canonicalize_name(r.name) == name]
    assert not requirement.specifier.contains(too_old) and requirement.specifier.contains(enough)


def test_gunicorn_has_no_cap_that_blocks_current_releases():
    (gunicorn,) = [r for r in RUNTIME if r.name == "gunicorn"]
    assert gunicorn.specifier.contains("27.0.1") and gunicorn.specifier.contains("40.0")
