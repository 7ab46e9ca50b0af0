"""Reminders due at the same minute: time from the moment to the first mail, and the sending rate.

    python -m bench.notification_reminders [--recipients 10000] [--link-messages 10000]
        [--delay 0.02] [--pool 16] [--concurrency 16] [--database URL]

One meeting with --recipients confirmed in-person participants (email only) and one reminder
armed a few seconds ahead; the worker runs as in production (`python -m services.notification.worker`,
whose reminder thread sends it) against the SMTP sink of the throughput benchmark, which waits
--delay seconds before every reply. Measured at the sink: the first mail's arrival minus the
reminder's moment (target ≤ 5 s) and the rate from the first to the last mail. In the same run,
--link-messages `stream.link_issued` mails go through a fresh worker by the throughput benchmark's
own method (bench.notification_throughput.run_worker); the reminder rate is given as a ratio to it.
The participants are written through the store functions the bus handlers use (confirmations
through the bus would mail everyone first).
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

from bench.harness import (
    MEETING,
    ROOT,
    Measure,
    delete_vhost,
    fresh_vhost,
    parse_worker_args,
    print_against_baseline,
    stop_process,
    worker_env,
)
from bench.notification_throughput import Sink, run_worker
from services.notification import MIGRATIONS, store
from shared.db import make_engine, make_session_factory, migrate, unit_of_work
from shared.schemas.events import load_payload

LEAD_SECONDS = 5


def _meeting(starts_in: dt.timedelta, reminders: list[dict], sequence: int) -> dict:
    starts = (dt.datetime.now(dt.UTC) + starts_in).replace(microsecond=0)
    return {
        **MEETING,
        "id": "bench-rakor-pengingat",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + dt.timedelta(hours=3)).isoformat(),
        "reminders": reminders,
        "sequence": sequence,
        "status": "scheduled",
    }


def seed(session_factory, meeting: dict, count: int) -> None:
    now = dt.datetime.now(dt.UTC)
    with unit_of_work(session_factory) as session:
        store.save_meeting(session, load_payload("event.created", meeting), now)
        for i in range(count):
            registration = {
                "registration_id": f"bench-pengingat-{i:06d}",
                "event_id": meeting["id"],
                "agency_id": "bench-agency",
                "agency_name": "Dinas Komunikasi dan Informatika",
                "participant": {"full_name": f"Peserta Uji {i}", "email": f"peserta{i}@humas.go.id", "phone": None, "locale": "id"},
                "attendance_mode": "in_person",
                "status": "confirmed",
                "check_in_code": f"K{i:05d}",
                "meeting": meeting,
            }
            store.save_contact(session, load_payload("registration.confirmed", registration), status="confirmed", occurred_at=now, now=now)


def run_reminders(count: int, args, workdir: Path) -> tuple[float, float]:
    """(seconds from the reminder's moment to the first mail, mails per second)."""
    vhost = fresh_vhost()
    sink = Sink(workdir, args.delay)
    database_url = args.database or f"sqlite:///{workdir / 'reminders' / 'notification.db'}"
    engine = make_engine(database_url)
    worker = None
    try:
        migrate(engine, MIGRATIONS)
        session_factory = make_session_factory(engine)
        meeting = _meeting(dt.timedelta(hours=2), [], 0)
        seed(session_factory, meeting, count)
        env = worker_env(
            workdir / "reminders",
            database_url,
            f"amqp://guest:guest@127.0.0.1:5672/{vhost}",
            SMTP_HOST="127.0.0.1",
            SMTP_PORT=str(sink.port),
            SMTP_POOL_SIZE=str(args.pool),
            CONSUMER_CONCURRENCY=str(args.concurrency),
        )
        worker = subprocess.Popen([sys.executable, "-m", "services.notification.worker"], cwd=ROOT, env=env)
        # The moment: a whole second LEAD_SECONDS ahead, written as the reminder's distance from the start.
        starts = dt.datetime.fromisoformat(meeting["starts_at"])
        due = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=LEAD_SECONDS)).replace(microsecond=0)
        armed = {**meeting, "sequence": 1, "reminders": [{"before": f"PT{int((starts - due).total_seconds())}S"}]}
        with unit_of_work(session_factory) as session:
            store.save_meeting(session, load_payload("event.updated", armed), dt.datetime.now(dt.UTC))
        due_monotonic = time.monotonic() + (due - dt.datetime.now(dt.UTC)).total_seconds()
        rate = sink.rate_when(count, args.timeout, worker)
        _, first, _ = sink.read()
        return first - due_monotonic, rate
    finally:
        if worker is not None:
            stop_process(worker)
        sink.stop()
        engine.dispose()
        delete_vhost(vhost)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.notification_reminders", description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=10_000, help="confirmed participants, each reminded by email")
    parser.add_argument("--link-messages", type=int, default=10_000, help="link emails through the worker for the ratio")
    parser.add_argument("--delay", type=float, default=0.02, help="seconds the SMTP sink waits before each reply")
    parser.add_argument("--pool", type=int, default=16, help="SMTP_POOL_SIZE of the worker")
    parser.add_argument("--concurrency", type=int, default=16, help="CONSUMER_CONCURRENCY of the worker")
    args = parse_worker_args(parser, argv)
    reminders_line = f"reminders: first mail {{:.2f}} s after the moment (target <= 5 s), {{:.1f}} mails/s ({args.recipients} reminders, pool {args.pool}, {args.delay * 1000:g} ms per SMTP reply)"
    links_line = f"link fan-out (same run, bench.notification_throughput's method): {{:.1f}} mails/s ({args.link_messages} mails)"
    links = Measure(partial(run_worker, args.link_messages, args), links_line)
    print_against_baseline(
        "rakor-bench-reminders-", Measure(partial(run_reminders, args.recipients, args), reminders_line), links, "{:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
