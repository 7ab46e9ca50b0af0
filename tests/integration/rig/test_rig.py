"""The rig's broker and proxy fixtures: vhost isolation, taps, raw publishing, cuts and restores."""

from __future__ import annotations

import smtplib
import socket
import threading
import urllib.parse

import pika
import pika.exceptions
import pytest
from aiosmtpd.controller import Controller

from tests.fixtures.processes import free_port

CONFIRMED = "registration.confirmed"


def make_envelope(event_type: str = CONFIRMED, **data) -> dict:
    """A minimal envelope as producers publish it (payload contents do not matter to the rig)."""
    return {
        "id": "7f1c2a8e-5b3d-4c1e-9a51-3e2f0c6d8b10",
        "type": event_type,
        "version": 1,
        "occurred_at": "2021-12-01T08:00:00+07:00",
        "producer": "registration",
        "correlation_id": "rakor-humas-2021",
        "data": {"registration_id": "r-1", "participant": {"full_name": "Dwi Hartanto"}, **data},
    }


def test_amqp_url_is_a_private_vhost_on_the_local_broker(amqp_url):
    vhost = urllib.parse.unquote(urllib.parse.urlsplit(amqp_url).path[1:])
    assert vhost.startswith("rakor-test-")
    pika.BlockingConnection(pika.URLParameters(amqp_url)).close()


def test_a_message_published_in_one_vhost_is_not_seen_in_another(bus, fresh_amqp_url):
    other = pika.BlockingConnection(pika.URLParameters(fresh_amqp_url))
    try:
        channel = other.channel()
        channel.exchange_declare("rakor.events", exchange_type="topic", durable=True)
        channel.queue_declare("other.all", arguments={"x-expires": 60_000})
        channel.queue_bind("other.all", "rakor.events", routing_key="#")
        tap = bus.tap()
        bus.publish_raw(CONFIRMED, make_envelope())
        assert len(tap.wait_for(1)) == 1
        assert channel.queue_declare("other.all", passive=True).method.message_count == 0
    finally:
        other.close()


def test_tap_receives_only_its_routing_keys_as_decoded_envelopes(bus):
    confirmed = bus.tap(CONFIRMED)
    everything = bus.tap()
    bus.publish_raw(CONFIRMED, make_envelope(), headers={"x-trace": "humas"})
    bus.publish_raw("registration.cancelled", make_envelope("registration.cancelled"))
    [envelope] = confirmed.wait_for(1)
    assert envelope["data"]["participant"]["full_name"] == "Dwi Hartanto"
    assert confirmed.deliveries[0].headers == {"x-trace": "humas"}
    assert [e["type"] for e in everything.wait_for(2)] == [CONFIRMED, "registration.cancelled"]
    assert len(confirmed.drain(0.3)) == 1


def test_wait_for_fails_the_test_naming_what_arrived(bus):
    tap = bus.tap("registration.*")
    bus.publish_raw("registration.waitlisted", make_envelope("registration.waitlisted"))
    expected = r"expected 2 .* got 1; all received: \[.registration.waitlisted.\]"
    with pytest.raises(pytest.fail.Exception, match=expected):
        tap.wait_for(2, timeout=0.5)


def test_wait_for_counts_only_envelopes_matching_the_filter(bus):
    tap = bus.tap(CONFIRMED)
    for registration_id in ("r-1", "r-2", "r-1"):
        bus.publish_raw(CONFIRMED, make_envelope(registration_id=registration_id))
    mine = tap.wait_for(2, where=lambda e: e["data"]["registration_id"] == "r-1")
    assert [e["data"]["registration_id"] for e in mine] == ["r-1", "r-1"]
    with pytest.raises(pytest.fail.Exception, match="matching the filter"):
        tap.wait_for(1, timeout=0.2, where=lambda e: e["data"]["registration_id"] == "r-3")


def test_publish_raw_reaches_service_queues_and_queue_messages_reads_them(bus):
    bus.publish_raw(CONFIRMED, b"{not json", headers={"x-death-reason": "uji"})
    assert bus.queue_depth("rakor.notification") == 1
    [(body, headers)] = bus.queue_messages("rakor.notification", timeout=2)
    assert body == b"{not json" and headers["x-death-reason"] == "uji"
    assert bus.queue_depth("rakor.notification") == 0
    assert bus.queue_messages("rakor.notification", timeout=0.2) == []


def test_bus_starts_with_service_queues_empty(bus):
    # The previous tests of this worker left messages in rakor.notification/streaming; bus purged them.
    bus.publish_raw("event.created", make_envelope("event.created"))
    messages = bus.queue_messages("rakor.streaming", timeout=2)
    assert [m.json()["type"] for m in messages] == ["event.created"]


def test_close_connections_drops_clients_and_bus_and_taps_recover(bus, amqp_url):
    client = pika.BlockingConnection(pika.URLParameters(amqp_url))
    tap = bus.tap(CONFIRMED)
    bus.close_connections()
    with pytest.raises(pika.exceptions.AMQPError):
        for _ in range(100):
            client.process_data_events(time_limit=0.05)
    bus.publish_raw(CONFIRMED, make_envelope())
    assert len(tap.wait_for(1)) == 1


def test_proxy_cut_breaks_a_pika_connection_and_restore_lets_a_new_one_through(amqp_url, tcp_proxy):
    proxy = tcp_proxy("127.0.0.1", 5672)
    proxied = proxy.url_for(amqp_url)
    connection = pika.BlockingConnection(pika.URLParameters(proxied))
    connection.channel().queue_declare("", exclusive=True)
    assert proxy.active_connections == 1
    proxy.cut()
    with pytest.raises(pika.exceptions.AMQPError):
        connection.channel().queue_declare("", exclusive=True)
    with pytest.raises(pika.exceptions.AMQPConnectionError):
        pika.BlockingConnection(_fail_fast(proxied))
    proxy.restore()
    again = pika.BlockingConnection(pika.URLParameters(proxied))
    again.channel().queue_declare("", exclusive=True)
    again.close()


def test_proxy_survives_many_cuts_and_restores(tcp_proxy):
    with socket.create_server(("127.0.0.1", 0)) as echo_server:
        threading.Thread(target=_echo_forever, args=(echo_server,), daemon=True).start()
        proxy = tcp_proxy("127.0.0.1", echo_server.getsockname()[1])
        for round_number in range(25):
            with socket.create_connection(("127.0.0.1", proxy.port), timeout=2) as client:
                client.sendall(b"rakor %d" % round_number)
                assert client.recv(64) == b"rakor %d" % round_number
                proxy.cut()
                assert _link_is_dead(client)
            proxy.restore()
        assert proxy.accepted == 25


def test_proxy_carries_smtp_and_a_cut_drops_the_session(tcp_proxy):
    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope.content)
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        proxy = tcp_proxy("127.0.0.1", controller.port)
        with smtplib.SMTP("127.0.0.1", proxy.port, timeout=5) as smtp:
            smtp.sendmail("humas@kominfo.go.id", ["peserta@example.go.id"], b"Subject: Rakor\r\n\r\nSalam")
        assert len(received) == 1
        smtp = smtplib.SMTP("127.0.0.1", proxy.port, timeout=5)
        proxy.cut()
        with pytest.raises((smtplib.SMTPServerDisconnected, OSError)):
            smtp.noop()
        with pytest.raises((smtplib.SMTPServerDisconnected, OSError)):
            smtplib.SMTP("127.0.0.1", proxy.port, timeout=2)
    finally:
        controller.stop()


def _fail_fast(url: str) -> pika.URLParameters:
    params = pika.URLParameters(url)
    params.connection_attempts = 1
    params.socket_timeout = 2
    return params


def _echo_forever(server: socket.socket) -> None:
    while True:
        try:
            conn, _ = server.accept()
        except OSError:
            return
        threading.Thread(target=_echo, args=(conn,), daemon=True).start()


def _echo(conn: socket.socket) -> None:
    with conn:
        try:
            while data := conn.recv(4096):
                conn.sendall(data)
        except OSError:
            pass


def _link_is_dead(client: socket.socket) -> bool:
    try:
        client.sendall(b"after cut")
        return client.recv(64) == b""
    except OSError:
        return True
