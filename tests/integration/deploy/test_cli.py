"""`rakor`, the operator's command line, run as a real process against real databases and the test broker."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from shared.messaging.topology import dead_letter_queue_name, queue_name
from shared.settings import SERVICES

ROOT = Path(__file__).resolve().parents[3]
ADMIN_TOKEN = "organizer-token-ditjen-ikp-2021"


def rakor(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT), "LANG": "C.UTF-8"}
    return subprocess.run([sys.executable, "-m", "services.cli", *args], env={**base, **env}, capture_output=True, text=True, timeout=120)


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    # dev: no SMTP relay or SMS gateway here (production refuses to start notification without them).
    return {"DATA_DIR": str(tmp_path), "RAKOR_ADMIN_TOKEN": ADMIN_TOKEN, "RAKOR_ENV": "dev"}


def test_the_console_script_is_declared():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["rakor"] == "services.cli:main"


def test_check_config_prints_one_line_per_problem_of_every_service_and_fails(env):
    result = rakor(
        "check-config", env={**env, "RAKOR_ADMIN_TOKEN": "pendek", "SMTP_PORT": "dua lima", "LOG_LEVEL": "LOUD", "DB_LOCK_TIMEOUT": "0"}
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 4 * len(SERVICES)
    for service in SERVICES:
        mine = [line for line in lines if line.startswith(f"{service}: ")]
        assert [line.split(": ", 1)[1].split("=")[0].split(" ")[0] for line in mine] == [
            "RAKOR_ADMIN_TOKEN",
            "LOG_LEVEL",
            "DB_LOCK_TIMEOUT",
            "SMTP_PORT",
        ]


def test_check_config_passes_a_good_environment(env):
    result = rakor("check-config", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"{service}: ok" for service in SERVICES]


def test_migrate_then_create_an_agency_then_purge(env, tmp_path):
    result = rakor("migrate", env=env)
    assert result.returncode == 0, result.stderr
    for service, table in (("registration", "registrations"), ("notification", "contacts"), ("streaming", "links")):
        engine = create_engine(f"sqlite:///{tmp_path / f'{service}.db'}")
        assert inspect(engine).has_table(table), service
        engine.dispose()

    created = rakor(
        "agencies",
        "create",
        "--name",
        "Dinas Kominfo Provinsi Jawa Barat",
        "--kind",
        "province",
        "--contact-email",
        "humas@jabarprov.go.id",
        env=env,
    )
    assert created.returncode == 0, created.stderr
    agency = json.loads(created.stdout)
    assert agency["api_key"].startswith("rk_") and agency["name"] == "Dinas Kominfo Provinsi Jawa Barat"
    engine = create_engine(f"sqlite:///{tmp_path / 'registration.db'}")
    with engine.connect() as connection:
        stored = " ".join(
            str(v) for table in ("agencies", "agency_keys") for row in connection.execute(text(f"SELECT * FROM {table}")) for v in row
        )
    engine.dispose()
    assert agency["id"] in stored and agency["api_key"] not in stored

    rotated = rakor("agencies", "rotate-key", agency["id"], "--grace-seconds", "0", env=env)
    assert rotated.returncode == 0, rotated.stderr
    new_key = json.loads(rotated.stdout)["api_key"]
    assert new_key.startswith("rk_") and new_key != agency["api_key"]
    _assert_keys_work(tmp_path, {agency["api_key"]: False, new_key: True})
    revoked = rakor("agencies", "revoke", agency["id"], env=env)
    # Both keys were still unrevoked: the first had only expired at the rotation.
    assert revoked.returncode == 0 and json.loads(revoked.stdout)["revoked_keys"] == 2, revoked.stderr
    unknown = rakor("agencies", "revoke", "00000000-0000-0000-0000-000000000000", env=env)
    assert unknown.returncode == 1 and "No agency with this id." in unknown.stderr
    _assert_keys_work(tmp_path, {agency["api_key"]: False, new_key: False})

    purged = rakor("purge", env=env)
    assert purged.returncode == 0, purged.stderr
    assert [line.split(":")[0] for line in purged.stdout.splitlines()] == list(SERVICES)
    assert "idempotent_replies 0" in purged.stdout and "participants 0" in purged.stdout and "contacts 0" in purged.stdout


def test_agencies_create_refuses_bad_input_with_field_lines(env):
    result = rakor("agencies", "create", "--name", "Dinas\r\nKominfo", "--kind", "planet", "--contact-email", "bukan-email", env=env)
    assert result.returncode == 1
    fields = sorted(line.split(":")[0] for line in result.stderr.strip().splitlines())
    assert fields == ["contact_email", "kind", "name"]


def test_redrive_moves_dead_letters_back_to_the_queue(env, bus, amqp_url):
    bus.publish_raw(dead_letter_queue_name("notification"), {"id": "x"}, exchange="", headers={"x-rakor-reason": "invalid-payload"})
    listed = rakor("redrive", "notification", "--list", env={**env, "RABBITMQ_URL": amqp_url})
    assert listed.returncode == 0 and "listed: 1" in listed.stdout and "invalid-payload" in listed.stdout
    moved = rakor("redrive", "notification", env={**env, "RABBITMQ_URL": amqp_url})
    assert moved.returncode == 0 and "re-driven: 1" in moved.stdout
    assert bus.queue_depth(dead_letter_queue_name("notification")) == 0
    assert len(bus.queue_messages(queue_name("notification"))) == 1


def _assert_keys_work(data_dir, expected: dict[str, bool]) -> None:
    """Ask the registration service itself whether each key still lets an agency in."""
    from services.registration import operations
    from shared.db import make_engine, make_session_factory
    from shared.web.auth import hash_secret

    engine = make_engine(f"sqlite:///{data_dir / 'registration.db'}")
    try:
        sessions = make_session_factory(engine)
        for key, works in expected.items():
            assert (operations.find_agency_by_key(sessions, hash_secret(key)) is not None) == works, key
    finally:
        engine.dispose()
