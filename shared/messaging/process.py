"""The life of a relay or consumer process: run until SIGTERM/SIGINT, with its metrics served."""

from __future__ import annotations

import signal
from collections.abc import Callable

from shared.messaging.connection import serve_worker_metrics


def serve_until_signalled(run: Callable[[], None], stop: Callable[[], None], metrics_port: int) -> None:
    """Run until SIGTERM/SIGINT asks to `stop` (safe from a signal handler), with /metrics on `metrics_port` (0: none)."""
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop())
    serve_worker_metrics(metrics_port)
    run()
