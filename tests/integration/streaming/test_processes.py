"""The three streaming processes together on a real broker: consumer issues a link, API redirects, relay announces."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import requests

from shared.schemas.events import load_payload
from tests.factories.envelopes import make_envelope
from tests.factories.streaming import ZOOM_URL, make_meeting, make_registration
from tests.fixtures.processes import free_port, gunicorn_argv
from tests.integration.streaming.probes import ADMIN, ADMIN_TOKEN, PUBLIC_BASE_URL

pytestmark = pytest.mark.slow


def _serve_all(tmp_path, start_process, amqp_url: str, **extra_env: str):
    """Streaming's API (healthy), worker and relay on the test's vhost; (base URL, worker, relay)."""
    port = free_port()
    env = {
        "RAKOR_ADMIN_TOKEN": ADMIN_TOKEN,
        "DATA_DIR": str(tmp_path),
        "RABBITMQ_URL": amqp_url,
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "STREAMING_PORT": str(port),
        **extra_env,
    }
    base = f"http://127.0.0.1:{port}"
    start_process(gunicorn_argv("services.streaming.app:create_app()", port), env=env, health_url=f"{base}/healthz")
    worker = start_process(["python", "-m", "services.streaming.worker"], env=env)
    relay = start_process(["python", "-m", "services.streaming.relay"], env=env)
    return base, worker, relay


def test_a_registration_on_the_bus_gets_a_working_link_and_its_join_is_announced(tmp_path, start_process, amqp_url, bus):
    base, worker, relay = _serve_all(tmp_path, start_process, amqp_url, RELAY_POLL_INTERVAL="0.05")

    meeting = make_meeting()
    issued, joined = bus.tap("stream.link_issued"), bus.tap("stream.joined")
    assert (
        requests.put(f"{base}/v1/events/{meeting['id']}/channels/zoom", json={"url": ZOOM_URL}, headers=ADMIN, timeout=10).status_code
        == 200
    )
    assert requests.post(f"{base}/v1/events/{meeting['id']}/publish", headers=ADMIN, timeout=10).status_code == 202
    registration = make_registration(meeting)
    bus.publish_raw("registration.confirmed", make_envelope("registration.confirmed", registration))

    [link] = issued.wait_for(1, timeout=30)
    assert link["data"]["registration_id"] == registration["registration_id"]
    token = link["data"]["join_url"].rsplit("/j/", 1)[1]
    response = requests.get(f"{base}/j/{token}", allow_redirects=False, timeout=10)
    assert response.status_code == 302 and response.headers["Location"] == ZOOM_URL

    [join] = joined.wait_for(1, timeout=30)
    assert join["data"]["registration_id"] == registration["registration_id"]
    report = requests.get(f"{base}/v1/events/{meeting['id']}/joins", headers=ADMIN, timeout=10).json()
    assert [(item["registration_id"], item["count"]) for item in report["items"]] == [(registration["registration_id"], 1)]
    assert requests.get(f"{base}/readyz", timeout=10).json()["checks"] == {"database": "ok"}
    assert requests.get(f"{base}/healthz", timeout=10).json()["details"] == {"broker": "ok"}
    assert (worker.stop(), relay.stop()) == (0, 0), "worker and relay stop cleanly on SIGTERM"


def test_a_process_with_a_bad_setting_exits_with_one_clear_line(tmp_path, start_process):
    env = {"RAKOR_ADMIN_TOKEN": ADMIN_TOKEN, "DATA_DIR": str(tmp_path), "JOIN_RATE_LIMIT": "many"}
    for module in ("services.streaming.worker", "services.streaming.relay"):
        process = start_process(["python", "-m", module], env=env)
        assert process.wait(30) == 2
        assert "JOIN_RATE_LIMIT='many' is not a whole number" in process.output()


def test_event_cancelled_on_the_bus_makes_every_link_answer_410(tmp_path, start_process, amqp_url, bus):
    base, _, _ = _serve_all(tmp_path, start_process, amqp_url)

    meeting = make_meeting()
    issued = bus.tap("stream.link_issued")
    assert (
        requests.put(f"{base}/v1/events/{meeting['id']}/channels/zoom", json={"url": ZOOM_URL}, headers=ADMIN, timeout=10).status_code
        == 200
    )
    assert requests.post(f"{base}/v1/events/{meeting['id']}/publish", headers=ADMIN, timeout=10).status_code == 202
    bus.publish_raw("registration.confirmed", make_envelope("registration.confirmed", make_registration(meeting)))
    [link] = issued.wait_for(1, timeout=30)
    token = link["data"]["join_url"].rsplit("/j/", 1)[1]
    assert requests.get(f"{base}/j/{token}", allow_redirects=False, timeout=10).status_code == 302

    cancelled_at = dt.datetime.now(dt.UTC)
    payload = {**meeting, "status": "cancelled", "reason": "Ditunda karena banjir.", "cancelled_at": cancelled_at.isoformat()}
    load_payload("event.cancelled", payload)  # what registration would publish
    bus.publish_raw("event.cancelled", make_envelope("event.cancelled", payload, occurred_at=cancelled_at))
    deadline = time.monotonic() + 30
    status = 302
    while status != 410 and time.monotonic() < deadline:
        status = requests.get(f"{base}/j/{token}", allow_redirects=False, timeout=10).status_code
    assert status == 410
    report = requests.get(f"{base}/v1/events/{meeting['id']}/joins", headers=ADMIN, timeout=10).json()
    visits_before_410 = report["total_joins"]
    assert requests.get(f"{base}/j/{token}", allow_redirects=False, timeout=10).status_code == 410
    assert requests.get(f"{base}/v1/events/{meeting['id']}/joins", headers=ADMIN, timeout=10).json()["total_joins"] == visits_before_410
