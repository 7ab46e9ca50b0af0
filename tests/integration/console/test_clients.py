"""The service clients over real HTTP: reads retried on a 503, writes never sent twice, answers turned into typed errors."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from services.console import clients
from tests.integration.console.conftest import closed_port_url


class ScriptedService:
    """A small real HTTP server answering each request with the next (status, body) of a script, and counting them."""

    def __init__(self, answers: list[tuple[int, dict]]) -> None:
        self.answers, self.requests = list(answers), []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                owner.requests.append((self.command, self.path, self.headers.get("Authorization"), self.rfile.read(length)))
                status, body = owner.answers.pop(0) if len(owner.answers) > 1 else owner.answers[0]
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def scripted():
    services = []

    def make(*answers: tuple[int, dict]) -> ScriptedService:
        service = ScriptedService(list(answers))
        services.append(service)
        return service

    yield make
    for service in services:
        service.close()


def test_a_read_is_retried_after_a_503_and_sends_the_bearer_token(scripted):
    service = scripted((503, {}), (200, [{"id": "e1"}]))
    assert clients.RegistrationClient(service.url, "rahasia-organizer").meetings() == [{"id": "e1"}]
    assert [r[0] for r in service.requests] == ["GET", "GET"]
    assert service.requests[0][2] == "Bearer rahasia-organizer"


def test_a_write_is_never_sent_twice(scripted):
    service = scripted((503, {}), (201, {"id": "e1"}))
    with pytest.raises(clients.ServiceUnavailable) as raised:
        clients.RegistrationClient(service.url, "t").create_meeting({"title": "Rapat"})
    assert raised.value.service == "registration" and raised.value.status == 503
    assert [r[0] for r in service.requests] == ["POST"]


def test_a_read_that_keeps_failing_gives_up_after_three_tries(scripted):
    service = scripted((502, {}))
    with pytest.raises(clients.ServiceUnavailable):
        clients.NotificationClient(service.url, "t").stats("e1")
    assert len(service.requests) == 3


@pytest.mark.parametrize(
    ("status", "error"),
    [(401, clients.NotSignedIn), (403, clients.Forbidden), (404, clients.NotFound), (409, clients.Conflict), (422, clients.InvalidInput)],
)
def test_statuses_become_typed_errors_and_are_not_retried(scripted, status, error):
    service = scripted((status, {"errors": {"title": ["Too short."]}, "existing_id": "r9"}))
    with pytest.raises(error) as raised:
        clients.RegistrationClient(service.url, "t").meeting("e1")
    assert len(service.requests) == 1
    if status == 422:
        assert raised.value.errors == {"title": ["Too short."]}
    if status == 409:
        assert raised.value.body["existing_id"] == "r9"


def test_pages_are_followed_to_the_last_cursor(scripted):
    service = scripted((200, {"items": [{"id": 1}], "next_cursor": "c2"}), (200, {"items": [{"id": 2}], "next_cursor": None}))
    assert clients.NotificationClient(service.url, "t").notifications("e1", status="dead") == [{"id": 1}, {"id": 2}]
    assert "cursor=c2" in service.requests[1][1] and "status=dead" in service.requests[1][1]


def test_nobody_listening_is_service_unavailable_with_the_services_name():
    with pytest.raises(clients.ServiceUnavailable) as raised:
        clients.StreamingClient(closed_port_url(), "t", timeout=1).channels("e1")
    assert raised.value.service == "streaming"


def test_the_token_is_not_in_the_clients_repr():
    assert "rahasia" not in repr(clients.RegistrationClient("http://127.0.0.1:1", "rahasia-organizer"))


def test_cancelling_a_meeting_posts_its_reason_once(scripted):
    service = scripted((200, {"id": "e1", "status": "cancelled"}))
    assert clients.RegistrationClient(service.url, "t").cancel_meeting("e1", "Narasumber berhalangan.")["status"] == "cancelled"
    [(method, path, _auth, body)] = service.requests
    assert (method, path, json.loads(body)) == ("POST", "/v1/events/e1/cancel", {"reason": "Narasumber berhalangan."})
