"""The fake WhatsApp Cloud API of the tests, in its own process, answering every request after `--delay` seconds.

    python -m bench.whatsapp_fake_api --port 9100 --delay 0.1 --count-file /tmp/count

Writes "<accepted> <monotonic time of the first> <of the last>" to --count-file every 100 ms.
"""

from __future__ import annotations

import argparse
import signal
import threading
import time

from tests.fixtures.whatsapp_api import WhatsAppApi


class CountingApi(WhatsAppApi):
    def __init__(self):
        super().__init__()
        self.first = self.last = 0.0

    def _answer(self, path, headers, raw):
        answer = super()._answer(path, headers, raw)
        now = time.monotonic()
        with self._cond:
            self.first = self.first or now
            self.last = now
            # Keep no bodies: the benchmark only counts.
            self.requests.clear()
        return answer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--delay", type=float, default=0.1)
    parser.add_argument("--count-file", required=True)
    args = parser.parse_args()
    api = CountingApi()
    api.delay = args.delay
    api.start(port=args.port)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    while not stop.is_set():
        with api._cond:
            line = f"{len(api.messages)} {api.first} {api.last}"
        with open(args.count_file, "w") as handle:
            handle.write(line)
        stop.wait(0.1)
    api.stop()


if __name__ == "__main__":
    main()
