"""The SMS fallback of WhatsApp: once when WhatsApp failed or stayed undelivered, never when it arrived, also with two workers."""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import replace

from sqlalchemy import select

from services.notification.domain.receipts import Receipt
from services.notification.fallback import send_due_fallbacks, utcnow
from services.notification.models import Notification
from services.notification.receipts import record_receipts
from shared.db import read_only
from tests.factories.envelopes import make_envelope
from tests.factories.notification import make_meeting, make_participant, make_registration
from tests.integration.notification.conftest import Harness, notification_env
from tests.integration.notification.test_broker import _purge

FALLBACK_MEETING = make_meeting(channels=["email", "whatsapp", "sms_fallback"])


def _env(database_url, tmp_path, smtp_server, sms_gateway, whatsapp_api, **extra):
    # The factories' meeting ended in 2021: with the default retention, the purge a worker runs as it
    # starts would wipe the contexts another worker has just written, and their SMS could not be rendered.
    extra.setdefault("RETENTION_DAYS", "3650")
    return notification_env(database_url, tmp_path, **{**smtp_server.env(), **sms_gateway.env(), **whatsapp_api.env(), **extra})


def _confirm(harness, n=1):
    registrations = [make_registration(participant=make_participant(), meeting=FALLBACK_MEETING) for _ in range(n)]
    for registration in registrations:
        assert harness.deliver("registration.confirmed", registration).action == "ack"
    return registrations


def _rows(harness, channel):
    return harness.notifications(channel=channel)


def test_a_failed_whatsapp_gets_one_sms_and_a_delivered_one_none(database_url, smtp_server, sms_gateway, whatsapp_api, tmp_path):
    harness = Harness(_env(database_url, tmp_path, smtp_server, sms_gateway, whatsapp_api))
    try:
        whatsapp_api.invalid_number()
        failed, delivered = _confirm(harness, 2)
        assert sms_gateway.messages == []  # nothing before the fallback is due
        wamid = whatsapp_api.wait_for(1)[0]["wamid"]
        record_receipts(
            harness.session_factory, [Receipt(wamid, "delivered", harness.notifications(channel="whatsapp")[1].created_at)], ("whatsapp",)
        )
        assert send_due_fallbacks(harness.session_factory, harness.courier) == 1
        assert send_due_fallbacks(harness.session_factory, harness.courier) == 0
        [sms] = sms_gateway.wait_for(1)
        assert sms["to"] == failed["participant"]["phone"] and failed["participant"]["full_name"].split()[0] in sms["message"]
        [row] = _rows(harness, "sms")
        whatsapp_failed = harness.notifications(registration_id=failed["registration_id"], channel="whatsapp")[0]
        assert row.fallback_for == whatsapp_failed.id and row.status == "sent" and whatsapp_failed.fallback == "done"
        assert harness.notifications(registration_id=delivered["registration_id"], channel="whatsapp")[0].fallback == "armed"
    finally:
        harness.close()


def test_sent_without_receipt_gets_its_sms_only_after_the_fallback_minutes(database_url, smtp_server, sms_gateway, whatsapp_api, tmp_path):
    waiting = Harness(_env(database_url, tmp_path, smtp_server, sms_gateway, whatsapp_api))
    try:
        _confirm(waiting, 2)
        assert send_due_fallbacks(waiting.session_factory, waiting.courier) == 0  # 15 minutes by default
    finally:
        waiting.close()
    # The same database seen by a worker whose WHATSAPP_FALLBACK_MINUTES have passed for both messages.
    late = Harness(_env(database_url, tmp_path, smtp_server, sms_gateway, whatsapp_api, WHATSAPP_FALLBACK_MINUTES="0.0001"))
    try:
        assert send_due_fallbacks(late.session_factory, late.courier) == 2
        assert len(sms_gateway.wait_for(2)) == 2
        assert send_due_fallbacks(late.session_factory, late.courier) == 0
    finally:
        late.close()


def test_a_transient_sms_failure_is_tried_again_not_duplicated(database_url, smtp_server, sms_gateway, whatsapp_api, tmp_path):
    harness = Harness(_env(database_url, tmp_path, smtp_server, sms_gateway, whatsapp_api))
    try:
        whatsapp_api.invalid_number()
        _confirm(harness)
        sms_gateway.respond_next(503)
        assert send_due_fallbacks(harness.session_factory, harness.courier) == 0
        [row] = _rows(harness, "sms")
        assert row.status == "retrying"
        with harness.engine.begin() as connection:  # the retry pause has passed
            connection.execute(Notification.__table__.update().values(updated_at=row.updated_at.replace(year=2020)))
        assert send_due_fallbacks(harness.session_factory, harness.courier) == 1
        [row] = _rows(harness, "sms")
        assert row.status == "sent" and row.attempt_count == 2 and len(sms_gateway.wait_for(1)) == 1
    finally:
        harness.close()


def test_two_workers_racing_send_each_fallback_once(database_url, smtp_server, sms_gateway, whatsapp_api, tmp_path):
    first = Harness(_env(database_url, tmp_path, smtp_server, sms_gateway, whatsapp_api))
    second = Harness(_env(database_url, tmp_path, smtp_server, sms_gateway, whatsapp_api))
    try:
        whatsapp_api.respond_next(400, {"error": {"code": 131026, "message": "Message undeliverable"}}, times=30)
        _confirm(first, 30)
        start = threading.Barrier(2)

        def sweep(harness):
            start.wait()
            for _ in range(3):
                send_due_fallbacks(harness.session_factory, harness.courier)

        threads = [threading.Thread(target=sweep, args=(h,)) for h in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        rows = _rows(first, "sms")
        assert len(rows) == 30 and {r.status for r in rows} == {"sent"} and {r.attempt_count for r in rows} == {1}
        assert len(sms_gateway.messages) == 30 and len({m["to"] for m in sms_gateway.messages}) == 30
    finally:
        first.close()
        second.close()


def test_a_pass_still_sending_keeps_its_sms_from_another_workers_pass(database_url, smtp_server, sms_gateway, whatsapp_api, tmp_path):
    # The first worker's gateway call outlasts the SMS's lease (a loaded machine, a slow gateway, a
    # long batch): the lease is renewed while it sends, so the second worker's pass finds the SMS held
    # and does not send it a second time.
    # A short lease with a long gateway timeout stands for a batch that takes longer than its lease.
    first = Harness(_env(database_url, tmp_path, smtp_server, sms_gateway, whatsapp_api, SMS_TIMEOUT="60"))
    second = Harness(_env(database_url, tmp_path, smtp_server, sms_gateway, whatsapp_api))
    first.courier.channels = replace(first.courier.channels, lease_seconds=6.0)
    try:
        whatsapp_api.invalid_number()
        _confirm(first)
        sms_gateway.hold()
        passes = []
        sending = threading.Thread(target=lambda: passes.append(send_due_fallbacks(first.session_factory, first.courier)))
        sending.start()
        sms_gateway.wait_held(1)
        [row] = _rows(first, "sms")
        first_lease = row.claimed_until if row.claimed_until.tzinfo else row.claimed_until.replace(tzinfo=dt.UTC)
        while utcnow() <= first_lease:
            time.sleep(0.1)  # polling the clock until the lease taken at the claim is over; only a renewal holds the SMS now
        assert send_due_fallbacks(second.session_factory, second.courier) == 0
        sms_gateway.release()
        sending.join(timeout=60)
        assert not sending.is_alive() and passes == [1]
        [row] = _rows(first, "sms")
        assert row.status == "sent" and row.attempt_count == 1
        assert len(sms_gateway.requests) == 1 and len(sms_gateway.messages) == 1
    finally:
        sms_gateway.release()
        first.close()
        second.close()


def test_two_worker_processes_send_one_sms_per_failed_whatsapp(
    start_process, amqp_url, bus, pg_url_factory, smtp_server, sms_gateway, whatsapp_api, tmp_path
):
    _purge(amqp_url)
    whatsapp_api.respond_next(400, {"error": {"code": 131026, "message": "Message undeliverable"}}, times=10)
    # The model meeting ended in 2021: with the default 90 days, the second worker's purge pass at
    # its start could scrub rows the first worker had just written (an SMS without its context).
    env = _env(pg_url_factory(), tmp_path, smtp_server, sms_gateway, whatsapp_api, RABBITMQ_URL=amqp_url, RETENTION_DAYS="3650")
    workers = [start_process(["python", "-m", "services.notification.worker"], env=env) for _ in range(2)]
    registrations = [make_registration(participant=make_participant(), meeting=FALLBACK_MEETING) for _ in range(10)]
    for registration in registrations:
        bus.publish_raw("registration.confirmed", make_envelope("registration.confirmed", registration))
    messages = sms_gateway.wait_for(10, timeout=60)
    assert sorted(m["to"] for m in messages) == sorted(r["participant"]["phone"] for r in registrations)
    harness = Harness(env)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with read_only(harness.session_factory) as session:
                fallbacks = list(session.scalars(select(Notification.status).where(Notification.fallback_for.is_not(None))))
            if len(fallbacks) == 10 and set(fallbacks) == {"sent"}:
                break
            time.sleep(0.2)  # polling the database for the workers' outcome, not waiting for a fixed time
        requests = [(r["status"], r["body"][:80]) for r in sms_gateway.requests]
        assert sorted(fallbacks) == ["sent"] * 10, (fallbacks, requests)
        assert len(sms_gateway.messages) == 10, requests
    finally:
        harness.close()
    for worker in workers:
        # SIGTERM, then SIGKILL only after a minute: a loaded machine may take a while to close the
        # consumer and let the scheduler finish its pass; a kill would read as an unclean exit.
        assert worker.stop(timeout=60) == 0, worker.tail()
