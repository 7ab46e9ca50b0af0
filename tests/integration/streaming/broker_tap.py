"""A tap on the real broker: an exclusive queue bound to `rakor.events` that collects the events of one meeting."""
from __future__ import annotations

import json
import time

import pika

from shared.messaging.topology import EXCHANGE, declare_topology


class Tap:
    """Collects envelopes of the given routing keys whose data.event_id is `event_id`."""

    def __init__(self, amqp_url: str, event_id: str, *routing_keys: str):
        self.event_id = event_id
        self.connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
        self.channel = self.connection.channel()
        declare_topology(self.channel, (5,))
        self.queue = self.channel.queue_declare("", exclusive=True, auto_delete=True).method.queue
        for key in routing_keys:
            self.channel.queue_bind(self.queue, EXCHANGE, routing_key=key)
        self.seen: list[dict] = []

    def wait_for(self, count: int, timeout: float = 15.0) -> list[dict]:
        """Wait until `count` matching envelopes arrived (fail after `timeout`), then a short grace for extras."""
        deadline = time.monotonic() + timeout
        while len(self.seen) < count and time.monotonic() < deadline:
            self._drain(0.05)
        assert len(self.seen) >= count, f"only {len(self.seen)} of {count} events arrived"
        self._drain(0.3)  # duplicates would arrive right behind
        return self.seen

    def _drain(self, pause: float) -> None:
        got_any = False
        while True:
            method, _props, body = self.channel.basic_get(self.queue, auto_ack=True)
            if method is None:
                break
            got_any = True
            envelope = json.loads(body)
            if envelope["data"].get("event_id") == self.event_id:
                self.seen.append(envelope)
        if not got_any:
            self.connection.sleep(pause)

    def close(self) -> None:
        if self.connection.is_open:
            self.connection.close()
