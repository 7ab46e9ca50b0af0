"""The network guard lets loopback through and fails tests that reach anything else."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests

from tests.fixtures.guard import ExternalNetworkBlocked, NetworkGuard, raise_for_violations

# The inner run has no configuration file, so no per-test timeout of its own: one is given here, so
# that a hang inside it is reported by name rather than as the outer run's timeout.
PYTEST_ARGS = ["-q", "-p", "tests.fixtures.guard", "-p", "no:cacheprovider", "-o", "timeout=30", "test_outside.py"]
OUTSIDE = ("192.0.2.10", 25)  # TEST-NET-1: never routed, so nothing leaves even if the guard broke


def test_connect_to_outside_host_is_refused_and_recorded(network_guard):
    with pytest.raises(ExternalNetworkBlocked, match="192.0.2.10"):
        socket.create_connection(OUTSIDE, timeout=0.5)
    assert len(network_guard.take_violations()) == 1


def test_a_swallowed_refusal_still_fails_the_test(network_guard):
    try:
        requests.get("http://192.0.2.10/", timeout=0.5)
    except requests.ConnectionError:
        pass  # what a retrying client would do
    with pytest.raises(pytest.fail.Exception, match="outside network access blocked"):
        raise_for_violations(network_guard)
    assert network_guard.take_violations() == []


def test_outside_hostnames_and_udp_are_refused(network_guard):
    with socket.socket() as tcp, pytest.raises(ExternalNetworkBlocked):
        tcp.settimeout(5)  # were the guard broken, fail in seconds instead of waiting on DNS and TCP
        tcp.connect(("smtp.kominfo.go.id", 25))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp, pytest.raises(ExternalNetworkBlocked):
        udp.sendto(b"query", ("8.8.8.8", 53))
    assert len(network_guard.take_violations()) == 2


@pytest.mark.parametrize("host", ["127.0.0.1", "127.3.2.1", "localhost", "::1"])
def test_loopback_destinations_are_allowed(host):
    guard = NetworkGuard()
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    assert guard.is_allowed(family, (host, 5672))


def test_unix_sockets_and_mapped_loopback_are_allowed():
    guard = NetworkGuard()
    assert guard.is_allowed(socket.AF_UNIX, "/run/postgresql/.s.PGSQL.5432")
    assert guard.is_allowed(socket.AF_INET6, ("::ffff:127.0.0.1", 80, 0, 0))
    assert not guard.is_allowed(socket.AF_INET6, ("2001:db8::1", 80, 0, 0))


def test_allowed_hosts_extend_loopback():
    guard = NetworkGuard()
    assert not guard.is_allowed(socket.AF_INET, ("172.17.0.1", 5672))
    guard.allow_host("172.17.0.1")
    assert guard.is_allowed(socket.AF_INET, ("172.17.0.1", 5672))


def test_real_loopback_traffic_passes_the_installed_guard():
    with socket.create_server(("127.0.0.1", 0)) as server:
        # Every wait here is bounded: a server thread that is never connected to ends, it does not hang.
        server.settimeout(30)
        port = server.getsockname()[1]

        def greet():
            connection, _ = server.accept()
            with connection:
                connection.sendall(b"220 ok\r\n")

        greeter = threading.Thread(target=greet, daemon=True)
        greeter.start()
        with socket.create_connection(("localhost", port), timeout=30) as client:
            assert client.recv(16) == b"220 ok\r\n"
        greeter.join(30)
        assert not greeter.is_alive(), "the loopback server thread never finished its answer"


def test_unix_socket_pair_passes_the_installed_guard(tmp_path):
    path = str(tmp_path / "sock")
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(path)
        server.listen()
        with socket.socket(socket.AF_UNIX) as client:
            client.connect(path)


def test_the_autouse_guard_fails_a_test_that_swallowed_the_refusal(tmp_path):
    (tmp_path / "test_outside.py").write_text(
        "import socket\n"
        "def test_quietly_retries():\n"
        "    try:\n"
        "        socket.create_connection(('192.0.2.10', 25), timeout=0.5)\n"
        "    except OSError:\n"
        "        pass\n"
        "def test_stays_local():\n"
        "    socket.socket().connect_ex(('127.0.0.1', 9))\n"
    )
    repo_root = Path(__file__).resolve().parents[2]
    try:
        run = subprocess.run(
            [sys.executable, "-m", "pytest", *PYTEST_ARGS],
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(repo_root)},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
        )
    except subprocess.TimeoutExpired as expired:
        so_far = "".join(
            part.decode(errors="replace") if isinstance(part, bytes) else part for part in (expired.stdout or "", expired.stderr or "")
        )
        pytest.fail(f"the inner pytest run did not finish within {expired.timeout}s; its output so far:\n{so_far}")
    assert run.returncode == 1, run.stdout + run.stderr
    # The swallowing test errors at teardown; the local one is untouched.
    assert "ERROR test_outside.py::test_quietly_retries - Failed: outside network access" in run.stdout
    assert "2 passed, 1 error" in run.stdout
