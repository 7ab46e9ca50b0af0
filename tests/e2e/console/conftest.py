"""The console (gunicorn) in front of every real process of the suite, for the browser tests."""

from __future__ import annotations

import pytest

from tests.e2e.test_whole_story import ADMIN_TOKEN, stack  # noqa: F401 - the whole suite's processes, as the story test starts them
from tests.fixtures.processes import free_port, gunicorn_argv

CONSOLE_SECRET_KEY = "kunci-rahasia-konsol-e2e-" + "k" * 24


class Console:
    """The running console and where it answers."""

    def __init__(self, url: str, process) -> None:
        self.url, self.process = url, process

    def page(self, path: str) -> str:
        return self.url + path


@pytest.fixture
def console(stack, start_process, tmp_path) -> Console:  # noqa: F811 - `stack` is the imported fixture
    port = free_port()
    env = {
        "CONSOLE_SECRET_KEY": CONSOLE_SECRET_KEY,
        "CONSOLE_PORT": str(port),
        "DATA_DIR": str(tmp_path / "console"),
        "LOG_LEVEL": "INFO",
        "REGISTRATION_URL": stack.registration,
        "NOTIFICATION_URL": stack.notification,
        "STREAMING_URL": stack.streaming,
        "CONSOLE_HTTP_TIMEOUT": "3",
    }
    process = start_process(
        gunicorn_argv("services.console.app:create_app()", port, workers=2),
        env=env,
        health_url=f"http://127.0.0.1:{port}/healthz",
        timeout=60,
    )
    return Console(f"http://127.0.0.1:{port}", process)


__all__ = ["ADMIN_TOKEN", "Console"]
