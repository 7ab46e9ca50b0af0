"""Reminders from the real worker process: on time, re-armed by a move, only for confirmed participants; and a late
older registration event published out of order through the broker sends nothing."""

from __future__ import annotations

import datetime as dt
import time

from sqlalchemy import select

from services.notification.models import Notification, Reminder, processed_table
from shared.db import make_engine, make_session_factory, read_only
from tests.factories.envelopes import make_envelope
from tests.factories.notification import make_cancellation, make_link_issued, make_participant, make_registration, make_upcoming_meeting
from tests.integration.notification.conftest import notification_env

# Poll interval of the worker's reminder thread is 1 s; the first mail also needs an SMTP round trip.
ALLOWED_LATENESS = 5.0


def _start_worker(start_process, database_url, tmp_path, amqp_url, smtp_server, sms_gateway):
    env = notification_env(database_url, tmp_path, RABBITMQ_URL=amqp_url, **smtp_server.env(), **sms_gateway.env())
    return start_process(["python", "-m", "services.notification.worker"], env=env)


def _wait_for_mail(smtp_server, where, timeout: float):
    """The first mail matching `where` and the wall-clock time it was seen."""
    deadline, seen = time.monotonic() + timeout, 0
    while True:
        mails = smtp_server.wait_for(seen + 1, timeout=max(0.01, deadline - time.monotonic()))
        for mail in mails[seen:]:
            if where(mail):
                return mail, dt.datetime.now(dt.UTC)
        seen = len(mails)


def _is_reminder(mail) -> bool:
    return mail.message["Subject"].startswith("Pengingat:")


def _due(meeting, before: dt.timedelta) -> dt.datetime:
    return dt.datetime.fromisoformat(meeting["starts_at"]) - before


def _query(database_url, statement):
    engine = make_engine(database_url)
    try:
        with read_only(make_session_factory(engine)) as session:
            return list(session.execute(statement))
    finally:
        engine.dispose()


def _wait_until(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"not within {timeout}s: {what}")


def test_reminder_reaches_each_confirmed_participant_within_seconds_of_its_moment(
    start_process, database_url, tmp_path, amqp_url, bus, smtp_server, sms_gateway
):
    meeting = make_upcoming_meeting(95, [{"before": "PT1M"}])
    due = _due(meeting, dt.timedelta(minutes=1))
    in_person = make_registration(meeting=meeting)
    online = make_registration(meeting=meeting, attendance_mode="online", participant=make_participant(phone=None))
    linked = make_registration(meeting=meeting, attendance_mode="online", participant=make_participant(phone=None))
    waitlisted = make_registration(status="waitlisted", meeting=meeting, waitlist_position=1, participant=make_participant(phone=None))
    cancelled = make_registration(meeting=meeting, participant=make_participant(phone=None))
    link = make_link_issued(linked)
    _start_worker(start_process, database_url, tmp_path, amqp_url, smtp_server, sms_gateway)
    for registration in (in_person, online, linked, waitlisted, cancelled):
        bus.publish_raw(f"registration.{registration['status']}", make_envelope(f"registration.{registration['status']}", registration))
    bus.publish_raw("stream.link_issued", make_envelope("stream.link_issued", link))
    bus.publish_raw(
        "registration.cancelled",
        make_envelope(
            "registration.cancelled", make_cancellation(cancelled), occurred_at=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
        ),
    )
    assert dt.datetime.now(dt.UTC) < due - dt.timedelta(seconds=10), "the test machine was too slow to set up before the reminder's moment"

    first, seen_at = _wait_for_mail(smtp_server, _is_reminder, timeout=120)
    lateness = (seen_at - due).total_seconds()
    print(f"REMINDER lateness of the first mail: {lateness:.2f} s")
    assert 0 <= lateness <= ALLOWED_LATENESS, lateness
    _wait_until(lambda: _query(database_url, select(Reminder.status)) == [("sent",)], 30, "the reminder closed as sent")
    reminders = {m.rcpt_tos[0]: m.message for m in smtp_server.messages if _is_reminder(m)}
    assert set(reminders) == {r["participant"]["email"] for r in (in_person, online, linked)}
    text = {email: message.get_body(("plain",)).get_content() for email, message in reminders.items()}
    assert "Hotel Aviary" in text[in_person["participant"]["email"]] and "Kode check-in: K7Q2XP" in text[in_person["participant"]["email"]]
    assert "akan kami kirimkan melalui surel terpisah" in text[online["participant"]["email"]]
    assert link["join_url"] in text[linked["participant"]["email"]]
    [sms] = [s for s in sms_gateway.messages if s["message"].startswith("Pengingat")]
    assert sms["to"] == in_person["participant"]["phone"] and "K7Q2XP" in sms["message"]


def test_moving_the_meeting_rearms_its_reminder_and_nothing_goes_for_the_old_time(
    start_process, database_url, tmp_path, amqp_url, bus, smtp_server, sms_gateway
):
    meeting = make_upcoming_meeting(80, [{"before": "PT1M"}])
    old_due = _due(meeting, dt.timedelta(minutes=1))
    registration = make_registration(meeting=meeting, participant=make_participant(phone=None))
    _start_worker(start_process, database_url, tmp_path, amqp_url, smtp_server, sms_gateway)
    bus.publish_raw("registration.confirmed", make_envelope("registration.confirmed", registration))
    smtp_server.wait_for(1, timeout=60)
    moved = make_upcoming_meeting(110, [{"before": "PT1M"}], sequence=1)
    moved["changed_fields"] = ["starts_at", "ends_at"]
    new_due = _due(moved, dt.timedelta(minutes=1))
    bus.publish_raw("event.updated", make_envelope("event.updated", moved))
    _wait_for_mail(smtp_server, lambda m: m.message["Subject"].startswith("Perubahan Jadwal"), timeout=30)
    assert dt.datetime.now(dt.UTC) < old_due, "the move reached the worker after the old moment"

    _, seen_at = _wait_for_mail(smtp_server, _is_reminder, timeout=120)
    assert 0 <= (seen_at - new_due).total_seconds() <= ALLOWED_LATENESS
    statuses = _wait_until(
        lambda: (
            sorted(_query(database_url, select(Reminder.due_at, Reminder.status).order_by(Reminder.due_at)))
            if ("sent",) in _query(database_url, select(Reminder.status))
            else None
        ),
        30,
        "the new reminder sent",
    )
    assert [(due_at, status) for due_at, status in statuses] == [(old_due, "cancelled"), (new_due, "sent")]
    [reminder] = [m for m in smtp_server.messages if _is_reminder(m)]
    # It announces the new time (the moved start, in WIB).
    new_start = dt.datetime.fromisoformat(moved["starts_at"]).astimezone(dt.timezone(dt.timedelta(hours=7)))
    assert f"{new_start:%H.%M} WIB" in reminder.message.get_body(("plain",)).get_content()


def test_a_late_confirmation_published_after_the_cancellation_sends_nothing(
    start_process, database_url, tmp_path, amqp_url, bus, smtp_server, sms_gateway
):
    registration = make_registration(participant=make_participant(phone=None))
    confirmed_at = dt.datetime.now(dt.UTC)
    late = make_envelope("registration.confirmed", registration, event_id="8d0e3a52-0000-4000-8000-00000000a7e1", occurred_at=confirmed_at)
    _start_worker(start_process, database_url, tmp_path, amqp_url, smtp_server, sms_gateway)
    bus.publish_raw(
        "registration.cancelled",
        make_envelope("registration.cancelled", make_cancellation(registration), occurred_at=confirmed_at + dt.timedelta(seconds=2)),
    )
    [mail] = smtp_server.wait_for(1, timeout=60)
    assert mail.message["Subject"].startswith("Pembatalan Pendaftaran")
    bus.publish_raw("registration.confirmed", late)
    _wait_until(
        lambda: _query(
            database_url, select(processed_table.c.event_id).where(processed_table.c.event_id == "8d0e3a52-0000-4000-8000-00000000a7e1")
        ),
        30,
        "the late confirmation handled",
    )
    assert [kind for (kind,) in _query(database_url, select(Notification.kind))] == ["cancelled"]
    assert len(smtp_server.messages) == 1
