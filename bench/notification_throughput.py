"""Link emails per second: the notification worker (pooled SMTP, threads) against a Celery baseline.

    python -m bench.notification_throughput [--messages 10000] [--baseline-messages 1000]
        [--delay 0.02] [--pool 16] [--concurrency 16] [--database URL] [--skip-baseline]

Both sides send stream.link_issued emails rendered from the same templates to the same SMTP sink,
which waits --delay seconds before every reply (a slow relay). The worker runs as in production
(`python -m services.notification.worker`: RabbitMQ, its database, one row and attempt per mail);
the baseline is Celery with 2 prefork processes and a new smtplib connection per mail. Each rate is
counted at the sink from the first to the last mail, so start-up is not in it. The queue is filled
before a consumer starts. Each side gets a fresh RabbitMQ vhost (made with rabbitmqctl).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import uuid
from functools import partial
from pathlib import Path

from bench.harness import (
    MEETING,
    ROOT,
    CountingPeer,
    Measure,
    add_worker_options,
    delete_vhost,
    fresh_vhost,
    link_fanout_rate,
    link_payload,
    print_against_baseline,
    stop_process,
)
from services.notification.domain.messages import Recipient, build_context, plan_messages


class Sink(CountingPeer):
    """The SMTP sink (bench/notification_smtp_sink.py) in its own process."""

    def __init__(self, workdir: Path, delay: float):
        super().__init__("bench.notification_smtp_sink", workdir, delay, name="SMTP sink", unit="mails")


def run_worker(count: int, args, workdir: Path) -> float:
    """The notification worker sending `count` queued link emails to a fresh sink; mails per second."""
    sink = Sink(workdir, args.delay)
    smtp = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(sink.port), "SMTP_POOL_SIZE": str(args.pool)}
    threads = {"CONSUMER_CONCURRENCY": str(args.concurrency), "CONSUMER_PREFETCH": str(args.concurrency * 4)}
    return link_fanout_rate(count, link_payload, sink, workdir, args.database, args.timeout, **smtp, **threads)


def run_baseline(count: int, args, workdir: Path) -> float:
    vhost = fresh_vhost()
    broker = f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    sink = Sink(workdir, args.delay)
    worker = None
    try:
        os.environ["BENCH_CELERY_BROKER"] = broker
        from bench.notification_celery_baseline import app, send_link_email

        app.conf.broker_url = broker
        recipients = []
        for i in range(count):
            payload = link_payload(i)
            person = payload["participant"]
            recipients.append(
                Recipient(payload["registration_id"], person["full_name"], person["email"], None, "id", "online", "confirmed")
            )
        with app.producer_or_acquire() as producer:
            for i, recipient in enumerate(recipients):
                [message] = plan_messages("link_issued", [recipient])
                context = build_context(
                    message,
                    MEETING,
                    extra={
                        "join_url": f"https://rakor.example.go.id/j/{i}",
                        "youtube_url": "https://www.youtube.com/watch?v=ditjenikp2021",
                    },
                )
                send_link_email.apply_async((context, str(uuid.uuid4())), producer=producer)
        env = {**os.environ, "BENCH_CELERY_BROKER": broker, "BENCH_SMTP_HOST": "127.0.0.1", "BENCH_SMTP_PORT": str(sink.port)}
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "bench.notification_celery_baseline",
                "worker",
                "--concurrency",
                str(args.baseline_processes),
                "--pool",
                "prefork",
                "--loglevel",
                "WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=env,
        )
        return sink.rate_when(count, args.timeout, worker)
    finally:
        if worker is not None:
            stop_process(worker)
        sink.stop()
        delete_vhost(vhost)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.notification_throughput", description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000, help="link emails through the worker")
    parser.add_argument(
        "--baseline-messages", type=int, default=1_000, help="link emails through Celery (its rate is steady; 10,000 take ~12 min)"
    )
    parser.add_argument("--delay", type=float, default=0.02, help="seconds the SMTP sink waits before each reply")
    parser.add_argument("--pool", type=int, default=16, help="SMTP_POOL_SIZE of the worker")
    parser.add_argument("--concurrency", type=int, default=16, help="CONSUMER_CONCURRENCY of the worker")
    parser.add_argument("--baseline-processes", type=int, default=2)
    add_worker_options(parser)
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args(argv)
    worker_line = f"notification worker: {{:.1f}} mails/s ({args.messages} mails, pool {args.pool}, {args.concurrency} threads, {args.delay * 1000:g} ms per SMTP reply)"
    celery_line = f"celery baseline:     {{:.1f}} mails/s ({args.baseline_messages} mails, {args.baseline_processes} processes, new connection per mail)"
    celery = None if args.skip_baseline else Measure(partial(run_baseline, args.baseline_messages, args), celery_line)
    print_against_baseline("rakor-bench-notification-", Measure(partial(run_worker, args.messages, args), worker_line), celery, "{:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
