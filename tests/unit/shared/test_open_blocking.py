"""A socket cut between connect and handshake is a connection error the reconnect loops survive."""

import pika
import pytest

from shared.messaging import connection


def test_a_socket_gone_before_the_handshake_is_a_connection_error(monkeypatch):
    def cut(_params):
        raise ValueError("Expected connected socket, but getpeername() failed: error=OSError(107, 'Transport endpoint is not connected')")

    monkeypatch.setattr(connection.pika, "BlockingConnection", cut)
    with pytest.raises(pika.exceptions.AMQPConnectionError):
        connection.open_blocking(connection.connection_parameters("amqp://guest:guest@127.0.0.1:5672/%2F"))


def test_other_value_errors_are_not_hidden(monkeypatch):
    def wrong(_params):
        raise ValueError("a programming error")

    monkeypatch.setattr(connection.pika, "BlockingConnection", wrong)
    with pytest.raises(ValueError, match="a programming error"):
        connection.open_blocking(connection.connection_parameters("amqp://guest:guest@127.0.0.1:5672/%2F"))
