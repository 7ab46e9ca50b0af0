"""The rig's database and process fixtures do what other tests rely on."""

from __future__ import annotations

import signal
import sys
import time

import psycopg
import pytest
import requests
from sqlalchemy import create_engine, inspect, text

from tests.fixtures.processes import ProcessGroup, free_port, gunicorn_argv


@pytest.mark.postgres
def test_pg_url_factory_gives_a_fresh_empty_usable_database(pg_url_factory):
    first, second = pg_url_factory(), pg_url_factory()
    assert first != second and first.startswith("postgresql+psycopg://")
    engine = create_engine(first)
    try:
        assert inspect(engine).get_table_names() == []
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE meeting (id int primary key, title text)"))
            conn.execute(text("INSERT INTO meeting VALUES (1, 'Rakor Pranata Humas')"))
        with engine.connect() as conn:
            assert conn.execute(text("SELECT title FROM meeting")).scalar_one() == "Rakor Pranata Humas"
    finally:
        engine.dispose()
    assert inspect(create_engine(second)).get_table_names() == []


@pytest.mark.postgres
def test_pg_admin_drops_database_even_with_open_connections(pg_url_factory):
    from tests.fixtures.databases import DEFAULT_PG_ADMIN_URL, PgAdmin

    admin = PgAdmin(DEFAULT_PG_ADMIN_URL)
    url = admin.create_database()
    name = url.rsplit("/", 1)[1]
    holder = psycopg.connect(url.replace("+psycopg", ""))
    try:
        assert admin.drop_all() == []
    finally:
        holder.close()
    with psycopg.connect(DEFAULT_PG_ADMIN_URL) as conn:
        assert conn.execute("SELECT count(*) FROM pg_database WHERE datname = %s", (name,)).fetchone()[0] == 0


@pytest.mark.postgres
def test_pg_admin_drops_many_databases_together_and_reports_what_the_deadline_left(pg_url_factory):
    from tests.fixtures.databases import DEFAULT_PG_ADMIN_URL, PgAdmin

    def existing(names):
        with psycopg.connect(DEFAULT_PG_ADMIN_URL) as conn:
            return {row[0] for row in conn.execute("SELECT datname FROM pg_database WHERE datname = ANY(%s)", (list(names),))}

    admin = PgAdmin(DEFAULT_PG_ADMIN_URL)
    names = {admin.create_database().rsplit("/", 1)[1] for _ in range(12)}
    assert admin.drop_all() == [] and existing(names) == set()
    # A deadline already over: nothing is waited for, and every database not certainly dropped is named.
    names = {admin.create_database().rsplit("/", 1)[1] for _ in range(4)}
    failed = admin.drop_all(deadline_seconds=0)
    try:
        assert set(failed) <= names and names - set(failed) <= names - existing(names)
    finally:
        for name in failed:
            admin.drop_database(name)


@pytest.mark.postgres
def test_stale_test_databases_are_swept_but_fresh_ones_kept(pg_url_factory):
    from tests.fixtures.databases import DEFAULT_PG_ADMIN_URL, STALE_MARK, PgAdmin

    admin = PgAdmin(DEFAULT_PG_ADMIN_URL)
    stale, fresh = admin.create_database().rsplit("/", 1)[1], admin.create_database().rsplit("/", 1)[1]
    with psycopg.connect(DEFAULT_PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"COMMENT ON DATABASE {stale} IS '{STALE_MARK}{int(time.time()) - 7 * 3600}'")
    try:
        admin.drop_stale()
        with psycopg.connect(DEFAULT_PG_ADMIN_URL) as conn:
            rows = conn.execute("SELECT datname FROM pg_database WHERE datname IN (%s, %s)", (stale, fresh))
            left = {row[0] for row in rows}
        assert left == {fresh}
    finally:
        admin.drop_all()


def test_database_url_runs_on_each_database(database_url, request):
    engine = create_engine(database_url)
    try:
        assert engine.dialect.name == request.node.callspec.id
        assert inspect(engine).get_table_names() == []
    finally:
        engine.dispose()


def test_sqlite_url_factory_gives_distinct_files(sqlite_url_factory):
    assert sqlite_url_factory() != sqlite_url_factory()


def test_free_port_never_repeats_and_is_bindable():
    ports = {free_port() for _ in range(20)}
    assert len(ports) == 20


def test_start_process_waits_for_health_then_stop_ends_the_group(start_process):
    port = free_port()
    server = start_process(
        gunicorn_argv("tests.integration.rig.health_app:app", port, workers=2),
        env={"RIG_MARKER": "kominfo"},
        health_url=f"http://127.0.0.1:{port}/healthz",
    )
    answer = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
    assert answer.status_code == 200 and answer.text.endswith("kominfo")
    assert server.stop(timeout=30) == 0  # a loaded machine can take gunicorn past 10 s to stop
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)


def test_kill_takes_down_the_whole_group_at_once(start_process):
    port = free_port()
    server = start_process(
        gunicorn_argv("tests.integration.rig.health_app:app", port, workers=2),
        health_url=f"http://127.0.0.1:{port}/healthz",
    )
    worker_pid = int(requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).text.split()[1])
    assert server.kill() == -signal.SIGKILL
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
    assert not _alive(worker_pid), f"worker {worker_pid} survived its master"


def test_start_process_fails_with_the_log_when_the_process_dies_before_healthy(start_process):
    code = "import sys; print('DATABASE_URL tidak valid', flush=True); sys.exit(3)"
    with pytest.raises(pytest.fail.Exception) as failure:
        start_process(["python", "-c", code], health_url=f"http://127.0.0.1:{free_port()}/healthz")
    assert "exited with code 3" in str(failure.value)
    assert "DATABASE_URL tidak valid" in str(failure.value)


def test_start_process_fails_after_timeout_when_never_healthy(start_process):
    code = "import time; print('menunggu', flush=True); time.sleep(60)"
    with pytest.raises(pytest.fail.Exception) as failure:
        start_process([sys.executable, "-c", code], health_url=f"http://127.0.0.1:{free_port()}/", timeout=1)
    assert "did not answer 200 within 1 s" in str(failure.value)
    assert "menunggu" in str(failure.value)


def test_process_group_stops_what_the_test_left_running(tmp_path):
    group = ProcessGroup(tmp_path)
    handle = group.start(["python", "-c", "import time; time.sleep(60)"])
    assert handle.running
    group.stop_all(timeout=5)
    assert handle.returncode == -signal.SIGTERM


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            # A zombie ("Z") is dead but not reaped yet by init.
            return stat.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


def test_stop_escalates_to_sigkill_when_sigterm_is_ignored(start_process):
    code = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('siap', flush=True); time.sleep(60)"
    handle = start_process(["python", "-c", code])
    deadline = time.monotonic() + 10
    while "siap" not in handle.output() and time.monotonic() < deadline:
        time.sleep(0.05)  # the log line is this process's only readiness signal
    assert handle.stop(timeout=0.5) == -signal.SIGKILL
