"""Importing a Zoom participant report of 3,000 online participants (two stays each) into streaming, against reading the file.

    python -m bench.zoom_report_import [--participants 3000] [--database sqlite|postgresql] [--rounds 3]

In process (Flask test client, no broker needed: the events stay in the outbox). Measured, best of
--rounds interleaved rounds on a fresh database each: the csv module reading the same bytes (the
baseline), parsing them into stays (`parse_zoom_csv`), the first import (every stay stored, every
total announced) and a second import of the same file (nothing changes). Target: a report of a
large meeting imports in well under the HTTP timeout of a browser (a few seconds).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import tempfile
import time
import uuid
import zoneinfo

from bench.harness import add_online_participants, pg_database
from services.streaming.api import EXTENSION
from services.streaming.app import create_app
from services.streaming.domain.zoom_report import parse_zoom_csv
from shared.settings import load_settings

ADMIN = "bench-admin-token-zoom-report"
HEADER = "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest,In Waiting Room\r\n"
WIB = zoneinfo.ZoneInfo("Asia/Jakarta")


def zoom_time(moment: dt.datetime) -> str:
    return moment.strftime("%m/%d/%Y %I:%M:%S %p")


def make_report(participants: int) -> bytes:
    """Each participant twice (a drop-out and a rejoin, overlapping by a minute), plus 5% guests without email."""
    start = dt.datetime(2021, 12, 1, 8, 55)
    lines = [HEADER]
    for n in range(participants):
        first_leave = start + dt.timedelta(minutes=30 + n % 60)
        lines.append(
            f"Peserta Daring {n},peserta{n}@pemda.go.id,{zoom_time(start + dt.timedelta(seconds=n % 300))},{zoom_time(first_leave)},35,No,No\r\n"
        )
        lines.append(
            f"Peserta Daring {n},peserta{n}@pemda.go.id,{zoom_time(first_leave - dt.timedelta(minutes=1))},{zoom_time(start + dt.timedelta(hours=3))},140,No,No\r\n"
        )
    for n in range(participants // 20):
        lines.append(f"Tamu {n},,{zoom_time(start)},{zoom_time(start + dt.timedelta(hours=1))},60,Yes,No\r\n")
    return "".join(lines).encode("utf-8")


def fresh_app(database_url: str, data_dir: str, participants: int):
    settings = load_settings(
        "streaming", environ={"RAKOR_ADMIN_TOKEN": ADMIN, "DATABASE_URL": database_url, "DATA_DIR": data_dir, "LOG_LEVEL": "WARNING"}
    )
    app = create_app(settings)
    engine = app.extensions[EXTENSION].session_factory.kw["bind"]
    event_id = str(uuid.uuid4())
    client, headers = app.test_client(), {"Authorization": f"Bearer {ADMIN}"}
    client.put(f"/v1/events/{event_id}/channels/zoom", json={"url": "https://us02web.zoom.us/j/81234567890"}, headers=headers)
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as connection:
        add_online_participants(connection, event_id, participants, now)
    return app, engine, event_id


def timed(action) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.zoom_report_import", description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=3000)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg-admin-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    report = make_report(args.participants)
    best: dict[str, float] = {}
    for _ in range(args.rounds):
        data_dir = tempfile.mkdtemp(prefix="rakor-bench-zoom-")
        pg_name = f"rakor_bench_zoom_{uuid.uuid4().hex[:8]}"
        database_url = pg_database(args.pg_admin_url, pg_name) if args.database == "postgresql" else f"sqlite:///{data_dir}/streaming.db"
        try:
            app, engine, event_id = fresh_app(database_url, data_dir, args.participants)
            client, url = app.test_client(), f"/v1/events/{event_id}/online-attendance?timezone=Asia/Jakarta"
            headers = {"Authorization": f"Bearer {ADMIN}", "Content-Type": "text/csv"}
            steps = {
                "csv.reader (baseline)": lambda: sum(1 for _ in csv.reader(io.StringIO(report.decode("utf-8-sig")))),
                "parse_zoom_csv": lambda: len(parse_zoom_csv(report, WIB)),
                "first import": lambda client=client, url=url, headers=headers: client.post(url, data=report, headers=headers).get_json(),
                "same report again": lambda client=client, url=url, headers=headers: client.post(
                    url, data=report, headers=headers
                ).get_json(),
            }
            for name, step in steps.items():
                seconds, result = timed(step)
                if isinstance(result, dict):
                    changed = sum(r["changed"] for r in result["registrations"])
                    assert result["matched"] == 2 * args.participants and changed == (args.participants if name == "first import" else 0), (
                        name,
                        changed,
                    )
                best[name] = min(best.get(name, seconds), seconds)
            engine.dispose()
        finally:
            if args.database == "postgresql":
                pg_database(args.pg_admin_url, pg_name, drop=True)
    baseline, parsing = best["csv.reader (baseline)"], best["parse_zoom_csv"]
    print(f"database: {args.database}; {args.participants} participants, {len(report) // 1024} KiB, best of {args.rounds} rounds")
    print(f"{'step':24s} {'seconds':>8s}  ÷ csv.reader  ÷ parse")
    for name, seconds in best.items():
        print(f"{name:24s} {seconds:8.3f}  {seconds / baseline:11.1f}x  {seconds / parsing:6.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
