"""Connection parameters and a readiness ping for RabbitMQ; the only place that turns a URL into pika settings.

RABBITMQ_URL may list the nodes of a cluster (see nodes.py). Every new connection tries them all,
in a fresh random order each time: a node that is down costs one refused connect (milliseconds on
a LAN) before the next is tried, and replicas spread over the nodes instead of all landing on the
first one, so the loss of one node moves only its share of the connections.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Sequence
from pathlib import Path

import pika

from shared.messaging.nodes import split_node_urls

HEARTBEAT_SECONDS = 30
CONNECT_TIMEOUT_SECONDS = 5


def node_parameters(
    url: str, *, name: str | None = None, heartbeat: int = HEARTBEAT_SECONDS, shuffle: bool = True
) -> list[pika.URLParameters]:
    """Parameters for each node `url` lists, shuffled unless told otherwise (one item: a list of one)."""
    nodes = [_parameters(node, name=name, heartbeat=heartbeat) for node in split_node_urls(url)]
    if shuffle:
        random.shuffle(nodes)
    return nodes


def connection_parameters(url: str, *, name: str | None = None, heartbeat: int = HEARTBEAT_SECONDS) -> pika.URLParameters:
    """Parameters for the first node `url` lists (tools that talk to one node; services use node_parameters)."""
    return _parameters(split_node_urls(url)[0], name=name, heartbeat=heartbeat)


def _parameters(url: str, *, name: str | None, heartbeat: int) -> pika.URLParameters:
    params = pika.URLParameters(url)
    params.heartbeat = heartbeat
    params.blocked_connection_timeout = 60
    params.socket_timeout = CONNECT_TIMEOUT_SECONDS
    params.stack_timeout = CONNECT_TIMEOUT_SECONDS * 2
    params.connection_attempts = 1
    if name:
        params.client_properties = {"connection_name": name}
    return params


def open_blocking(params: pika.connection.Parameters | Sequence[pika.connection.Parameters]) -> pika.BlockingConnection:
    """A BlockingConnection to the first node of `params` that answers (pika tries a list in order, once each).

    A socket cut between connect and handshake is a connection error like any other:
    pika reports that case (the peer gone before getpeername(), e.g. a broker or proxy going down at
    that moment) as a bare ValueError, which no reconnect loop would otherwise survive.
    """
    if not isinstance(params, pika.connection.Parameters):
        params = list(params)
    try:
        return pika.BlockingConnection(params)
    except ValueError as exc:
        if "Expected connected socket" in str(exc):
            raise pika.exceptions.AMQPConnectionError(str(exc)) from exc
        raise


def connected_node(connection: pika.BlockingConnection) -> pika.connection.Parameters:
    """The parameters of the node `connection` reached (of the list open_blocking was given)."""
    return connection._impl.params


def broker_ping(url: str) -> None:
    """Open and close a connection to any node; raise if none answers (used by /readyz)."""
    nodes = node_parameters(url, name="readyz")
    for params in nodes:
        params.socket_timeout = 2
        params.stack_timeout = 3
    connection = open_blocking(nodes)
    connection.close()


# Errors that mean "the connection is gone, connect again": a restart (320 CONNECTION_FORCED arrives
# as ConnectionClosedByBroker), a cut network (StreamLostError), a refused connect.
CONNECTION_ERRORS = (
    pika.exceptions.AMQPConnectionError,
    pika.exceptions.ConnectionClosedByBroker,
    pika.exceptions.StreamLostError,
    pika.exceptions.ChannelClosedByBroker,
    pika.exceptions.ChannelWrongStateError,
    pika.exceptions.ConnectionWrongStateError,
    OSError,
)


class Heartbeat:
    """Touches a file at most every few seconds so a container health check can see the loop is alive."""

    def __init__(self, path: Path | None, every: float = 5.0):
        self.path, self.every, self._last = path, every, 0.0
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)

    def beat(self) -> None:
        if self.path is None:
            return
        now = time.monotonic()
        if now - self._last >= self.every:
            self.path.touch()
            os.utime(self.path)
            self._last = now


class Backoff:
    """Growing waits between reconnects: 0.5 s doubling up to 10 s, reset after a good connection.

    The cap keeps the time from a broker's return to the reconnect short (at most 10 s) while an
    outage of any length costs only one connection attempt every 10 s.
    """

    def __init__(self, first: float = 0.5, cap: float = 10.0):
        self.first, self.cap, self.current = first, cap, first

    def next(self) -> float:
        value = self.current
        self.current = min(self.current * 2, self.cap)
        return value

    def reset(self) -> None:
        self.current = self.first


def serve_worker_metrics(port: int) -> None:
    """Expose this process's Prometheus metrics on `port` (relays and consumers have no HTTP app of their own)."""
    if port:
        from prometheus_client import start_http_server

        start_http_server(port)
