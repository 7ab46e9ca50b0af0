"""An API under the shipped gunicorn settings stops cleanly when the operator stops it (Ctrl-C in `make run`, docker stop)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from tests.fixtures.processes import REPO_ROOT, free_port

ADMIN_TOKEN = "uji-token-admin-rakor-berhenti"


def test_worker_exit_hook_imports_nothing_inside_the_signal_handler(tmp_path):
    # gunicorn calls child_exit from its SIGCHLD handler; when several workers exit together the
    # handler runs inside itself, and an import started there was found half-done by the second
    # call (a circular ImportError, the master exiting with 1 on Ctrl-C).
    probe = textwrap.dedent("""
        import builtins, runpy, sys
        sys.argv = ["gunicorn", "services.streaming.app:create_app()"]
        hooks = runpy.run_path("deploy/gunicorn.conf.py")
        def refuse(name, *args, **kwargs):
            raise AssertionError(f"child_exit imported {name}")
        builtins.__import__ = refuse
        hooks["child_exit"](None, type("Worker", (), {"pid": 4242})())
        print("ok")
    """)
    env = {**os.environ, "DATA_DIR": str(tmp_path), "PYTHONPATH": str(REPO_ROOT)}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


@pytest.mark.parametrize("service", ["registration", "notification"])
def test_api_with_several_workers_exits_zero_without_traceback_when_stopped_like_make_run(service, start_process, tmp_path, amqp_url):
    port = free_port()
    env = {
        "RAKOR_ADMIN_TOKEN": ADMIN_TOKEN, "RABBITMQ_URL": amqp_url, "DATA_DIR": str(tmp_path), "LOG_LEVEL": "WARNING",
        f"{service.upper()}_PORT": str(port), "GUNICORN_HOST": "127.0.0.1", "GUNICORN_WORKERS": "4",
    }
    api = start_process(
        [sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py", f"services.{service}.app:create_app()"],
        env=env, health_url=f"http://127.0.0.1:{port}/healthz", timeout=60,
    )
    # Ctrl-C reaches the whole process group, then honcho sends SIGTERM to the master.
    os.killpg(api.pid, signal.SIGINT)
    os.kill(api.pid, signal.SIGTERM)
    assert api.wait(timeout=30) == 0, api.tail()
    assert "Traceback" not in api.output(), api.tail()
