"""The real entry points: the worker process sends what the bus brings and stops on SIGTERM; the API under gunicorn."""

from __future__ import annotations

import requests

from tests.factories.envelopes import make_envelope
from tests.factories.notification import make_link_issued, make_participant, make_registration
from tests.fixtures.processes import gunicorn_argv
from tests.integration.notification.conftest import ADMIN_TOKEN, notification_env
from tests.integration.notification.test_broker import _purge


def test_worker_process_mails_a_link_from_the_bus_and_stops_on_sigterm(
    start_process, amqp_url, bus, sqlite_url_factory, smtp_server, sms_gateway, tmp_path
):
    _purge(amqp_url)
    env = notification_env(sqlite_url_factory(), tmp_path, RABBITMQ_URL=amqp_url, **smtp_server.env(), **sms_gateway.env())
    worker = start_process(["python", "-m", "services.notification.worker"], env=env)
    registration = make_registration(attendance_mode="online", participant=make_participant())
    link = make_link_issued(registration)
    bus.publish_raw("stream.link_issued", make_envelope("stream.link_issued", link))
    [mail] = smtp_server.wait_for(1, timeout=30)
    assert link["join_url"] in mail.message.get_body(("plain",)).get_content()
    [sms] = sms_gateway.wait_for(1)
    assert link["join_url"] in sms["message"]
    assert worker.stop(timeout=20) == 0
    assert registration["participant"]["email"] not in worker.output()


def test_api_under_gunicorn_answers_health_and_admin_requests(start_process, free_port, sqlite_url_factory, tmp_path):
    env = notification_env(sqlite_url_factory(), tmp_path, NOTIFICATION_PORT=str(free_port))
    start_process(
        gunicorn_argv("services.notification.app:create_app()", free_port), env=env, health_url=f"http://127.0.0.1:{free_port}/healthz"
    )
    base = f"http://127.0.0.1:{free_port}"
    assert requests.get(f"{base}/v1/notifications", timeout=5).status_code == 401
    response = requests.get(f"{base}/v1/notifications/stats", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=5)
    assert response.status_code == 200 and response.json()["total"] == 0
