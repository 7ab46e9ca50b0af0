"""An API under the shipped gunicorn settings stops cleanly when the operator stops it (Ctrl-C in `make run`, docker stop)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

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


def test_a_stop_signal_while_the_app_loads_is_acted_on_after_loading(tmp_path):
    # gunicorn stops a worker by raising SystemExit from its SIGINT/SIGQUIT handler wherever the main
    # thread is. Ctrl-C reaches the worker and then the master's SIGQUIT follows: two signals inside
    # create_app(), the second one landing while the first unwound through a threading lock's wait,
    # gave "RuntimeError: release unlocked lock" from the first broker check. Here both signals arrive
    # in the middle of loading an app that starts such a check; the worker must finish loading and
    # only then exit, with status 0.
    probe = textwrap.dedent("""
        import os, runpy, signal, sys
        sys.argv = ["gunicorn", "services.notification.app:create_app()"]
        hooks = runpy.run_path("deploy/gunicorn.conf.py")
        from shared.web.app_base import _CachedCheck

        class App:
            def wsgi(self):
                os.kill(os.getpid(), signal.SIGINT)
                os.kill(os.getpid(), signal.SIGQUIT)
                check = _CachedCheck(lambda: None)
                assert check.settled(timeout=30) is None
                print("loaded", flush=True)
                return lambda environ, start_response: []

        worker = hooks["worker_class"].__new__(hooks["worker_class"])
        worker.alive, worker.app, worker.cfg = True, App(), type("Cfg", (), {"worker_int": lambda self, w: None})()
        signal.signal(signal.SIGINT, worker.handle_quit)
        signal.signal(signal.SIGQUIT, worker.handle_quit)
        try:
            worker.load_wsgi()
        except SystemExit as stop:
            print(f"exit {stop.code} alive={worker.alive}", flush=True)
    """)
    env = {**os.environ, "DATA_DIR": str(tmp_path), "PYTHONPATH": str(REPO_ROOT)}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["loaded", "exit 0 alive=False"], done.stdout + done.stderr


def _booting_workers(api) -> int:
    return api.output().count("Booting worker with pid")


def _four_worker_env(service: str, port: int, tmp_path, amqp_url: str) -> dict[str, str]:
    """The environment `make run` gives an API, with four gunicorn workers on `port`."""
    return {
        "RAKOR_ADMIN_TOKEN": ADMIN_TOKEN,
        "RABBITMQ_URL": amqp_url,
        "DATA_DIR": str(tmp_path),
        "LOG_LEVEL": "WARNING",
        f"{service.upper()}_PORT": str(port),
        "GUNICORN_HOST": "127.0.0.1",
        "GUNICORN_WORKERS": "4",
    }


def _stop_like_make_run_and_expect_a_clean_exit(api) -> None:
    # Ctrl-C reaches the whole process group, then honcho sends SIGTERM to the master.
    os.killpg(api.pid, signal.SIGINT)
    os.kill(api.pid, signal.SIGTERM)
    assert api.wait(timeout=30) == 0, api.tail()
    assert "Traceback" not in api.output(), api.tail()


@pytest.mark.parametrize("service", ["registration", "notification"])
def test_api_stopped_while_its_workers_start_exits_zero_without_traceback(service, start_process, tmp_path, amqp_url):
    # The stop of the issue: Ctrl-C while the workers are still creating the app (the first broker check
    # starting, modules importing), not after they all answer.
    env = _four_worker_env(service, free_port(), tmp_path, amqp_url)
    api = start_process(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--log-level",
            "info",
            "--config",
            "deploy/gunicorn.conf.py",
            f"services.{service}.app:create_app()",
        ],
        env=env,
    )
    deadline = time.monotonic() + 60
    while _booting_workers(api) < 4 and api.running and time.monotonic() < deadline:
        time.sleep(0.01)  # polling the master's log for the forks, not waiting for a fixed time
    assert _booting_workers(api) == 4, api.tail()
    _stop_like_make_run_and_expect_a_clean_exit(api)


@pytest.mark.parametrize("service", ["registration", "notification"])
def test_api_with_several_workers_exits_zero_without_traceback_when_stopped_like_make_run(service, start_process, tmp_path, amqp_url):
    port = free_port()
    api = start_process(
        [sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py", f"services.{service}.app:create_app()"],
        env=_four_worker_env(service, port, tmp_path, amqp_url),
        health_url=f"http://127.0.0.1:{port}/healthz",
        timeout=60,
    )
    _stop_like_make_run_and_expect_a_clean_exit(api)
