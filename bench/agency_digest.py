"""Agency digests at the close of a window: how long one worker takes to seal and send every agency's digest.

    python -m bench.agency_digest [--agencies 200] [--items 25] [--delay 0.02] [--database URL]

--agencies agencies each with --items changes waiting (confirmations of one meeting) in a fresh
database; one worker's digest pass (`send_due_digests`, as the scheduler thread calls it, clock at
the next window) seals them and sends one mail per agency to the SMTP sink of the throughput
benchmark (--delay seconds before every reply). Baseline in the same run, through the same courier
and sink: as many bulk summaries (one mail each, the bus path of `agency.bulk_processed`), sent one
after another. The ratio says what sealing and building a digest of --items changes costs on top of
sending one agency mail.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

from bench.notification_throughput import MEETING, Sink
from services.notification import digest_store, digesting, operations, store
from services.notification.channels import build_channels
from services.notification.courier import Courier
from services.notification.domain.digest import digest_item, window_start
from services.notification.worker import MIGRATIONS
from shared.db import make_engine, make_session_factory, migrate, unit_of_work
from shared.schemas.events import load_payload
from shared.settings import load_settings

MINUTES = 60


def _agency(n: int) -> dict:
    return {
        "agency_id": f"bench-agency-{n:04d}",
        "name": f"Dinas Kominfo Kabupaten Uji {n}",
        "contact_email": f"kepegawaian{n}@kab-uji.go.id",
        "digest_enabled": True,
        "locale": "id",
        "updated_at": "2021-11-01T08:00:00+07:00",
    }


def seed(session_factory, agencies: int, items: int) -> None:
    now = dt.datetime.now(dt.UTC)
    meeting = load_payload("event.created", MEETING)
    with unit_of_work(session_factory) as session:
        store.save_meeting(session, meeting, now)
        for n in range(agencies):
            digest_store.save_agency(session, load_payload("agency.updated", _agency(n)), now)
            for i in range(items):
                data = {
                    "registration_id": f"bench-{n:04d}-{i:04d}",
                    "event_id": MEETING["id"],
                    "agency_id": f"bench-agency-{n:04d}",
                    "attendance_mode": "in_person",
                    "participant": {"full_name": f"Peserta Uji {n}-{i}", "position": "Pranata Humas Ahli Muda"},
                    "meeting": meeting,
                }
                digest_store.record_item(session, f"bench-event-{n:04d}-{i:04d}", digest_item("registration.confirmed", data, now), now)


def _courier(database_url: str, workdir: Path, port: int) -> Courier:
    settings = load_settings(
        "notification",
        environ={
            "RAKOR_ENV": "dev",
            "DATABASE_URL": database_url,
            "DATA_DIR": str(workdir),
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(port),
            "SMTP_POOL_SIZE": "1",
        },
        require_admin_token=False,
    )
    return Courier(build_channels(settings))


def run(args, workdir: Path) -> tuple[float, float]:
    """(seconds for the digest pass, seconds for as many bulk summaries one after another)."""
    sink = Sink(workdir, args.delay)
    database_url = args.database or f"sqlite:///{workdir / 'notification.db'}"
    engine = make_engine(database_url)
    courier = None
    try:
        migrate(engine, MIGRATIONS)
        sessions = make_session_factory(engine)
        seed(sessions, args.agencies, args.items)
        courier = _courier(database_url, workdir, sink.port)
        later = window_start(dt.datetime.now(dt.UTC), MINUTES) + dt.timedelta(minutes=MINUTES)
        started = time.perf_counter()
        taken = digesting.send_due_digests(sessions, courier, MINUTES, clock=lambda: later)
        digests = time.perf_counter() - started
        assert taken == args.agencies, f"{taken} digests of {args.agencies}"
        started = time.perf_counter()
        for n in range(args.agencies):
            data = load_payload(
                "agency.bulk_processed",
                {
                    "request_id": f"bench-{n}",
                    "agency_id": f"bench-agency-{n:04d}",
                    "event_id": MEETING["id"],
                    "created": args.items,
                    "duplicates": 0,
                    "invalid": [],
                    "agency": _agency(n),
                    "meeting": MEETING,
                },
            )
            operations.notify(sessions, courier, f"bench-bulk-{n:06d}", "agency.bulk_processed", data, dt.datetime.now(dt.UTC), attempt=1)
        summaries = time.perf_counter() - started
        # The sink writes its count file after each mail; wait for the last one to be counted.
        sink.rate_when(2 * args.agencies, 30, sink.process)
        return digests, summaries
    finally:
        if courier is not None:
            courier.close()
        sink.stop()
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.agency_digest", description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=200)
    parser.add_argument("--items", type=int, default=25, help="changes waiting per agency")
    parser.add_argument("--delay", type=float, default=0.02, help="seconds the SMTP sink waits before each reply")
    parser.add_argument("--database", help="DATABASE_URL (default: a fresh SQLite file)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="rakor-bench-digest-") as directory:
        digests, summaries = run(args, Path(directory))
    print(
        f"digest pass: {args.agencies} agencies x {args.items} changes sealed and sent in {digests:.2f} s = {args.agencies / digests:.1f} digests/s"
    )
    print(
        f"baseline (same run): {args.agencies} bulk summaries one after another in {summaries:.2f} s = {args.agencies / summaries:.1f} mails/s"
    )
    print(f"ratio: {summaries / digests:.2f} of the baseline's rate ({args.delay * 1000:g} ms per SMTP reply)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
