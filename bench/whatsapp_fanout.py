"""Link messages per second over WhatsApp: the notification worker against one sender in a loop, same fake API.

    python -m bench.whatsapp_fanout [--messages 3000] [--baseline-messages 100] [--delay 0.1] [--database URL]

The worker runs as in production (`python -m services.notification.worker`, default settings: RabbitMQ,
its database, one row and attempt per message) and sends the `stream.link_issued` events of a meeting
whose channels are `["whatsapp"]` to the fake Cloud API of the tests (tests/fixtures/whatsapp_api.py,
checking every request's shape) running in its own process and answering each request after --delay
seconds. The baseline is the same WhatsApp sender called in one loop, one message after another,
against the same fake: what a plain script would do. Rates are counted at the fake API from the first
to the last accepted message, so start-up is not in them.
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from functools import partial
from pathlib import Path

from bench.harness import MEETING, CountingPeer, Measure, link_fanout_rate, link_payload, parse_worker_args, print_against_baseline
from services.notification.channels.whatsapp_cloud import WhatsAppCloudSender
from services.notification.domain.whatsapp import Template
from tests.fixtures.whatsapp_api import PHONE_NUMBER_ID, TEMPLATES, TOKEN

WHATSAPP_MEETING = {**MEETING, "channels": ["whatsapp"]}


class FakeApi(CountingPeer):
    """The fake Cloud API of the tests (bench/whatsapp_fake_api.py) in its own process."""

    def __init__(self, workdir: Path, delay: float):
        super().__init__("bench.whatsapp_fake_api", workdir, delay, name="fake API", unit="messages")
        self.url = f"http://127.0.0.1:{self.port}/v20.0"


def _payload(i: int) -> dict:
    payload = link_payload(i)
    payload["participant"]["phone"] = f"+62813{i:08d}"
    payload["meeting"] = WHATSAPP_MEETING
    return payload


def run_worker(count: int, args, workdir: Path) -> float:
    """The notification worker, default settings, sending `count` queued WhatsApp links to a fresh fake; messages per second."""
    api = FakeApi(workdir, args.delay)
    whatsapp = {
        "WHATSAPP_PROVIDER": "cloud",
        "WHATSAPP_API_URL": api.url,
        "WHATSAPP_TOKEN": TOKEN,
        "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
        "WHATSAPP_TEMPLATES": json.dumps(TEMPLATES),
    }
    return link_fanout_rate(count, _payload, api, workdir, args.database, args.timeout, **whatsapp)


def run_baseline(count: int, args, workdir: Path) -> float:
    api = FakeApi(workdir, args.delay)
    sender = WhatsAppCloudSender(api.url, TOKEN, PHONE_NUMBER_ID)
    template = Template("rakor_tautan", url_button=True)
    try:
        for i in range(count):
            sender.send(
                f"+62813{i:08d}",
                template,
                "id",
                [f"Peserta Uji {i}", MEETING["title"], "1 Desember 2021", "online", "-"],
                f"j/{uuid.uuid4().hex}",
            )
        return api.rate_when(count, 60)
    finally:
        sender.close()
        api.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.whatsapp_fanout", description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=3_000, help="link messages through the worker")
    parser.add_argument(
        "--baseline-messages", type=int, default=100, help="messages through the one-at-a-time loop (its rate is 1/delay at best)"
    )
    parser.add_argument("--delay", type=float, default=0.1, help="seconds the fake API waits before each answer")
    args = parse_worker_args(parser, argv)
    worker_line = f"notification worker: {{:.1f}} messages/s ({args.messages} WhatsApp links, default settings, {args.delay * 1000:g} ms per API answer)"
    loop_line = f"one-at-a-time loop:  {{:.1f}} messages/s ({args.baseline_messages} messages, same fake API)"
    loop = Measure(partial(run_baseline, args.baseline_messages, args), loop_line)
    print_against_baseline("rakor-bench-whatsapp-", Measure(partial(run_worker, args.messages, args), worker_line), loop, "{:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
