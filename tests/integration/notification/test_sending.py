"""Registration events become emails and SMS, each sent once, with transient failures retried and permanent ones not."""

from __future__ import annotations

import uuid

import pytest
from icalendar import Calendar

from tests.factories.envelopes import make_envelope
from tests.factories.notification import make_cancellation, make_link_issued, make_participant, make_registration


def _parts(message):
    return {part.get_content_type(): part for part in message.walk() if not part.is_multipart()}


def _calendar(message) -> Calendar:
    return Calendar.from_ical(_parts(message)["text/calendar"].get_content())


def test_confirmed_in_person_gets_email_with_venue_qr_and_invitation_and_sms(harness, smtp_server, sms_gateway):
    registration = make_registration()
    outcome = harness.deliver("registration.confirmed", registration)
    assert outcome.action == "ack", outcome
    [mail] = smtp_server.wait_for(1)
    message = mail.message
    person = registration["participant"]
    assert mail.rcpt_tos == [person["email"]]
    assert message["Subject"] == "Konfirmasi Pendaftaran: Rapat Koordinasi Pembinaan Jabatan Fungsional Pranata Humas"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"].endswith("@kominfo.go.id>")
    parts = _parts(message)
    assert set(parts) == {"text/plain", "text/html", "image/png", "text/calendar"}
    text = parts["text/plain"].get_content()
    assert f"Yth. Bapak/Ibu {person['full_name']}" in text
    assert "Rabu, 1 Desember 2021, 09.00–12.00 WIB" in text
    assert "Hotel Aviary" in text and "K7Q2XP" in text and "PeduliLindungi" in text
    assert 'src="cid:checkin-qr"' in parts["text/html"].get_content()
    assert parts["image/png"].get_content()[:8] == b"\x89PNG\r\n\x1a\n"
    assert _calendar(message)["METHOD"] == "REQUEST"
    [sms] = sms_gateway.wait_for(1)
    assert sms["to"] == person["phone"] and "K7Q2XP" in sms["message"]
    rows = harness.notifications(registration_id=registration["registration_id"])
    assert {(r.channel, r.status, r.attempt_count) for r in rows} == {("email", "sent", 1), ("sms", "sent", 1)}
    [sms_row] = [r for r in rows if r.channel == "sms"]
    assert sms_row.segments == 2 and sms_row.provider_id == sms["provider_id"]


def test_same_bus_message_twice_sends_one_mail(harness, smtp_server):
    body = make_envelope("registration.confirmed", make_registration(participant=make_participant(phone=None)))
    assert harness.deliver_body(body).reason == "handled"
    assert harness.deliver_body(body).reason == "duplicate"
    smtp_server.wait_for(1)
    assert len(smtp_server.messages) == 1
    assert len(harness.notifications()) == 1


def test_handler_run_again_before_the_processed_mark_does_not_resend(harness, smtp_server):
    from services.notification import operations

    registration = make_registration(participant=make_participant(phone=None))
    event_id = str(uuid.uuid4())
    for _ in range(2):
        operations.notify(
            harness.session_factory, harness.courier, event_id, "registration.confirmed", _loaded(registration), _now(), attempt=1
        )
    assert len(smtp_server.wait_for(1)) == 1


def test_smtp_451_then_success_delivers_one_mail_after_retry(harness, smtp_server):
    smtp_server.fail_next(451)
    body = make_envelope("registration.confirmed", make_registration(participant=make_participant(phone=None)))
    outcomes = harness.deliver_until_settled(body)
    assert [o.action for o in outcomes] == ["retry", "ack"]
    assert len(smtp_server.wait_for(1)) == 1
    [row] = harness.notifications()
    assert row.status == "sent"
    assert [a.outcome for a in row.attempts] == ["transient", "sent"]
    assert "451" in row.attempts[0].error


def test_smtp_550_fails_at_once_without_retry(harness, smtp_server):
    smtp_server.fail_next(550)
    outcome = harness.deliver("registration.confirmed", make_registration(participant=make_participant(phone=None)))
    assert outcome.action == "ack"
    [row] = harness.notifications()
    assert row.status == "failed" and row.attempt_count == 1 and "550" in row.last_error
    assert smtp_server.messages == []


def test_sms_429_with_retry_after_is_retried(harness, sms_gateway, smtp_server):
    sms_gateway.respond_next(429, headers={"Retry-After": "1"})
    body = make_envelope("registration.confirmed", make_registration())
    first = harness.deliver_body(body)
    assert first.action == "retry" and first.retry_after == 1.0
    assert harness.deliver_body(body, attempt=2).action == "ack"
    assert len(sms_gateway.wait_for(1)) == 1
    assert len(smtp_server.wait_for(1)) == 1  # the email went out on the first try and was not resent
    [sms_row] = harness.notifications(channel="sms")
    assert [a.outcome for a in sms_row.attempts] == ["transient", "sent"]


def test_sms_400_fails_without_retry(harness, sms_gateway):
    sms_gateway.respond_next(400)
    outcome = harness.deliver("registration.confirmed", make_registration())
    assert outcome.action == "ack"
    [sms_row] = harness.notifications(channel="sms")
    assert sms_row.status == "failed" and "400" in sms_row.last_error
    assert sms_gateway.messages == []


def test_transient_failures_past_the_last_retry_leave_the_notification_dead(harness, smtp_server):
    smtp_server.fail_next(451, times=10)
    body = make_envelope("registration.confirmed", make_registration(participant=make_participant(phone=None)))
    outcomes = harness.deliver_until_settled(body, max_attempts=3)  # RETRY_DELAYS has two tiers: attempt 3 is the last
    assert [o.action for o in outcomes] == ["retry", "retry", "retry"]
    [row] = harness.notifications()
    assert row.status == "dead" and row.attempt_count == 3


def test_dead_letter_redriven_to_the_queue_sends_the_dead_notification(harness, smtp_server):
    smtp_server.fail_next(451, times=3)
    body = make_envelope("registration.confirmed", make_registration(participant=make_participant(phone=None)))
    harness.deliver_until_settled(body, max_attempts=3)
    # The re-drive tool puts the message back with its attempt count reset.
    assert harness.deliver_body(body, attempt=1).action == "ack"
    assert len(smtp_server.wait_for(1)) == 1
    [row] = harness.notifications()
    assert row.status == "sent" and row.attempt_count == 4


def test_uid_is_stable_from_confirmation_to_cancellation(harness, smtp_server):
    registration = make_registration(participant=make_participant(phone=None))
    harness.deliver("registration.confirmed", registration)
    harness.deliver("registration.cancelled", make_cancellation(registration))
    confirmation, cancellation = smtp_server.wait_for(2)
    invited, cancelled = _calendar(confirmation.message), _calendar(cancellation.message)
    [invited_event] = invited.walk("VEVENT")
    [cancelled_event] = cancelled.walk("VEVENT")
    assert invited["METHOD"] == "REQUEST" and cancelled["METHOD"] == "CANCEL"
    assert invited_event["UID"] == cancelled_event["UID"] == f"registration-{registration['registration_id']}@rakor"
    assert cancelled_event["SEQUENCE"] > invited_event["SEQUENCE"]
    assert invited.walk("VTIMEZONE")[0]["TZID"] == "Asia/Jakarta"
    assert cancellation.message["Subject"].startswith("Pembatalan Pendaftaran")
    assert harness.contact(registration["registration_id"]).status == "cancelled"


def test_link_issued_sends_personal_zoom_link_and_youtube_link(harness, smtp_server, sms_gateway):
    registration = make_registration(attendance_mode="online", participant=make_participant(locale="en"))
    link = make_link_issued(registration)
    assert harness.deliver("stream.link_issued", link).action == "ack"
    [mail] = smtp_server.wait_for(1)
    text = _parts(mail.message)["text/plain"].get_content()
    assert mail.message["Subject"].startswith("Your personal link")
    assert link["join_url"] in text and link["youtube_url"] in text
    assert "Wednesday, 1 December 2021, 09:00–12:00 WIB" in text
    [sms] = sms_gateway.wait_for(1)
    assert link["join_url"] in sms["message"]


@pytest.mark.parametrize(
    "field, value", [("join_url", "https://rakor-zoom-login.example.com/j/abc"), ("youtube_url", "https://youtube.com.evil.example/live")]
)
def test_forged_link_outside_the_public_base_url_is_dead_lettered_and_nothing_is_sent(harness, smtp_server, sms_gateway, field, value):
    registration = make_registration(attendance_mode="online")
    outcome = harness.deliver("stream.link_issued", make_link_issued(registration, **{field: value}))
    assert (outcome.action, outcome.reason) == ("dead", "untrusted-payload")
    assert field in outcome.error
    assert harness.notifications() == []
    assert smtp_server.messages == [] and sms_gateway.messages == []


def test_forged_recipient_list_is_dead_lettered_and_nothing_is_sent(harness, smtp_server):
    registration = make_registration(participant=make_participant(email="rina@jabarprov.go.id, semua@kominfo.go.id", phone=None))
    outcome = harness.deliver("registration.confirmed", registration)
    assert (outcome.action, outcome.reason) == ("dead", "untrusted-payload")
    assert smtp_server.messages == []


def test_waitlisted_participant_is_told_the_position(harness, smtp_server):
    registration = make_registration(status="waitlisted", waitlist_position=4, participant=make_participant(phone=None))
    harness.deliver("registration.waitlisted", registration)
    [mail] = smtp_server.wait_for(1)
    assert "daftar tunggu nomor 4" in _parts(mail.message)["text/plain"].get_content()
    assert "text/calendar" not in _parts(mail.message)


def test_checked_in_and_link_revoked_are_recorded_without_a_message(harness, smtp_server):
    registration = make_registration(participant=make_participant(phone=None))
    harness.deliver("registration.confirmed", registration)
    smtp_server.wait_for(1)
    at = "2021-12-01T08:41:00+07:00"
    assert (
        harness.deliver(
            "registration.checked_in", {"registration_id": registration["registration_id"], "event_id": registration["event_id"], "at": at}
        ).action
        == "ack"
    )
    assert (
        harness.deliver(
            "stream.link_revoked",
            {"registration_id": registration["registration_id"], "event_id": registration["event_id"], "reason": "cancelled"},
        ).action
        == "ack"
    )
    contact = harness.contact(registration["registration_id"])
    assert contact.checked_in_at is not None and contact.link_revoked_at is not None
    assert len(smtp_server.messages) == 1 and len(harness.notifications()) == 1


def test_a_reverted_check_in_is_cleared_and_an_undo_that_overtakes_its_check_in_waits(harness, smtp_server):
    registration = make_registration(participant=make_participant(phone=None))
    ids = {"registration_id": registration["registration_id"], "event_id": registration["event_id"]}
    harness.deliver("registration.confirmed", registration)
    smtp_server.wait_for(1)
    at, undone = "2021-12-01T08:41:00+07:00", "2021-12-01T08:45:00+07:00"
    early = harness.deliver("registration.check_in_reverted", {**ids, "at": undone, "checked_in_at": at})
    assert (early.action, harness.contact(ids["registration_id"]).checked_in_at) == ("retry", None)
    harness.deliver("registration.checked_in", {**ids, "at": at})
    assert harness.contact(ids["registration_id"]).checked_in_at is not None
    assert harness.deliver("registration.check_in_reverted", {**ids, "at": undone, "checked_in_at": at}).action == "ack"
    assert harness.contact(ids["registration_id"]).checked_in_at is None
    assert len(smtp_server.messages) == 1 and len(harness.notifications()) == 1


def test_an_old_undo_leaves_a_newer_check_in(harness, smtp_server):
    registration = make_registration(participant=make_participant(phone=None))
    ids = {"registration_id": registration["registration_id"], "event_id": registration["event_id"]}
    harness.deliver("registration.confirmed", registration)
    harness.deliver("registration.checked_in", {**ids, "at": "2021-12-01T08:50:00+07:00"})
    undo = {**ids, "at": "2021-12-01T08:45:00+07:00", "checked_in_at": "2021-12-01T08:41:00+07:00"}
    assert harness.deliver("registration.check_in_reverted", undo).action == "ack"
    assert harness.contact(ids["registration_id"]).checked_in_at is not None


def test_poison_message_is_dead_lettered(harness):
    assert harness.deliver_body(b"{not json").action == "dead"
    outcome = harness.deliver("registration.confirmed", {"registration_id": "x"})
    assert (outcome.action, outcome.reason) == ("dead", "invalid-payload")


def _loaded(data):
    from shared.schemas.events import load_payload

    return load_payload("registration.confirmed", data)


def _now():
    import datetime as dt

    return dt.datetime.now(dt.UTC)


def test_move_to_in_person_sends_check_in_code_and_an_updated_invitation(harness, smtp_server):
    registration = make_registration(
        attendance_mode="in_person", previous_mode="online", participant=make_participant(phone=None, locale="en")
    )
    assert harness.deliver("registration.mode_changed", registration).action == "ack"
    [mail] = smtp_server.wait_for(1)
    text = _parts(mail.message)["text/plain"].get_content()
    assert mail.message["Subject"].startswith("Attendance changed")
    assert "changed to in person" in text and "K7Q2XP" in text
    assert _calendar(mail.message)["METHOD"] == "REQUEST"
    assert harness.contact(registration["registration_id"]).attendance_mode == "in_person"


def test_a_late_older_event_does_not_undo_the_newer_state_nor_send_anything(harness, smtp_server):
    import datetime as dt

    registration = make_registration(participant=make_participant(phone=None))
    now = dt.datetime.now(dt.UTC)
    harness.deliver("registration.cancelled", make_cancellation(registration), occurred_at=now)
    assert harness.deliver("registration.confirmed", registration, occurred_at=now - dt.timedelta(seconds=5)).action == "ack"
    # deliver() returns once the handler is done: the late confirmation created no notification at all.
    [mail] = smtp_server.wait_for(1)
    assert mail.message["Subject"].startswith("Pembatalan Pendaftaran")
    assert [n.kind for n in harness.notifications()] == ["cancelled"]
    assert harness.contact(registration["registration_id"]).status == "cancelled"
