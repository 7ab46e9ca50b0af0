"""Check-in at the door: 4 door phones check in 600 confirmed in-person people at once, server-side p50/p99.

    python -m bench.door_checkin [--database sqlite|postgresql] [--people 600] [--doors 4] [--workers 2]

The registration API runs under gunicorn (`-w 2`); each door is a thread with its own door token and
HTTP session, scanning its share of the codes as fast as the answers come. The server-side time of
each request is gunicorn's own (%(D)s in its access log), so the client's Python does not count.
In the same run, under the same gunicorn settings and driven the same way, a bare Flask endpoint that
validates the same body and answers 200 without a database gives the stack's floor for comparison.
Target: p99 ≤ 100 ms.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from bench.harness import ORGANIZER, add_database_options, create_meeting, free_port, registration_env, scratch_database, validating_app
from bench.registration_intake import serve, stop

ACCESS_FORMAT = "%(m)s %(U)s %(s)s %(D)s"  # method, path, status, microseconds
TARGET_P99_MS = 100.0


def create_baseline_app():
    """The floor: Flask + marshmallow checking a door body and answering 200, no auth, no database."""
    from marshmallow import RAISE, Schema, fields, validate

    class Body(Schema):
        class Meta:
            unknown = RAISE

        code = fields.String(required=True, validate=validate.Length(min=4, max=32))

    return validating_app(
        "door-baseline",
        "/v1/events/<event_id>/check-ins",
        Body(),
        lambda event_id, data: {"registration_id": str(uuid.uuid4()), "code": data["code"], "already_checked_in": False},
    )


def serve_logged(app_spec: str, workers: int, env: dict[str, str], log: Path) -> tuple[str, object]:
    port = free_port()
    extra = ["--access-logfile", str(log), "--access-logformat", ACCESS_FORMAT]
    process = serve(app_spec, port, workers, env, extra_args=extra)
    return f"http://127.0.0.1:{port}", process


def server_times_ms(log: Path) -> list[float]:
    """Server-side durations of the POSTs to …/check-ins in a gunicorn access log."""
    times = []
    for line in log.read_text().splitlines():
        method, path, status, micros = line.split()
        if method == "POST" and path.endswith("/check-ins"):
            times.append(int(micros) / 1000)
    return times


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def setup(base: str, people: int, doors: int) -> tuple[str, list[str], list[dict[str, str]]]:
    """A meeting with `people` confirmed in-person registrations (bulk, 4 agencies) and `doors` door tokens."""
    event_id = create_meeting(
        base,
        people,
        title="Rapat Koordinasi Nasional Kehumasan Pemerintah",
        venue={"name": "Hotel Bidakara", "address": "Jl. Gatot Subroto Kav. 71-73, Jakarta Selatan"},
    )
    codes: list[str] = []
    per_agency = -(-people // 4)
    for a in range(4):
        body = {"name": f"Biro Humas Kementerian {a}", "kind": "ministry", "contact_email": f"humas{a}@kementerian.go.id"}
        key = requests.post(f"{base}/v1/agencies", json=body, headers=ORGANIZER, timeout=30).json()["api_key"]
        rows = [
            {"full_name": f"Peserta Rakornas {a}-{n}", "email": f"peserta{a}.{n}@kementerian.go.id", "attendance_mode": "in_person"}
            for n in range(min(per_agency, people - len(codes)))
        ]
        answer = requests.post(
            f"{base}/v1/events/{event_id}/registrations/bulk",
            json={"registrations": rows},
            headers={"Authorization": f"Bearer {key}"},
            timeout=120,
        ).json()
        codes += [r["registration"]["check_in_code"] for r in answer["results"] if r["outcome"] == "created"]
    tokens = [
        {
            "Authorization": f"Bearer {requests.post(f'{base}/v1/events/{event_id}/door-tokens', json={'label': f'Pintu {d + 1}'}, headers=ORGANIZER, timeout=30).json()['token']}"
        }
        for d in range(doors)
    ]
    assert len(codes) == people and all(codes), "not every participant got a seat and a code"
    return event_id, codes, tokens


def scan_all(base: str, event_id: str, codes: list[str], tokens: list[dict[str, str]]) -> tuple[float, dict[int, int]]:
    """Each door scans every len(tokens)-th code on its own session; seconds taken and the count of each status."""
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def door(d: int) -> None:
        session = requests.Session()
        for code in codes[d :: len(tokens)]:
            status = session.post(f"{base}/v1/events/{event_id}/check-ins", json={"code": code}, headers=tokens[d], timeout=30).status_code
            with lock:
                statuses[status] = statuses.get(status, 0) + 1

    start = time.perf_counter()
    with ThreadPoolExecutor(len(tokens)) as pool:
        list(pool.map(door, range(len(tokens))))
    return time.perf_counter() - start, statuses


def describe(times: list[float]) -> str:
    return f"p50 {statistics.median(times):6.1f} ms  p99 {percentile(times, 99):6.1f} ms  max {max(times):6.1f} ms  (n={len(times)})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.door_checkin", description=__doc__.splitlines()[0])
    add_database_options(parser)
    parser.add_argument("--people", type=int, default=600)
    parser.add_argument("--doors", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="rakor-bench-door-") as data_dir:
        logs = Path(data_dir)
        with scratch_database(args, "rakor_bench_door", f"sqlite:///{data_dir}/registration.db") as database_url:
            base, baseline = serve_logged("bench.door_checkin:create_baseline_app()", args.workers, {}, logs / "baseline.log")
            try:
                fake_codes = [f"KODE{n:04d}" for n in range(args.people)]
                scan_all(base, "x", fake_codes, [{}] * args.doors)
            finally:
                stop(baseline)
            env = registration_env(database_url, data_dir)
            base, api = serve_logged("services.registration.app:create_app()", args.workers, env, logs / "api.log")
            try:
                event_id, codes, tokens = setup(base, args.people, args.doors)
                seconds, statuses = scan_all(base, event_id, codes, tokens)
                summary = requests.get(f"{base}/v1/events/{event_id}/check-ins/summary", headers=tokens[0], timeout=30).json()
            finally:
                stop(api)
        floor, door = server_times_ms(logs / "baseline.log"), server_times_ms(logs / "api.log")
    print(f"{args.doors} doors, {args.people} people, gunicorn -w {args.workers}, {args.database}")
    print(f"bare flask+marshmallow:  {describe(floor)}")
    print(f"door check-in:           {describe(door)}  {args.people / seconds:.0f} check-ins/s  {statuses}")
    print(f"p50 ratio to the floor: {statistics.median(door) / statistics.median(floor):.1f}x; summary {summary}")
    ok = percentile(door, 99) <= TARGET_P99_MS and statuses == {200: args.people} and summary["checked_in"] == args.people
    print(f"p99 target <= {TARGET_P99_MS:.0f} ms: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
