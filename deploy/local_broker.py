"""A broker for `make run` when none answers: a private RabbitMQ node under var/, else one in Docker (testcontainers).

The private node is this checkout's own: its node name, AMQP and distribution ports, data
(RABBITMQ_MNESIA_BASE), logs (RABBITMQ_LOG_BASE), Erlang cookie (HOME) and an empty plugin list
(no management plugin) all live under var/rabbitmq/, so it never touches a RabbitMQ the machine
already runs. It is stopped together with the other processes when `make run` ends.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

DEFAULT_PORT = 5682
START_TIMEOUT = 180.0
INSTALL_HINT = (
    "install RabbitMQ (Debian/Ubuntu: apt install rabbitmq-server; macOS: brew install rabbitmq), "
    "start Docker, or set RABBITMQ_URL to a broker you have"
)


class NoBroker(RuntimeError):
    """No broker could be started; the message says how to get one."""


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(port: int, host: str = "127.0.0.1", timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def rabbitmq_scripts(which: Callable[[str], str | None] = shutil.which) -> tuple[Path, Path] | None:
    """(rabbitmq-server, rabbitmqctl) that run as the calling user, or None when RabbitMQ is not installed.

    Debian's /usr/sbin/rabbitmq-server is a wrapper that switches to the `rabbitmq` user and its
    /var/lib/rabbitmq; the scripts it wraps, beside it, honour our environment instead.
    """
    found = which("rabbitmq-server")
    if not found:
        return None
    server = Path(found).resolve()
    if server.name == "rabbitmq-script-wrapper":
        server = server.with_name("rabbitmq-server")
    ctl = server.with_name("rabbitmqctl")
    if not (server.is_file() and ctl.is_file()):
        return None
    return server, ctl


class PrivateNode:
    """One RabbitMQ node whose every file and port belongs to `base` (var/rabbitmq)."""

    def __init__(self, base: Path, scripts: tuple[Path, Path], *, port: int | None = None, dist_port: int | None = None):
        self.base = base.resolve()
        self.server, self.ctl = scripts
        self.port = port or (DEFAULT_PORT if port_is_free(DEFAULT_PORT) else free_port())
        self.dist_port = dist_port or (self.port + 20000 if port_is_free(self.port + 20000) else free_port())
        # One name per checkout, so two checkouts on one machine never talk to each other's node.
        digest = hashlib.sha1(str(self.base).encode()).hexdigest()[:8]
        self.nodename = f"rakor-{digest}@localhost"
        self._process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@localhost:{self.port}/%2F"

    def environment(self) -> dict[str, str]:
        plugins = self.base / "enabled_plugins"
        return {
            **os.environ,
            "HOME": str(self.base / "home"),  # the Erlang cookie rabbitmqctl and the node share
            "RABBITMQ_NODENAME": self.nodename,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": str(self.base / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.base / "log"),
            "RABBITMQ_PID_FILE": str(self.base / "node.pid"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(plugins),
            "RABBITMQ_CONFIG_FILE": str(self.base / "rabbitmq"),  # none there: the defaults
        }

    def start(self, timeout: float = START_TIMEOUT, progress: Callable[[str], None] = lambda _line: None) -> str:
        """Start the node and return its URL once it accepts AMQP connections."""
        (self.base / "home").mkdir(parents=True, exist_ok=True)
        plugins = self.base / "enabled_plugins"
        if not plugins.exists():
            plugins.write_text("[].\n", encoding="utf-8")  # no management plugin: nothing listens on 15672
        log = open(self.base / "server.out", "ab")
        self._process = subprocess.Popen(
            [str(self.server)], env=self.environment(), cwd=self.base, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        started = time.monotonic()
        next_note = started + 10
        while not answers(self.port):
            if self._process.poll() is not None:
                raise NoBroker(f"the private RabbitMQ node exited with {self._process.returncode}; see {self.base / 'server.out'}")
            if time.monotonic() - started > timeout:
                self.stop()
                raise NoBroker(f"the private RabbitMQ node did not answer within {timeout:.0f} s; see {self.base / 'server.out'}")
            if time.monotonic() > next_note:
                progress(f"still starting RabbitMQ ({time.monotonic() - started:.0f} s)")
                next_note += 10
            time.sleep(0.2)
        return self.url

    def stop(self, timeout: float = 60.0) -> None:
        """Stop the node (rabbitmqctl stop), and make sure its process group is gone."""
        if self._process is None:
            return
        if self._process.poll() is None:
            subprocess.run(
                [str(self.ctl), "-n", self.nodename, "stop"], env=self.environment(), capture_output=True, timeout=timeout, check=False
            )
            try:
                self._process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self._process.pid, 9)
                self._process.wait(5)
        self._process = None


class DockerBroker:
    """RabbitMQ in a container started through testcontainers (when Docker answers)."""

    def __init__(self):
        from testcontainers.rabbitmq import RabbitMqContainer

        self.container = RabbitMqContainer("rabbitmq:3.13-alpine")

    def start(self, progress: Callable[[str], None] = lambda _line: None) -> str:
        self.container.start()
        params = self.container.get_connection_params()
        return f"amqp://guest:guest@{params.host}:{params.port}/%2F"

    def stop(self) -> None:
        self.container.stop()


def docker_answers() -> bool:
    if not shutil.which("docker"):
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=10, check=False).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def provide_broker(data_dir: Path, progress: Callable[[str], None]) -> tuple[str, Callable[[], None]]:
    """Start a broker for `make run`: (its URL, how to stop it). Raise NoBroker with a one-line hint when none can be."""
    scripts = rabbitmq_scripts()
    if scripts is not None:
        node = PrivateNode(data_dir / "rabbitmq", scripts)
        progress(f"starting a private RabbitMQ node {node.nodename} on port {node.port} (data and logs in {node.base})")
        url = node.start(progress=progress)
        return url, node.stop
    if docker_answers():
        try:
            broker = DockerBroker()
        except ImportError:
            raise NoBroker(f"Docker answers but testcontainers is not installed (pip install -e '.[dev]'); or {INSTALL_HINT}") from None
        progress("starting RabbitMQ in Docker (testcontainers)")
        return broker.start(progress), broker.stop
    raise NoBroker(f"no RabbitMQ answers and none can be started here: {INSTALL_HINT}")
