"""deploy/gunicorn.conf.py: settings read from the environment, and the APIs served by real gunicorn with it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from shared.settings import DEFAULT_PORTS, SERVICES

ROOT = Path(__file__).resolve().parents[3]
CONF = "deploy/gunicorn.conf.py"
ADMIN_TOKEN = "gunicorn-conf-test-admin-token"

LOAD_CONF = """
import json, runpy, sys
sys.argv = ["gunicorn", "--config", "deploy/gunicorn.conf.py", sys.argv[1]]
ns = runpy.run_path("deploy/gunicorn.conf.py")
names = ("bind", "workers", "threads", "timeout", "graceful_timeout", "preload_app", "access_log_format", "worker_class")
def shown(value):
    # A worker class is shown as the classes it is made of, to be compared by name.
    return [f"{c.__module__}.{c.__qualname__}" for c in value.__mro__] if isinstance(value, type) else value
print(json.dumps({name: shown(ns[name]) for name in names} | {"metrics_dir": str(ns["metrics_dir"])}))
"""


def load_conf(app: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Evaluate the config file the way gunicorn does (in its own process: it sets PROMETHEUS_MULTIPROC_DIR)."""
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith("GUNICORN_") and k != "PROMETHEUS_MULTIPROC_DIR" and not k.endswith("_PORT")
    }
    return subprocess.run([sys.executable, "-c", LOAD_CONF, app], cwd=ROOT, env=clean | env, capture_output=True, text=True, timeout=60)


def conf_values(app: str, **env: str) -> dict:
    result = load_conf(app, env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("service", SERVICES)
def test_binds_the_port_of_the_service_named_by_the_app(service):
    assert conf_values(f"services.{service}.app:create_app()")["bind"] == [f"0.0.0.0:{DEFAULT_PORTS[service]}"]
    moved = conf_values(f"services.{service}.app:create_app()", **{f"{service.upper()}_PORT": "9123", "GUNICORN_HOST": "127.0.0.1"})
    assert moved["bind"] == ["127.0.0.1:9123"]


def test_defaults_to_two_workers_per_core_plus_one_capped_at_eight_and_never_preloads():
    values = conf_values("services.registration.app:create_app()")
    assert values["workers"] == min(2 * (os.cpu_count() or 1) + 1, 8)
    # gunicorn's gthread worker, with stop signals held back while the app loads (LoadSafeThreadWorker).
    assert "gunicorn.workers.gthread.ThreadWorker" in values["worker_class"]
    assert values["preload_app"] is False
    assert values["timeout"] > 0 and values["graceful_timeout"] > 0


def test_tuning_comes_from_gunicorn_variables():
    values = conf_values(
        "services.streaming.app:create_app()",
        GUNICORN_WORKERS="3",
        GUNICORN_THREADS="6",
        GUNICORN_TIMEOUT="45",
        GUNICORN_GRACEFUL_TIMEOUT="15",
    )
    assert (values["workers"], values["threads"], values["timeout"], values["graceful_timeout"]) == (3, 6, 45, 15)


def test_a_malformed_gunicorn_variable_stops_with_its_name():
    result = load_conf("services.streaming.app:create_app()", {"GUNICORN_WORKERS": "many"})
    assert result.returncode != 0
    assert "GUNICORN_WORKERS='many' is not a whole number" in result.stderr


def test_access_log_format_leaves_out_query_strings_and_referers():
    fmt = conf_values("services.notification.app:create_app()")["access_log_format"]
    assert "%(U)s" in fmt
    assert not re.search(r"%\((r|q|f)\)s", fmt)


def test_metrics_directory_defaults_under_data_dir_per_service_and_port(tmp_path):
    values = conf_values("services.notification.app:create_app()", DATA_DIR=str(tmp_path), NOTIFICATION_PORT="9002")
    assert values["metrics_dir"] == str(tmp_path / "metrics" / "notification-9002")
    chosen = conf_values("services.notification.app:create_app()", PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "m"))
    assert chosen["metrics_dir"] == str(tmp_path / "m")


def test_an_app_outside_the_three_services_is_refused():
    result = load_conf("somewhere.else:app", {})
    assert result.returncode != 0
    assert "services.<registration|notification|streaming|console>.app:create_app()" in result.stderr


def requests_counted(metrics_text: str, endpoint: str) -> float:
    total = 0.0
    for line in metrics_text.splitlines():
        if line.startswith("rakor_http_requests_total{") and f'endpoint="{endpoint}"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


@pytest.mark.slow
@pytest.mark.parametrize("service", SERVICES)
def test_gunicorn_serves_the_api_with_metrics_summed_over_workers_and_a_clean_access_log(service, tmp_path, start_process, free_port):
    metrics_dir = tmp_path / "metrics" / f"{service}-{free_port}"
    metrics_dir.mkdir(parents=True)
    (metrics_dir / "counter_999999.db").write_bytes(b"left over by an earlier run")
    env = {
        "DATA_DIR": str(tmp_path),
        f"{service.upper()}_PORT": str(free_port),
        "GUNICORN_HOST": "127.0.0.1",
        "GUNICORN_WORKERS": "2",
        "RAKOR_ADMIN_TOKEN": ADMIN_TOKEN,
    }
    base = f"http://127.0.0.1:{free_port}"
    api = start_process(
        ["gunicorn", "--config", CONF, f"services.{service}.app:create_app()"],
        env={**env, "PROMETHEUS_MULTIPROC_DIR": ""},
        health_url=f"{base}/healthz",
        timeout=60,
    )
    assert not (metrics_dir / "counter_999999.db").exists()
    # Counted on /readyz, which nobody else asks: health polls that timed out while the workers booted
    # may still be served at any moment, so /healthz has no stable count to start from.
    before = requests_counted(requests.get(f"{base}/metrics", timeout=5).text, "/readyz")

    for _ in range(11):
        assert requests.get(f"{base}/readyz", params={"email": "rina.wulandari@kominfo.go.id"}, timeout=5).status_code == 200
    if service == "streaming":
        assert requests.get(f"{base}/j/Zr4nd0mJ0inT0kenOfBudi", allow_redirects=False, timeout=5).status_code == 404
    metrics = requests.get(f"{base}/metrics", timeout=5)

    assert metrics.status_code == 200
    # Every request counts once, whichever of the two workers served it.
    assert requests_counted(metrics.text, "/readyz") == before + 11
    assert any(metrics_dir.glob("*.db"))
    # A worker writes its access-log line after the answer has gone out, so the last request's line
    # may still be on its way: wait for it rather than read the log at once.
    expected = '"GET /j/<token>" 404' if service == "streaming" else '"GET /readyz"'
    deadline = time.monotonic() + 10
    while expected not in api.output() and time.monotonic() < deadline:
        time.sleep(0.05)
    log = api.output()
    assert '"GET /healthz"' in log
    assert "kominfo" not in log and "email=" not in log
    assert "Zr4nd0mJ0inT0kenOfBudi" not in log
    if service == "streaming":
        assert '"GET /j/<token>" 404' in log


@pytest.mark.slow
def test_with_log_format_json_gunicorns_own_lines_and_the_apps_are_json_and_masked(tmp_path, start_process, free_port):
    env = {
        "DATA_DIR": str(tmp_path),
        "REGISTRATION_PORT": str(free_port),
        "GUNICORN_HOST": "127.0.0.1",
        "GUNICORN_WORKERS": "1",
        "RAKOR_ADMIN_TOKEN": ADMIN_TOKEN,
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "DEBUG",
        "PROMETHEUS_MULTIPROC_DIR": "",
    }
    base = f"http://127.0.0.1:{free_port}"
    api = start_process(
        ["gunicorn", "--config", CONF, "services.registration.app:create_app()"], env=env, health_url=f"{base}/healthz", timeout=60
    )
    # An unknown agency key is logged by nobody in clear; the organizer's token neither.
    requests.get(f"{base}/v1/events", headers={"Authorization": "Bearer rk_AbCdEfGhIjKlMnOp"}, timeout=5)
    lines = [line for line in api.output().splitlines() if line.startswith("{")]
    records = [json.loads(line) for line in lines]
    gunicorn_lines = [r for r in records if r.get("logger") == "gunicorn.error"]
    assert any("Booting worker" in r["message"] or "Listening at" in r["message"] for r in gunicorn_lines)
    assert all({"time", "level", "service", "message"} <= set(r) for r in records)
    assert "rk_AbCdEfGhIjKlMnOp" not in api.output() and ADMIN_TOKEN not in api.output()
