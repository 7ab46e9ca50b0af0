"""PostgreSQL stopped and started under load: the registration API answers 503 (never 500) meanwhile and recovers alone.

The machine's shared PostgreSQL serves other tests at the same time, so this test runs a private
server: a cluster made with initdb in a temporary directory, owned by the `postgres` user (the
server refuses to run as root), on a port of its own.
"""

from __future__ import annotations

import collections
import glob
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.fixtures.processes import free_port
from tests.reliability.conftest import RegistrationClient, wait_until

pytestmark = pytest.mark.slow

DOWN_SECONDS = 5


class PrivatePostgres:
    """One throwaway PostgreSQL server: ``.url``, ``.stop()``, ``.start()``."""

    def __init__(self, bin_dir: Path, directory: Path, port: int, run_as: list[str]):
        self.bin_dir, self.directory, self.port, self.run_as = bin_dir, directory, port, run_as
        self.data = directory / "data"
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run([*self.run_as, str(self.bin_dir / tool), *args], check=True, capture_output=True, timeout=60)

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.directory / "server.log"), "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")


def _postgres_bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    bin_dir = _postgres_bin_dir()
    if bin_dir is None:
        pytest.skip("initdb/pg_ctl are not installed")
    run_as: list[str] = []
    directory = Path(tempfile.mkdtemp(prefix="rakor-pg-"))
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            pytest.skip("running as root without runuser: cannot start PostgreSQL as another user")
        run_as = ["runuser", "-u", "postgres", "--"]
        shutil.chown(directory, "postgres")
    server = PrivatePostgres(bin_dir, directory, free_port(), run_as)
    try:
        server.init()
        server.start()
        yield server
    finally:
        try:
            server.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(directory, ignore_errors=True)


def test_api_answers_503_while_postgres_is_down_and_recovers_by_itself(rig, private_postgres):
    base = rig.api("registration", DATABASE_URL=private_postgres.url)
    client = RegistrationClient(base)
    client.make_agency()
    meeting = client.make_event()

    statuses: list[tuple[str, int]] = []  # (phase, status): up, stopping, down, starting, back
    phase = "up"
    stop = threading.Event()

    def timed(request) -> None:
        # A request is put in a phase only if it began and ended in it; others count as "stopping".
        before = phase
        status = request().status_code
        statuses.append((before if phase == before else "stopping", status))

    def agency_hr_system() -> None:
        while not stop.is_set():
            timed(lambda: client.register(meeting["id"]))
            timed(lambda: requests.get(f"{base}/v1/events/{meeting['id']}", headers=client.admin, timeout=5))

    senders = [threading.Thread(target=agency_hr_system) for _ in range(2)]
    for sender in senders:
        sender.start()
    try:
        time.sleep(2)
        phase = "stopping"
        private_postgres.stop()
        phase = "down"
        time.sleep(DOWN_SECONDS)
        readiness = requests.get(f"{base}/readyz", timeout=10)
        phase = "starting"
        private_postgres.start()
        phase = "back"
        restarted_at = time.monotonic()
        wait_until(
            lambda: sum(1 for p, s in statuses if p == "back" and s in (200, 201)) >= 20, 30, "20 answered requests after the restart"
        )
        recovered_after = time.monotonic() - restarted_at
    finally:
        stop.set()
        for sender in senders:
            sender.join()

    by_phase = {p: collections.Counter(s for q, s in statuses if q == p) for p in ("up", "stopping", "down", "starting", "back")}
    print(f"FAULTS postgres restart: {len(statuses)} requests, by phase {by_phase}, recovered {recovered_after:.1f} s after the start")
    assert readiness.status_code == 503
    assert readiness.json()["checks"]["database"].startswith("down")
    assert set(by_phase["up"]) <= {200, 201}
    assert set(by_phase["down"]) == {503}, by_phase["down"]
    assert all(set(counter) <= {200, 201, 503} for counter in by_phase.values()), by_phase
    # Once the server is back, at most a request or two per pooled connection still meets a dead one.
    back = [s for p, s in statuses if p == "back"]
    assert back[-10:] and set(back[-10:]) <= {200, 201}
