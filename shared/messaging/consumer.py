"""The consumer runner: one service's queue in, handlers in a thread pool, acks after commit, retries, dead letters.

Handlers run in worker threads while the connection's thread keeps serving I/O, so heartbeats go
on during a slow handler (pika's BlockingConnection only sends them while it does I/O). Workers
hand their outcome back with add_callback_threadsafe; every ack, retry and dead-letter publish
happens on the connection's thread, as pika requires.

A handler still running after its deadline (HANDLER_TIMEOUT_SECONDS) has its message sent to the
next retry tier and acked; whatever it does later is ignored by the runner (and absorbed by dedup if
it commits). While it hangs the worker reports itself unhealthy: its heartbeat file goes stale and
`rakor_consumer_handlers_overdue` is above 0, so an orchestrator restarts it.
"""

from __future__ import annotations

import functools
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pika
from prometheus_client import Counter, Gauge, Histogram
from sqlalchemy.orm import Session

from shared.messaging.connection import CONNECTION_ERRORS, HEARTBEAT_SECONDS, Backoff, Heartbeat, node_parameters, open_blocking
from shared.messaging.handling import DEAD, RETRY, Handler, Outcome, process_message
from shared.messaging.process import serve_until_signalled
from shared.messaging.topology import dead_letter_queue_name, prepare_topology, queue_name, requeue_exchange_name, retry_queue_name

log = logging.getLogger(__name__)

MESSAGES = Counter("rakor_consumer_messages_total", "Bus messages settled by consumers", ["service", "action", "reason"])
HANDLE_SECONDS = Histogram("rakor_consumer_handle_seconds", "Time to handle one bus message", ["service"])
HANDLERS_OVERDUE = Gauge(
    "rakor_consumer_handlers_overdue", "Handlers still running past their deadline (the worker is unhealthy)", ["service"]
)
CONSUMER_HEALTHY = Gauge("rakor_consumer_healthy", "1 while attached to the broker with no handler past its deadline", ["service"])

ATTEMPT_HEADER = "x-rakor-attempt"


def choose_retry_delay(delays: tuple[float, ...], attempt: int, retry_after: float | None) -> float | None:
    """The delay before attempt `attempt + 1`, or None when the retries are used up.

    Attempt n waits delays[n-1]; a Retry-After longer than that moves to the first tier that covers it.
    """
    if attempt > len(delays):
        return None
    delay = delays[attempt - 1]
    if retry_after and retry_after > delay:
        longer = [d for d in delays if d >= retry_after]
        delay = longer[0] if longer else delays[-1]
    return delay


def persistent_copy(properties: pika.BasicProperties, headers: dict[str, Any]) -> pika.BasicProperties:
    """The properties a message is published again with (retry tier, dead letter, redrive): its own identity, new headers, persistent."""
    return pika.BasicProperties(
        content_type=properties.content_type or "application/json",
        delivery_mode=2,
        message_id=properties.message_id,
        type=properties.type,
        app_id=properties.app_id,
        headers=headers,
    )


@dataclass(eq=False)
class InFlight:
    """One delivery handed to a handler thread; `abandoned` once the runner settled it without the handler."""

    channel: Any
    method: Any
    properties: Any
    body: bytes
    attempt: int
    started: float
    abandoned: bool = False


class Consumer:
    """Consumes `rakor.<service>` until stop(); reconnects after a lost connection or a broker restart."""

    def __init__(
        self,
        service: str,
        amqp_url: str,
        handlers: Mapping[str, Handler],
        session_factory: Callable[[], Session],
        *,
        deps: Any = None,
        prefetch: int = 32,
        concurrency: int = 4,
        retry_delays: tuple[float, ...] = (5, 30, 120, 600, 3600),
        heartbeat_file: Path | None = None,
        stop_timeout: float = 60.0,
        heartbeat: int = HEARTBEAT_SECONDS,
        handler_timeout: float = 300.0,
    ):
        self.handler_timeout = handler_timeout
        self.heartbeat = heartbeat
        self.service = service
        self.amqp_url = amqp_url
        self.handlers = dict(handlers)
        self.session_factory = session_factory
        self.deps = deps
        self.prefetch = max(prefetch, concurrency)
        self.concurrency = concurrency
        self.retry_delays = tuple(retry_delays)
        self.stop_timeout = stop_timeout
        self.name = f"{service}-consumer@{socket.gethostname()}:{os.getpid()}"
        self.settled = 0
        self._heartbeat = Heartbeat(heartbeat_file)
        self._stopping = threading.Event()
        self._ready = threading.Event()
        # Messages received and not yet settled. Counted on the connection's thread, except when a
        # handler thread finds the connection gone; the lock keeps those updates from being lost.
        self._in_hand = 0
        self._in_hand_lock = threading.Lock()
        self._in_flight: dict[int, InFlight] = {}
        self._overdue: set[InFlight] = set()
        self._executor: ThreadPoolExecutor | None = None

    @property
    def healthy(self) -> bool:
        """Attached to the broker, and no handler is running past its deadline."""
        return self._ready.is_set() and not self._overdue

    @property
    def overdue(self) -> int:
        return len(self._overdue)

    def run(self) -> None:
        backoff = Backoff()
        self._executor = ThreadPoolExecutor(self.concurrency, thread_name_prefix=f"{self.service}-handler")
        try:
            while not self._stopping.is_set():
                try:
                    self._consume_until_closed(backoff)
                except CONNECTION_ERRORS as exc:
                    log.warning("%s: broker connection lost (%s: %s); reconnecting", self.name, type(exc).__name__, exc)
                except Exception:  # noqa: BLE001 - pika raises odd errors on a dying connection; never let the loop die
                    log.exception("%s: consumer loop failed; reconnecting", self.name)
                self._ready.clear()
                self._report_health()
                if not self._stopping.is_set():
                    self._stopping.wait(backoff.next())
        finally:
            # A handler hung past its deadline would keep a waiting shutdown here forever.
            self._executor.shutdown(wait=not self._overdue, cancel_futures=True)

    def stop(self) -> None:
        """Finish the messages in hand, settle them, close; safe from any thread or a signal handler."""
        self._stopping.set()

    def wait_ready(self, timeout: float = 10.0) -> bool:
        """Block until the consumer is attached to its queue (for tests)."""
        return self._ready.wait(timeout)

    def _consume_until_closed(self, backoff: Backoff) -> None:
        connection = open_blocking(node_parameters(self.amqp_url, name=self.name, heartbeat=self.heartbeat))
        try:
            self._forget_in_flight()
            prepare_topology(connection, self.service, self.retry_delays, consumes=True)
            channel = connection.channel()
            publisher = connection.channel()
            publisher.confirm_delivery()
            channel.basic_qos(prefetch_count=self.prefetch)
            on_message = functools.partial(self._on_message, connection, publisher)
            tag = channel.basic_consume(queue_name(self.service), on_message)
            backoff.reset()
            self._ready.set()
            log.info("%s: consuming %s", self.name, queue_name(self.service))
            while not self._stopping.is_set() and connection.is_open:
                connection.process_data_events(time_limit=0.5)
                self._abandon_overdue(publisher)
                self._report_health()
                if not self._overdue:
                    self._heartbeat.beat()
            if connection.is_open:
                channel.basic_cancel(tag)
                self._drain(connection)
        finally:
            if connection.is_open:
                try:
                    connection.close()
                except CONNECTION_ERRORS:
                    pass

    def _drain(self, connection) -> None:
        deadline = time.monotonic() + self.stop_timeout
        while self._in_hand > 0 and time.monotonic() < deadline:
            connection.process_data_events(time_limit=0.1)

    def _count_in_hand(self, change: int | None) -> None:
        """Add `change` to the messages in hand; None: none in hand (a lost connection's come back from the broker)."""
        with self._in_hand_lock:
            self._in_hand = 0 if change is None else self._in_hand + change

    def _on_message(self, connection, publisher, channel, method, properties, body) -> None:
        self._count_in_hand(+1)
        headers = properties.headers or {}
        try:
            attempt = max(1, int(headers.get(ATTEMPT_HEADER, 1)))
        except (TypeError, ValueError):
            attempt = 1
        delivery = InFlight(channel, method, properties, body, attempt, time.monotonic())
        self._in_flight[method.delivery_tag] = delivery
        self._executor.submit(self._work, connection, publisher, delivery)

    def _work(self, connection, publisher, delivery: InFlight) -> None:
        started = time.perf_counter()
        try:
            outcome = process_message(
                delivery.body, attempt=delivery.attempt, handlers=self.handlers, session_factory=self.session_factory, deps=self.deps
            )
        except Exception as exc:  # noqa: BLE001 - the runner must survive anything a handler or the database does
            log.exception("%s: processing failed outside the handler", self.name)
            outcome = Outcome(RETRY, "error", f"{type(exc).__name__}: {exc}"[:500])
        HANDLE_SECONDS.labels(self.service).observe(time.perf_counter() - started)
        finish = functools.partial(self._finish, publisher, delivery, outcome)
        try:
            connection.add_callback_threadsafe(finish)
        except CONNECTION_ERRORS:
            # The connection died meanwhile; the broker redelivers the message and dedup absorbs it.
            self._overdue.discard(delivery)
            if not delivery.abandoned:
                self._count_in_hand(-1)

    def _finish(self, publisher, delivery: InFlight, outcome: Outcome) -> None:
        """On the connection's thread: settle a handler's outcome, unless its deadline already settled it."""
        if delivery.abandoned:
            self._overdue.discard(delivery)
            log.warning(
                "%s: a handler finished %.0f s after its message was retried (%s)",
                self.name,
                time.monotonic() - delivery.started,
                outcome.reason,
            )
            return
        self._in_flight.pop(delivery.method.delivery_tag, None)
        self._settle(delivery.channel, publisher, delivery.method, delivery.properties, delivery.body, delivery.attempt, outcome)

    def _abandon_overdue(self, publisher) -> None:
        """Retry the message of every handler past its deadline; its thread is left to finish or hang."""
        now = time.monotonic()
        for tag, delivery in list(self._in_flight.items()):
            if now - delivery.started <= self.handler_timeout:
                continue
            delivery.abandoned = True
            del self._in_flight[tag]
            self._overdue.add(delivery)
            log.error(
                "%s: handler of message %s still running after %g s; retrying it and reporting unhealthy",
                self.name,
                delivery.properties.message_id or tag,
                self.handler_timeout,
            )
            outcome = Outcome(RETRY, "handler-timeout", f"the handler did not finish within {self.handler_timeout:g} s")
            self._settle(delivery.channel, publisher, delivery.method, delivery.properties, delivery.body, delivery.attempt, outcome)

    def _forget_in_flight(self) -> None:
        # Deliveries of a lost connection come back from the broker; late outcomes for them are dropped.
        for delivery in self._in_flight.values():
            delivery.abandoned = True
        self._in_flight.clear()
        self._count_in_hand(None)

    def _report_health(self) -> None:
        HANDLERS_OVERDUE.labels(self.service).set(len(self._overdue))
        CONSUMER_HEALTHY.labels(self.service).set(1 if self.healthy else 0)

    def _settle(self, channel, publisher, method, properties, body, attempt, outcome: Outcome) -> None:
        self._count_in_hand(-1)
        try:
            if outcome.action == RETRY:
                delay = choose_retry_delay(self.retry_delays, attempt, outcome.retry_after)
                if delay is None:
                    outcome = Outcome(DEAD, "retries-exhausted", outcome.error, event_type=outcome.event_type, event_id=outcome.event_id)
                else:
                    self._republish(
                        publisher, self.service, retry_queue_name(self.service, delay), method, properties, body, attempt + 1, outcome
                    )
            if outcome.action == DEAD:
                self._republish(publisher, self.service, dead_letter_queue_name(self.service), method, properties, body, attempt, outcome)
                log.error(
                    "%s: dead-lettered %s %s: %s %s",
                    self.name,
                    outcome.event_type or "message",
                    outcome.event_id or method.delivery_tag,
                    outcome.reason,
                    outcome.error,
                )
            channel.basic_ack(method.delivery_tag)
            self.settled += 1
            MESSAGES.labels(self.service, outcome.action, outcome.reason).inc()
        except CONNECTION_ERRORS as exc:
            log.warning("%s: could not settle message (%s); it will be redelivered", self.name, exc)

    @staticmethod
    def _republish(publisher, service: str, queue: str, method, properties, body, attempt: int, outcome: Outcome) -> None:
        # Published with a confirm before the original is acked: a crash in between duplicates the
        # message (absorbed by dedup) but never loses it.
        headers = dict(properties.headers or {})
        headers.pop("x-death", None)
        headers.update(
            {
                ATTEMPT_HEADER: attempt,
                "x-rakor-reason": outcome.reason,
                "x-rakor-error": outcome.error[:1000],
                "x-rakor-routing-key": method.routing_key,
                "x-rakor-failed-at": int(time.time()),
            }
        )
        publisher.basic_publish(
            requeue_exchange_name(service),
            queue,
            body,
            persistent_copy(properties, headers),
            mandatory=True,
        )


def run_consumer(service: str, settings, handlers: Mapping[str, Handler], session_factory, deps: Any = None) -> None:
    """Entry point body of `python -m services.<service>.worker`: consume until SIGTERM/SIGINT, then exit 0."""
    consumer = Consumer(
        service,
        settings.rabbitmq_url,
        handlers,
        session_factory,
        deps=deps,
        prefetch=settings.consumer_prefetch,
        concurrency=settings.consumer_concurrency,
        retry_delays=settings.retry_delays,
        heartbeat_file=settings.data_dir / f"{service}-worker.alive",
        handler_timeout=settings.handler_timeout_seconds,
    )
    serve_until_signalled(consumer.run, consumer.stop, settings.worker_metrics_port)
    log.info("%s stopped after %d messages", consumer.name, consumer.settled)
    if consumer.overdue:
        # Python would wait at exit for the hung handler thread; its message is already retried.
        log.error("%s: %d handler(s) still hung; exiting without them", consumer.name, consumer.overdue)
        logging.shutdown()
        os._exit(1)
