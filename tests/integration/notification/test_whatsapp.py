"""WhatsApp through the fake Cloud API, signed receipts from it and from the SMS gateway, and the ledger."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading

import pytest
import requests
from sqlalchemy import text
from werkzeug.serving import make_server

from services.notification.app import create_app
from tests.factories.notification import make_link_issued, make_meeting, make_participant, make_registration
from tests.fixtures.whatsapp_api import signed
from tests.integration.notification.conftest import ADMIN_TOKEN, Harness, notification_env

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
APP_SECRET, SMS_SECRET, VERIFY_TOKEN = "uji-rahasia-aplikasi-whatsapp", "uji-rahasia-webhook-sms", "uji-verifikasi-rakor"
WHATSAPP_MEETING = make_meeting(channels=["email", "whatsapp"])


@pytest.fixture
def harness(database_url, smtp_server, sms_gateway, whatsapp_api, tmp_path):
    env = notification_env(
        database_url,
        tmp_path,
        **smtp_server.env(),
        **sms_gateway.env(),
        **whatsapp_api.env(),
        WHATSAPP_APP_SECRET=APP_SECRET,
        SMS_WEBHOOK_SECRET=SMS_SECRET,
        WHATSAPP_VERIFY_TOKEN=VERIFY_TOKEN,
    )
    h = Harness(env)
    yield h
    h.close()


@pytest.fixture
def api(harness):
    """The notification API on a real port, so the fake Cloud API can post its webhooks to it."""
    server = make_server("127.0.0.1", 0, create_app(harness.settings, channels=harness.channels), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    assert requests.get(f"{base}/healthz", timeout=5).status_code == 200
    yield base
    server.shutdown()


def _confirm(harness, meeting=WHATSAPP_MEETING, **participant):
    registration = make_registration(participant=make_participant(**participant), meeting=meeting)
    outcome = harness.deliver("registration.confirmed", registration)
    return registration, outcome


def _whatsapp(harness, registration):
    [row] = harness.notifications(registration_id=registration["registration_id"], channel="whatsapp")
    return row


def test_confirmation_goes_by_template_with_the_mail_data_and_no_sms(harness, whatsapp_api, sms_gateway, smtp_server):
    registration, outcome = _confirm(harness, phone="0812-3456-7890")
    assert outcome.action == "ack"
    [message] = whatsapp_api.wait_for(1)
    assert message["to"] == "6281234567890"
    assert message["template"] == "rakor_konfirmasi" and message["language"] == "id"
    name, title, when, place, code = message["body"]
    assert name == registration["participant"]["full_name"] and title == WHATSAPP_MEETING["title"]
    assert "2021" in when and place == "Hotel Aviary, Tangerang Selatan" and code == "K7Q2XP"
    assert message["button"] is None
    row = _whatsapp(harness, registration)
    assert row.status == "sent" and row.provider_id == message["wamid"]
    assert len(smtp_server.wait_for(1)) == 1
    assert sms_gateway.messages == []  # the meeting's channels name no SMS


def test_link_goes_as_the_url_button_parameter(harness, whatsapp_api):
    registration, _ = _confirm(harness, locale="en")
    link = make_link_issued(registration, join_url="https://rakor.example.go.id/j/tok3n-pribadi")
    assert harness.deliver("stream.link_issued", link).action == "ack"
    message = whatsapp_api.wait_for(2)[1]
    assert message["template"] == "rakor_tautan" and message["language"] == "en"
    assert message["button"] == "j/tok3n-pribadi"


def test_rate_limit_is_retried_and_then_sent(harness, whatsapp_api):
    whatsapp_api.rate_limit()
    registration, outcome = _confirm(harness)
    assert outcome.action == "retry"
    row = _whatsapp(harness, registration)
    assert row.status == "retrying" and "130429" in row.last_error
    body_retry = harness.deliver("registration.confirmed", registration, attempt=2, event_id=row.source_event_id)
    assert body_retry.action == "ack"
    assert _whatsapp(harness, registration).status == "sent"
    assert len(whatsapp_api.messages) == 1


@pytest.mark.parametrize(
    "script, reason",
    [
        ("invalid_number", "number cannot receive WhatsApp: WhatsApp error 131026"),
        ("template_error", "template refused: WhatsApp error 132001"),
    ],
)
def test_invalid_number_and_template_errors_fail_for_good_with_the_reason(harness, whatsapp_api, script, reason):
    getattr(whatsapp_api, script)()
    registration, outcome = _confirm(harness)
    assert outcome.action == "ack"
    row = _whatsapp(harness, registration)
    assert row.status == "failed" and row.last_error.startswith(reason)
    assert [a.outcome for a in row.attempts] == ["permanent"]


def test_the_access_token_is_never_logged(harness, whatsapp_api, caplog):
    caplog.set_level(logging.DEBUG)
    whatsapp_api.respond_next(500, {"error": {"message": "Service temporarily unavailable", "code": 2}})
    registration, _ = _confirm(harness)
    row = _whatsapp(harness, registration)
    assert row.status == "retrying" and "Service temporarily unavailable" in row.last_error  # 5xx: transient
    assert whatsapp_api.token not in caplog.text
    assert all(whatsapp_api.token not in (a.error or "") for a in _whatsapp(harness, registration).attempts)


def test_receipts_out_of_order_never_move_a_notification_backwards(harness, whatsapp_api, api):
    registration, _ = _confirm(harness)
    wamid = whatsapp_api.wait_for(1)[0]["wamid"]
    url = f"{api}/webhooks/whatsapp"
    assert whatsapp_api.post_status(url, APP_SECRET, wamid, "read", timestamp=1638325000).json() == {"received": 1, "recorded": 1}
    # Late, replayed and contradicting statuses change nothing.
    for status in ("delivered", "sent", "read", "failed"):
        assert (
            whatsapp_api.post_status(
                url, APP_SECRET, wamid, status, timestamp=1638324900, error_code=131026 if status == "failed" else None
            ).json()["recorded"]
            == 0
        )
    row = _whatsapp(harness, registration)
    assert row.status == "read" and row.read_at.timestamp() == 1638325000
    assert row.delivered_at.timestamp() == 1638325000  # read implies delivered
    stats = requests.get(f"{api}/v1/notifications/stats", headers=ADMIN, timeout=5).json()
    assert stats["delivered"] == 1 and stats["read"] == 1 and stats["by_status"]["read"] == 1
    metrics = requests.get(f"{api}/metrics", timeout=5).text
    assert 'rakor_notifications_read_total{channel="whatsapp"}' in metrics


def test_a_failed_receipt_fails_a_sent_message_with_the_reason(harness, whatsapp_api, api):
    registration, _ = _confirm(harness)
    wamid = whatsapp_api.wait_for(1)[0]["wamid"]
    assert whatsapp_api.post_status(f"{api}/webhooks/whatsapp", APP_SECRET, wamid, "failed", error_code=131026).json()["recorded"] == 1
    row = _whatsapp(harness, registration)
    assert row.status == "failed" and "131026" in row.last_error
    # Delivered after failed: the phone never got it as far as we know; nothing moves.
    assert whatsapp_api.post_status(f"{api}/webhooks/whatsapp", APP_SECRET, wamid, "delivered").json()["recorded"] == 0


def test_wrong_or_missing_signature_is_401_and_changes_nothing(harness, whatsapp_api, api):
    registration, _ = _confirm(harness)
    wamid = whatsapp_api.wait_for(1)[0]["wamid"]
    assert whatsapp_api.post_status(f"{api}/webhooks/whatsapp", "rahasia-yang-salah", wamid, "delivered").status_code == 401
    body = json.dumps({"entry": []}).encode()
    assert requests.post(f"{api}/webhooks/whatsapp", data=body, timeout=5).status_code == 401
    assert (
        requests.post(f"{api}/webhooks/sms", data=body, headers={"X-Rakor-Signature": signed(body, APP_SECRET)}, timeout=5).status_code
        == 401
    )
    row = _whatsapp(harness, registration)
    assert row.status == "sent" and row.delivered_at is None


def test_signed_but_malformed_bodies_are_4xx_with_field_messages(api):
    for raw in (
        b"{",
        json.dumps({"entry": [{"changes": [{"value": {"statuses": [{"id": "wamid.x", "status": "lost", "timestamp": "1"}]}}]}]}).encode(),
    ):
        response = requests.post(f"{api}/webhooks/whatsapp", data=raw, headers={"X-Hub-Signature-256": signed(raw, APP_SECRET)}, timeout=5)
        assert response.status_code in (400, 422) and "errors" in response.json()
    raw = json.dumps({"id": "sms-1", "status": "delivered"}).encode()
    response = requests.post(f"{api}/webhooks/sms", data=raw, headers={"X-Rakor-Signature": signed(raw, SMS_SECRET)}, timeout=5)
    assert response.status_code == 422 and response.json()["errors"] == {"at": ["Missing data for required field."]}


def test_verification_handshake(api):
    answer = requests.get(
        f"{api}/webhooks/whatsapp",
        params={"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"},
        timeout=5,
    )
    assert answer.status_code == 200 and answer.text == "1158201444"
    wrong = requests.get(
        f"{api}/webhooks/whatsapp", params={"hub.mode": "subscribe", "hub.verify_token": "salah", "hub.challenge": "1"}, timeout=5
    )
    assert wrong.status_code == 403


def test_sms_gateway_receipts_and_the_ledger(harness, sms_gateway, whatsapp_api, api):
    registration, _ = _confirm(harness, meeting=make_meeting(channels=["email", "whatsapp", "sms"]))
    [sms] = sms_gateway.wait_for(1)
    raw = json.dumps({"id": sms["provider_id"], "status": "delivered", "at": "2021-11-30T10:00:05+07:00"}).encode()
    signature = hmac.new(SMS_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    first = requests.post(f"{api}/webhooks/sms", data=raw, headers={"X-Rakor-Signature": signature}, timeout=5)
    replay = requests.post(f"{api}/webhooks/sms", data=raw, headers={"X-Rakor-Signature": signature}, timeout=5)
    assert first.json() == {"received": 1, "recorded": 1} and replay.json() == {"received": 1, "recorded": 0}
    whatsapp_api.post_status(f"{api}/webhooks/whatsapp", APP_SECRET, whatsapp_api.messages[0]["wamid"], "delivered")

    ledger = requests.get(f"{api}/v1/registrations/{registration['registration_id']}/notifications", headers=ADMIN, timeout=5)
    assert ledger.status_code == 200
    items = ledger.json()["items"]
    assert [(i["kind"], i["channel"], i["status"]) for i in items] == [
        ("confirmed", "email", "sent"),
        ("confirmed", "sms", "delivered"),
        ("confirmed", "whatsapp", "delivered"),
    ]
    assert items[1]["delivered_at"].startswith("2021-11-30T03:00:05") and items[0]["sent_at"] and items[0]["delivered_at"] is None
    assert requests.get(f"{api}/v1/registrations/reg-tidak-ada/notifications", headers=ADMIN, timeout=5).status_code == 404
    assert requests.get(f"{api}/v1/registrations/{registration['registration_id']}/notifications", timeout=5).status_code == 401


def test_migration_0004_goes_down_and_up_again_with_attempts_on_record(harness, whatsapp_api):
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    from tests.integration.notification.conftest import MIGRATIONS

    registration, _ = _confirm(harness)
    whatsapp_api.wait_for(1)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with harness.engine.connect() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0002")
        connection.commit()
        columns = {row[0] for row in connection.execute(text("SELECT * FROM notifications LIMIT 0")).cursor.description}
        assert "delivered_at" not in columns and "fallback" not in columns
        assert connection.execute(text("SELECT count(*) FROM attempts")).scalar_one() == 2
        command.upgrade(config, "head")
        connection.commit()
    assert _whatsapp(harness, registration).delivered_at is None


def test_receipts_that_arrive_before_the_send_is_recorded_are_applied_when_it_is(harness, whatsapp_api, api):
    # WhatsApp may report a message before the worker has written that it sent it. The fake API numbers
    # its message ids from 1, so the id of the next message is known before it is sent.
    wamid = f"wamid.HBgM{1:012d}"
    url = f"{api}/webhooks/whatsapp"
    for status in ("read", "delivered"):
        assert whatsapp_api.post_status(url, APP_SECRET, wamid, status, timestamp=1638325000).json() == {"received": 1, "recorded": 0}
    registration, _ = _confirm(harness)
    assert whatsapp_api.wait_for(1)[0]["wamid"] == wamid
    row = _whatsapp(harness, registration)
    assert row.status == "read" and row.read_at.timestamp() == 1638325000 and row.delivered_at.timestamp() == 1638325000
    with harness.session_factory() as session:
        assert session.scalar(text("SELECT count(*) FROM early_receipts")) == 0


def test_the_sweep_applies_kept_receipts_the_send_path_missed_and_drops_strangers_after_two_days(harness, whatsapp_api, api):
    import datetime as dt

    from services.notification.receipts import RECEIPT_WAIT, sweep_early_receipts

    registration, _ = _confirm(harness)
    wamid = whatsapp_api.wait_for(1)[0]["wamid"]
    row = _whatsapp(harness, registration)
    # A receipt kept while the send outcome was being committed: its row exists now, the send path did not see it.
    with harness.session_factory() as session:
        session.execute(
            text(
                "INSERT INTO early_receipts (provider_id, channels, status, at, reason, received_at) "
                "VALUES (:wamid, 'whatsapp', 'delivered', :at, NULL, :at), ('wamid.orang-lain', 'whatsapp', 'read', :at, NULL, :at)"
            ),
            {"wamid": wamid, "at": row.sent_at},
        )
        session.commit()
    assert sweep_early_receipts(harness.session_factory, now=row.sent_at) == 1
    assert _whatsapp(harness, registration).status == "delivered"
    with harness.session_factory() as session:
        assert session.scalar(text("SELECT provider_id FROM early_receipts")) == "wamid.orang-lain"
    assert sweep_early_receipts(harness.session_factory, now=row.sent_at + RECEIPT_WAIT + dt.timedelta(minutes=1)) == 0
    with harness.session_factory() as session:
        assert session.scalar(text("SELECT count(*) FROM early_receipts")) == 0
