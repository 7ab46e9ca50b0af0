"""GET /j/{token} in process (Flask test client, no server, no client threads): the cost of one visit.

    python -m bench.streaming_join_inprocess [--database sqlite|postgresql] [--visits 1000] [--rounds 7]

On a busy shared machine the wrk figures of streaming_join_wrk.sh swing by a factor of two from one
run to the next. The best of several rounds of sequential visits is steadier; run from two versions of
the code alternately (it only uses `bench.streaming_join.prepare` and the HTTP API), it tells whether a
change made the join path slower. A bare Flask redirect on the same test client is the baseline of the
run, so the printed ratio does not depend on how busy the machine was.
"""

from __future__ import annotations

import argparse
import tempfile
import time

from flask import Flask, redirect

from bench.harness import add_database_options, scratch_database
from bench.streaming_join import prepare, streaming_environ
from services.streaming.api import EXTENSION
from services.streaming.app import create_app
from shared.settings import load_settings


def bare_app() -> Flask:
    app = Flask("bare")

    @app.get("/j/<token>")
    def join(token):
        return redirect("https://us02web.zoom.us/j/81234567890")

    return app


def best_round(client, tokens: list[str], visits: int, rounds: int) -> tuple[float, float]:
    """Microseconds per visit of the fastest round: wall clock, and CPU time of this process.

    The CPU time leaves out waiting for a core on a busy machine (and PostgreSQL's own work).
    """
    best_wall = best_cpu = float("inf")
    for _ in range(rounds):
        started, started_cpu = time.perf_counter(), time.process_time()
        for i in range(visits):
            response = client.get(f"/j/{tokens[i % len(tokens)]}")
            if response.status_code != 302:
                raise SystemExit(f"answer {response.status_code}, not 302")
        best_wall = min(best_wall, (time.perf_counter() - started) / visits * 1e6)
        best_cpu = min(best_cpu, (time.process_time() - started_cpu) / visits * 1e6)
    return best_wall, best_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--visits", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=7)
    add_database_options(parser)
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="rakor-bench-join-inprocess-")
    with scratch_database(args, "rakor_bench_join", f"sqlite:///{data_dir}/streaming.db") as database_url:
        tokens = prepare(database_url, data_dir, 500)
        app = create_app(load_settings("streaming", environ=streaming_environ(database_url, data_dir)))
        bare = best_round(bare_app().test_client(), tokens, args.visits, args.rounds)
        join = best_round(app.test_client(), tokens, args.visits, args.rounds)
        app.extensions[EXTENSION].join_path.close()
        app.extensions[EXTENSION].session_factory.kw["bind"].dispose()
    print(
        f"{args.database} (best of {args.rounds} x {args.visits}): /j/{{token}} {join[0]:.0f} µs per visit (CPU {join[1]:.0f}),"
        f" bare redirect {bare[0]:.0f} µs (CPU {bare[1]:.0f}); ratio {bare[0] / join[0]:.2f} (CPU {bare[1] / join[1]:.2f})"
    )


if __name__ == "__main__":
    main()
