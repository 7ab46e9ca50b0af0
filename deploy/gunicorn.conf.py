"""Gunicorn settings shared by the three APIs and the console: `gunicorn --config deploy/gunicorn.conf.py 'services.<name>.app:create_app()'`.

The service is read from the application argument, so the same file binds registration to
REGISTRATION_PORT, notification to NOTIFICATION_PORT, streaming to STREAMING_PORT and console to CONSOLE_PORT.
GUNICORN_HOST is the address to listen on (0.0.0.0, as a container needs; `make run` uses 127.0.0.1).
Tuning comes from GUNICORN_WORKERS, GUNICORN_THREADS, GUNICORN_TIMEOUT, GUNICORN_GRACEFUL_TIMEOUT,
GUNICORN_KEEPALIVE and GUNICORN_MAX_REQUESTS.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from gunicorn.glogging import Logger
from gunicorn.workers.gthread import ThreadWorker

DEFAULT_PORTS = {"registration": 8001, "notification": 8002, "streaming": 8003, "console": 8004}
MAX_DEFAULT_WORKERS = 8


def _service_from_argv(argv: list[str]) -> str:
    for arg in argv:
        match = re.match(r"services\.(\w+)\.app:", arg)
        if match and match.group(1) in DEFAULT_PORTS:
            return match.group(1)
    raise SystemExit("gunicorn.conf.py: the application must be 'services.<registration|notification|streaming|console>.app:create_app()'")


def _env_int(name: str, default: int, minimum: int = 1) -> int:
    raw = os.environ.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"gunicorn.conf.py: {name}={raw!r} is not a whole number") from None
    if value < minimum:
        raise SystemExit(f"gunicorn.conf.py: {name}={raw!r} must be at least {minimum}")
    return value


service = _service_from_argv(sys.argv)
port = _env_int(f"{service.upper()}_PORT", DEFAULT_PORTS[service])

bind = [f"{os.environ.get('GUNICORN_HOST') or '0.0.0.0'}:{port}"]


class LoadSafeThreadWorker(ThreadWorker):
    """gunicorn's gthread worker, except that a stop signal arriving while the app is being created
    is acted on right after, not in the middle of it.

    On SIGINT or SIGQUIT gunicorn raises SystemExit from the signal handler wherever the worker's main
    thread happens to be. Stopped while starting (Ctrl-C reaches every process of `make run`, then
    the master sends its own SIGQUIT), a worker got that exception inside create_app(): in imports,
    in the first broker check's thread start, and the second signal landed while the first one
    was unwinding through a threading lock's wait, leaving the lock released twice ("RuntimeError:
    release unlocked lock", a traceback and a non-zero worker instead of a clean stop). While the
    app loads, the signal is only noted; the worker exits (status 0) as soon as loading is over.
    Once serving, the main thread only runs gunicorn's poll loop and the usual handling applies.
    """

    _loading = False
    _quit_requested = False

    def load_wsgi(self) -> None:
        self._loading = True
        try:
            super().load_wsgi()
        finally:
            self._loading = False
        if self._quit_requested:
            sys.exit(0)

    def handle_quit(self, sig, frame) -> None:
        if self._loading:
            self.alive = False
            self._quit_requested = True
            return
        super().handle_quit(sig, frame)


worker_class = LoadSafeThreadWorker
workers = _env_int("GUNICORN_WORKERS", min(2 * (os.cpu_count() or 1) + 1, MAX_DEFAULT_WORKERS))
threads = _env_int("GUNICORN_THREADS", 4)
timeout = _env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _env_int("GUNICORN_GRACEFUL_TIMEOUT", 20)
keepalive = _env_int("GUNICORN_KEEPALIVE", 5)
# Recycling workers now and then bounds slow leaks; the jitter keeps them from restarting together.
max_requests = _env_int("GUNICORN_MAX_REQUESTS", 10000, minimum=0)
max_requests_jitter = max_requests // 10
# Each worker opens its own database pool and broker connection after the fork: pika connections
# must never be shared between processes, so the app is imported in every worker, not in the master.
preload_app = False
proc_name = f"rakor-{service}-api"
# Newer gunicorn opens a control socket at one fixed path per user; the three APIs of `make run` would
# fight over it, and nothing here uses it. Older versions ignore the unknown name.
control_socket_disable = True

accesslog = "-"
errorlog = "-"
# Path only (%(U)s, never %(r)s or the referer): query strings and links may carry personal data.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms cid=%({x-correlation-id}o)s'


# The console's door link (/door/<token>) carries a door token until the console has moved it into a
# server-side session; the door page's own paths (/door/summary, /door/check-ins …) are shorter than any token.
_DOOR_LINK = re.compile(r"/door/[^/]{16,}")


def redacted_path(path: str) -> str:
    """The path as the access log may show it: without the token of a join link or a door link."""
    if path.startswith("/j/"):
        return "/j/<token>"
    if _DOOR_LINK.fullmatch(path):
        return "/door/<token>"
    return path


class RedactingLogger(Logger):
    """Gunicorn's logger, with the secret part of join links and door links kept out of the access log,
    and its own error log (start-up, workers, errors) written by the services' masking formatter (LOG_FORMAT)."""

    def setup(self, cfg):
        super().setup(cfg)
        from shared.logs import make_formatter

        formatter = make_formatter(f"{service}-gunicorn", (os.environ.get("LOG_FORMAT") or "text").lower())
        for handler in self.error_log.handlers:
            handler.setFormatter(formatter)

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = redacted_path(atoms.get("U") or "")
        return atoms


logger_class = RedactingLogger

# Every worker writes its metrics to files in this directory and /metrics sums them, so a scrape
# sees the whole service and not one worker. prometheus_client reads the variable when it is first
# imported, so it is set before the import below; the workers inherit both across the fork.
_data_dir = Path(os.environ.get("DATA_DIR") or "./var")
metrics_dir = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or _data_dir / "metrics" / f"{service}-{port}")
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)

# Imported here, not in child_exit: that hook runs in the SIGCHLD handler, and a second worker's exit
# interrupting the first import broke it half-way (a circular ImportError; the master exited with 1).
from prometheus_client import multiprocess  # noqa: E402


def on_starting(server) -> None:
    """Check settings and database once in the master, then start with an empty metrics directory.

    A bad setting or an unreachable database ends gunicorn here with one line and status 2, before
    any worker is forked: otherwise every worker would die with a traceback and be respawned in a loop.
    Metrics files of workers from an earlier run would be counted forever, so they go.
    """
    if service == "console":
        # The console has no database of its own: its settings are its own declaration.
        from services.console.settings import console_settings_or_exit

        console_settings_or_exit()
    else:
        from shared.startup import start_or_exit

        start_or_exit(service)
    metrics_dir.mkdir(parents=True, exist_ok=True)
    for stale in metrics_dir.glob("*.db"):
        stale.unlink(missing_ok=True)


def child_exit(server, worker) -> None:
    """Fold a dead worker's gauges out of the live totals."""
    multiprocess.mark_process_dead(worker.pid, str(metrics_dir))
