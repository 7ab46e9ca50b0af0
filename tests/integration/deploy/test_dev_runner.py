"""`make run` (deploy/dev_runner.py): local defaults the environment overrides, the printed table, and a real start and stop."""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from deploy import dev_runner
from shared.settings import DEFAULT_PORTS, SERVICES, load_settings
from tests.fixtures.processes import free_port

ROOT = Path(__file__).resolve().parents[3]
BACKGROUND_PROCESSES = ("registration-relay", "registration-worker", "notification-worker", "streaming-relay", "streaming-worker")


def run_runner(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("RAKOR_ADMIN_TOKEN", "DATABASE_URL") and not k.endswith("_DATABASE_URL")}
    return subprocess.run(
        [sys.executable, "-m", "deploy.dev_runner", *args], cwd=ROOT, env=clean | env, capture_output=True, text=True, timeout=60
    )


def test_defaults_give_each_service_its_own_sqlite_database_under_var(tmp_path):
    env = dev_environment_without_user_settings(tmp_path)
    settings = {service: load_settings(service, environ=env) for service in SERVICES}
    assert env["DATA_DIR"] == str(tmp_path / "var")
    for service in SERVICES:
        assert settings[service].database_url == f"sqlite:///{tmp_path / 'var' / service}.db"
    assert settings["registration"].rabbitmq_url == "amqp://guest:guest@localhost:5672/%2F"
    assert settings["notification"].smtp_host == ""  # mail is written as .eml files under var/mail
    assert settings["notification"].sms_provider == "log"
    assert settings["streaming"].public_base_url == f"http://localhost:{DEFAULT_PORTS['streaming']}"
    assert env["GUNICORN_HOST"] == "127.0.0.1"


def dev_environment_without_user_settings(root: Path) -> dict[str, str]:
    return dev_runner.dev_environment({"PATH": "/usr/bin:/bin"}, root=root)


def test_dev_admin_token_is_generated_once_saved_owner_only_and_reused(tmp_path):
    first = dev_environment_without_user_settings(tmp_path)["RAKOR_ADMIN_TOKEN"]
    token_file = tmp_path / "var" / "dev-admin-token"
    assert len(first) >= 16
    assert token_file.read_text().strip() == first
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert dev_environment_without_user_settings(tmp_path)["RAKOR_ADMIN_TOKEN"] == first


def test_variables_of_the_environment_win_over_every_local_default(tmp_path):
    given = {
        "DATA_DIR": "elsewhere",
        "RAKOR_ADMIN_TOKEN": "token-from-the-organizer-shell",
        "REGISTRATION_DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/rakor_registration",
        "RABBITMQ_URL": "amqp://rakor:rakor@broker.internal:5672/rakor",
        "PUBLIC_BASE_URL": "https://rakor.kominfo.go.id",
        "GUNICORN_WORKERS": "5",
        "GUNICORN_HOST": "0.0.0.0",
        "SMTP_HOST": "mail.kominfo.go.id",
    }
    env = dev_runner.dev_environment(given, root=tmp_path)
    assert {name: env[name] for name in given if name != "DATA_DIR"} == {name: v for name, v in given.items() if name != "DATA_DIR"}
    assert env["DATA_DIR"] == str(tmp_path / "elsewhere")
    assert env["STREAMING_DATABASE_URL"] == f"sqlite:///{tmp_path / 'elsewhere' / 'streaming'}.db"
    assert not (tmp_path / "elsewhere" / "dev-admin-token").exists()


def test_processes_run_with_the_interpreter_of_the_runner(tmp_path):
    path = dev_environment_without_user_settings(tmp_path)["PATH"]
    assert path.split(os.pathsep)[0] == str(Path(sys.executable).parent)


def test_print_shows_where_everything_is_and_starts_nothing(tmp_path):
    result = run_runner("--print", DATA_DIR=str(tmp_path), NOTIFICATION_PORT="9802")
    assert result.returncode == 0, result.stderr
    for name, command in dev_runner.PROCESSES.items():
        assert re.search(rf"^\s+{re.escape(name)}\s+{re.escape(command)}$", result.stdout, flags=re.MULTILINE)
    assert "http://localhost:9802/docs" in result.stdout
    assert "admin token" in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_a_bad_setting_stops_the_runner_with_one_line_before_anything_starts(tmp_path):
    result = run_runner(DATA_DIR=str(tmp_path), LOG_LEVEL="LOUD")
    assert result.returncode == 2
    assert "configuration error" in result.stderr and "LOG_LEVEL='LOUD'" in result.stderr
    assert "started (pid=" not in result.stdout


def pids_with_environment(marker: str) -> list[int]:
    """Processes whose environment holds `marker`: every process the runner under test started."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if marker.encode() in environ:
            pids.append(int(entry.name))
    return pids


@pytest.fixture
def runner_data_dir(tmp_path):
    """DATA_DIR of the runner under test; any process still carrying it at teardown is killed by pid."""
    data_dir = tmp_path / "var"
    yield data_dir
    for pid in pids_with_environment(f"DATA_DIR={data_dir}"):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


@pytest.mark.slow
def test_make_run_starts_every_process_and_ctrl_c_stops_them_all(runner_data_dir, start_process, amqp_url):
    ports = {service: free_port() for service in SERVICES}
    console_port = free_port()
    env = {
        "CONSOLE_PORT": str(console_port),
        "DATA_DIR": str(runner_data_dir),
        "RABBITMQ_URL": amqp_url,
        "RAKOR_ADMIN_TOKEN": "",
        "GUNICORN_WORKERS": "1",
        **{f"{service.upper()}_PORT": str(port) for service, port in ports.items()},
    }
    runner = start_process(["python", "-m", "deploy.dev_runner"], env=env)
    for port in ports.values():
        runner.wait_healthy(f"http://127.0.0.1:{port}/healthz", timeout=120)
    runner.wait_healthy(f"http://127.0.0.1:{console_port}/healthz", timeout=120)
    for service, port in {**ports, "console": console_port}.items():
        ready = requests.get(f"http://127.0.0.1:{port}/readyz", timeout=10)
        assert ready.status_code == 200, f"{service}: {ready.text}"
    wait_for(
        lambda: all((runner_data_dir / f"{name}.alive").exists() for name in BACKGROUND_PROCESSES),
        timeout=60,
        what="the heartbeat file of every relay and consumer",
    )

    output = runner.output()
    token = (runner_data_dir / "dev-admin-token").read_text().strip()
    assert token in output
    for port in ports.values():
        assert f"http://localhost:{port}/docs" in output
    for name in dev_runner.PROCESSES:
        assert re.search(rf"^\d\d:\d\d:\d\d {re.escape(name)}\s*\| ", output, flags=re.MULTILINE), f"no line of {name}"

    os.kill(runner.pid, signal.SIGINT)
    assert runner.wait(timeout=30) == 130
    assert pids_with_environment(f"DATA_DIR={runner_data_dir}") == []
    for port in [*ports.values(), console_port]:
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
