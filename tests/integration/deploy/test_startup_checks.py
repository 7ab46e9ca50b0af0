"""Failing well at start: one line, a non-zero status, no traceback, no worker respawn loop, no password in the line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from shared.startup import StartupError, check_database, check_service
from tests.fixtures.processes import free_port

ROOT = Path(__file__).resolve().parents[3]
ADMIN_TOKEN = "rakor-uji-gagal-dengan-baik-2021"
PASSWORD = "rahasia-basis-data-9f3k"
UNREACHABLE_DB = f"postgresql://registration:{PASSWORD}@127.0.0.1:1/registration"


def run(argv: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.endswith("DATABASE_URL") and not k.startswith("GUNICORN_")}
    merged = clean | {"RAKOR_ENV": "dev", "DATA_DIR": str(tmp_path), "PYTHONPATH": str(ROOT), **env}
    return subprocess.run(argv, cwd=ROOT, env=merged, capture_output=True, text=True, timeout=90)


def rakor_lines(output: str) -> list[str]:
    # gunicorn's own "Starting gunicorn" line may come first; ours name the service.
    return [line for line in output.splitlines() if line.startswith("rakor-")]


def gunicorn(service: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    port = free_port()
    argv = [sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py", f"services.{service}.app:create_app()"]
    return run(argv, {f"{service.upper()}_PORT": str(port), "GUNICORN_HOST": "127.0.0.1", **env}, tmp_path)


def test_gunicorn_with_a_bad_setting_exits_before_forking_with_one_line(tmp_path):
    result = gunicorn("streaming", {"RAKOR_ADMIN_TOKEN": ADMIN_TOKEN, "JOIN_RATE_LIMIT": "banyak"}, tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 2
    assert rakor_lines(output) == ["rakor-streaming: configuration error: JOIN_RATE_LIMIT='banyak' is not a whole number"]
    assert "Booting worker" not in output and "Traceback" not in output


def test_gunicorn_with_an_unreachable_database_exits_with_one_masked_line(tmp_path):
    result = gunicorn("registration", {"RAKOR_ADMIN_TOKEN": ADMIN_TOKEN, "DATABASE_URL": UNREACHABLE_DB}, tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 2
    [line] = rakor_lines(output)
    assert line.startswith("rakor-registration: database unreachable at postgresql+psycopg://registration:***@127.0.0.1:1/registration")
    assert PASSWORD not in output and "Traceback" not in output and "Booting worker" not in output


def test_production_notification_api_without_smtp_refuses_to_start(tmp_path):
    result = gunicorn("notification", {"RAKOR_ADMIN_TOKEN": ADMIN_TOKEN, "RAKOR_ENV": "production"}, tmp_path)
    assert result.returncode == 2
    assert rakor_lines(result.stdout + result.stderr) == [
        "rakor-notification: configuration error: SMTP_HOST is required when RAKOR_ENV=production (mail would only be written to files)"
    ]


@pytest.mark.parametrize(
    "module", ["services.registration.worker", "services.registration.relay", "services.streaming.worker", "services.notification.worker"]
)
def test_background_process_with_an_unreachable_database_exits_with_one_masked_line(tmp_path, module):
    service = module.split(".")[1]
    result = run([sys.executable, "-m", module], {"DATABASE_URL": f"postgresql://{service}:{PASSWORD}@127.0.0.1:1/{service}"}, tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"rakor-{service}: database unreachable at postgresql+psycopg://{service}:***@127.0.0.1:1/{service}")
    assert PASSWORD not in result.stderr


def test_check_service_is_usable_by_a_check_config_command(tmp_path):
    settings = check_service("streaming", {"RAKOR_ENV": "dev", "RAKOR_ADMIN_TOKEN": ADMIN_TOKEN, "DATA_DIR": str(tmp_path)})
    assert settings.service == "streaming"
    with pytest.raises(StartupError, match=r"configuration error: RABBITMQ_URL='http://rakor-streaming:\*\*\*@rabbitmq/'"):
        check_service(
            "streaming",
            {"RAKOR_ENV": "dev", "RAKOR_ADMIN_TOKEN": ADMIN_TOKEN, "RABBITMQ_URL": f"http://rakor-streaming:{PASSWORD}@rabbitmq/"},
        )


@pytest.mark.postgres
def test_check_database_accepts_a_database_that_answers(pg_url_factory):
    check_database(pg_url_factory())
