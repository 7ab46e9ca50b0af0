"""The real broker for registration tests: a private vhost, and a tap collecting the events of one meeting."""

from __future__ import annotations

import json
import subprocess
import time
import uuid

import pika
import pytest

from shared.messaging.topology import EXCHANGE, declare_topology


def private_vhost_url(request):
    """The suite's `amqp_url` when that fixture exists, else a vhost made (and later removed) here."""
    try:
        return request.getfixturevalue("amqp_url"), None
    except pytest.FixtureLookupError:
        pass
    vhost = f"rakor-registration-test-{uuid.uuid4().hex[:8]}"
    try:
        subprocess.run(["rabbitmqctl", "add_vhost", vhost], check=True, capture_output=True, timeout=30)
        subprocess.run(
            ["rabbitmqctl", "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"], check=True, capture_output=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.skip(f"no broker vhost for registration tests: {exc}")
    return f"amqp://guest:guest@127.0.0.1:5672/{vhost}", vhost


def delete_vhost(vhost: str | None) -> None:
    if vhost:
        subprocess.run(["rabbitmqctl", "delete_vhost", vhost], capture_output=True, timeout=30)


class Tap:
    """An exclusive queue on `rakor.events` keeping envelopes about one meeting (data.event_id or data.id)."""

    def __init__(self, amqp_url: str, event_id: str, *routing_keys: str):
        self.event_id = event_id
        self.connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
        self.channel = self.connection.channel()
        declare_topology(self.channel, (5,))
        self.queue = self.channel.queue_declare("", exclusive=True, auto_delete=True).method.queue
        for key in routing_keys:
            self.channel.queue_bind(self.queue, EXCHANGE, routing_key=key)
        self.seen: list[dict] = []

    def wait_for(self, count: int, timeout: float = 20.0) -> list[dict]:
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
            if self.event_id in (envelope["data"].get("event_id"), envelope["data"].get("id")):
                self.seen.append(envelope)
        if not got_any:
            self.connection.sleep(pause)

    def publish(self, routing_key: str, envelope: dict) -> None:
        self.channel.basic_publish(EXCHANGE, routing_key, json.dumps(envelope).encode(), pika.BasicProperties(delivery_mode=2))

    def close(self) -> None:
        if self.connection.is_open:
            self.connection.close()
