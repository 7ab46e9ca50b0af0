"""Every benchmark of the suite, one after the other (`make bench`); figures are recorded in BENCHMARKS.md.

Each benchmark measures its own baseline in the same run, so compare the ratios it prints, not
absolute figures across runs: the machine is shared and noisy.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BENCHMARKS = [
    [sys.executable, "-m", "bench.relay_throughput", "--events", "20000", "--rounds", "3"],
    [sys.executable, "-m", "bench.relay_throughput", "--cluster", "--events", "20000", "--rounds", "3"],
    ["bash", "bench/registration_intake_wrk.sh", "20", "2"],
    [sys.executable, "-m", "bench.registration_intake"],
    [sys.executable, "-m", "bench.registration_bulk"],
    [sys.executable, "-m", "bench.door_checkin"],
    [sys.executable, "-m", "bench.door_checkin", "--database", "postgresql"],
    [sys.executable, "-m", "bench.agency_key_check"],
    [sys.executable, "-m", "bench.agency_key_check", "--database", "postgresql"],
    [sys.executable, "-m", "bench.notification_throughput"],
    [sys.executable, "-m", "bench.notification_latency", "--seconds", "30"],
    [sys.executable, "-m", "bench.notification_reminders"],
    [sys.executable, "-m", "bench.agency_digest"],
    [sys.executable, "-m", "bench.whatsapp_fanout"],
    [sys.executable, "-m", "bench.streaming_publish"],
    [sys.executable, "-m", "bench.streaming_publish", "--database", "postgresql"],
    [sys.executable, "-m", "bench.streaming_join"],
    ["bash", "bench/streaming_join_wrk.sh", "20", "2"],
    ["bash", "bench/streaming_join_wrk.sh", "20", "2", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"],
    [sys.executable, "-m", "bench.console_door_page_size"],
    [sys.executable, "-m", "bench.attendance_documents"],
    [sys.executable, "-m", "bench.certificate_render"],
    [sys.executable, "-m", "bench.certificates_end_to_end"],
    [sys.executable, "-m", "bench.registration_pgbouncer"],
    [sys.executable, "-m", "bench.process_memory"],
]


def main() -> int:
    failed = 0
    for argv in BENCHMARKS:
        print("\n$ " + " ".join(a if a != sys.executable else "python" for a in argv), flush=True)
        failed += subprocess.run(argv, cwd=ROOT).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
