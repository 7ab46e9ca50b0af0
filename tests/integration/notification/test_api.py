"""The admin API: list with filters and pages, detail with attempts, re-drive of dead and failed messages, stats."""

from __future__ import annotations

import pytest

from services.notification.app import create_app
from tests.factories.envelopes import make_envelope
from tests.factories.notification import make_participant, make_registration
from tests.integration.notification.conftest import ADMIN_TOKEN

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def client(harness):
    app = create_app(harness.settings, channels=harness.channels)
    return app.test_client()


def _confirm(harness, **participant) -> dict:
    registration = make_registration(participant=make_participant(**participant))
    assert harness.deliver("registration.confirmed", registration).action in ("ack", "retry")
    return registration


def test_every_endpoint_needs_the_admin_token(client):
    for path in ("/v1/notifications", "/v1/notifications/stats", "/v1/notifications/x"):
        assert client.get(path).status_code == 401
        assert client.get(path, headers={"Authorization": "Bearer agency-key-bukan-admin"}).status_code == 401
    assert client.post("/v1/notifications/x/retry").status_code == 401


def test_list_filters_by_registration_channel_and_status(client, harness, smtp_server, sms_gateway):
    first = _confirm(harness)
    _confirm(harness)
    response = client.get(f"/v1/notifications?registration_id={first['registration_id']}&channel=sms", headers=ADMIN)
    assert response.status_code == 200
    [item] = response.get_json()["items"]
    assert item["channel"] == "sms" and item["status"] == "sent" and item["recipient"] == first["participant"]["phone"]
    assert item["segments"] == 2
    assert len(client.get("/v1/notifications?status=sent", headers=ADMIN).get_json()["items"]) == 4
    assert client.get("/v1/notifications?status=dead", headers=ADMIN).get_json()["items"] == []


def test_list_pages_with_a_cursor(client, harness):
    for _ in range(3):
        _confirm(harness)
    first = client.get("/v1/notifications?limit=4", headers=ADMIN).get_json()
    second = client.get(f"/v1/notifications?limit=4&cursor={first['next_cursor']}", headers=ADMIN).get_json()
    ids = [i["id"] for i in first["items"]] + [i["id"] for i in second["items"]]
    assert len(ids) == 6 == len(set(ids)) and second["next_cursor"] is None


def test_bad_filters_are_422(client):
    for query in ("status=lost", "channel=fax", "limit=0", "cursor=%%%", "colour=red"):
        response = client.get(f"/v1/notifications?{query}", headers=ADMIN)
        assert response.status_code == 422, query
        assert "errors" in response.get_json()


def test_detail_shows_every_attempt(client, harness, smtp_server):
    smtp_server.fail_next(451)
    body = make_envelope("registration.confirmed", make_registration(participant=make_participant(phone=None)))
    harness.deliver_until_settled(body)
    [row] = harness.notifications()
    detail = client.get(f"/v1/notifications/{row.id}", headers=ADMIN).get_json()
    assert detail["status"] == "sent" and detail["attempt_count"] == 2
    assert [a["outcome"] for a in detail["attempts"]] == ["transient", "sent"]
    assert "451" in detail["attempts"][0]["error"]
    assert client.get("/v1/notifications/tidak-ada", headers=ADMIN).status_code == 404


def test_retry_redrives_a_dead_notification(client, harness, smtp_server):
    smtp_server.fail_next(451, times=3)
    body = make_envelope("registration.confirmed", make_registration(participant=make_participant(phone=None)))
    harness.deliver_until_settled(body, max_attempts=3)
    [row] = harness.notifications()
    assert row.status == "dead"
    response = client.post(f"/v1/notifications/{row.id}/retry", headers=ADMIN)
    assert response.status_code == 200
    assert response.get_json()["status"] == "sent" and len(response.get_json()["attempts"]) == 4
    assert len(smtp_server.wait_for(1)) == 1
    again = client.post(f"/v1/notifications/{row.id}/retry", headers=ADMIN)
    assert again.status_code == 409 and again.get_json()["status_now"] == "sent"
    assert client.post("/v1/notifications/tidak-ada/retry", headers=ADMIN).status_code == 404


def test_retry_of_a_failed_sms_that_fails_again_stays_failed(client, harness, sms_gateway):
    sms_gateway.respond_next(400, times=2)
    _confirm(harness)
    [row] = harness.notifications(channel="sms")
    response = client.post(f"/v1/notifications/{row.id}/retry", headers=ADMIN)
    assert response.status_code == 200 and response.get_json()["status"] == "failed"
    assert len(response.get_json()["attempts"]) == 2


def test_stats_count_by_status_and_channel(client, harness, sms_gateway):
    sms_gateway.respond_next(400)
    _confirm(harness)
    _confirm(harness, phone=None)
    stats = client.get("/v1/notifications/stats", headers=ADMIN).get_json()
    assert stats["total"] == 3 and stats["attempts"] == 3
    assert stats["by_status"] == {"sent": 2, "failed": 1}
    assert stats["by_channel"] == {"email": {"sent": 2}, "sms": {"failed": 1}}
    assert client.get("/v1/notifications/stats?event_id=lain", headers=ADMIN).get_json()["total"] == 0


def test_metrics_count_sent_notifications(client, harness):
    _confirm(harness, phone=None)
    text = client.get("/metrics").get_data(as_text=True)
    assert 'rakor_notifications_sent_total{channel="email",kind="confirmed"}' in text
    assert "rakor_notification_send_seconds_bucket" in text
