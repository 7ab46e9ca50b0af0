"""A counting SMTP sink for the notification benchmark: every reply waits `--delay` seconds, like a slow relay.

    python -m bench.notification_smtp_sink --port 2525 --delay 0.02 --count-file /tmp/count

It keeps no messages (parsing them would steal CPU from the sender being measured); it writes
"<count> <monotonic time of the first mail> <of the last mail>" to --count-file every 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP


class _Counter:
    def __init__(self):
        self.count, self.first, self.last = 0, 0.0, 0.0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        now = time.monotonic()
        with self.lock:
            self.count += 1
            self.first = self.first or now
            self.last = now
        return "250 2.0.0 Ok: queued"


class _SlowSMTP(SMTP):
    delay = 0.0

    async def push(self, status):
        if self.delay:
            await asyncio.sleep(self.delay)
        await super().push(status)


class _Controller(Controller):
    def factory(self):
        return _SlowSMTP(self.handler, **self.SMTP_kwargs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--delay", type=float, default=0.02)
    parser.add_argument("--count-file", required=True)
    args = parser.parse_args()
    _SlowSMTP.delay = args.delay
    counter = _Counter()
    controller = _Controller(counter, hostname="127.0.0.1", port=args.port)
    controller.start()
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    while not stopping.wait(0.1):
        with counter.lock:
            line = f"{counter.count} {counter.first} {counter.last}\n"
        temporary = args.count_file + ".tmp"
        with open(temporary, "w") as handle:
            handle.write(line)
        os.replace(temporary, args.count_file)
    controller.stop()


if __name__ == "__main__":
    main()
