"""event.cancelled: every active participant is told once, with a CANCEL invitation for those who had a place."""

from __future__ import annotations

from icalendar import Calendar
from sqlalchemy import select

from services.notification.models import Reminder
from shared.db import read_only
from tests.factories.notification import (
    make_cancellation,
    make_meeting_cancelled,
    make_participant,
    make_registration,
    make_upcoming_meeting,
)


def _calendar_event(message):
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    if not parts:
        return None, None
    calendar = Calendar.from_ical(parts[0].get_content())
    [event] = calendar.walk("VEVENT")
    return str(calendar["METHOD"]), event


def _reminder_statuses(harness) -> list[str]:
    with read_only(harness.session_factory) as session:
        return sorted(session.scalars(select(Reminder.status)))


def test_cancellation_mails_and_texts_every_active_participant_once_with_method_cancel(harness, smtp_server, sms_gateway):
    meeting = make_upcoming_meeting(7 * 86400, [{"before": "P1D", "at": "09:00"}, {"before": "PT1H"}], sequence=2)
    confirmed = [
        make_registration(meeting=meeting),
        make_registration(meeting=meeting, attendance_mode="online", participant=make_participant(phone=None)),
    ]
    waitlisted = make_registration(status="waitlisted", meeting=meeting, waitlist_position=1, participant=make_participant(phone=None))
    gone = make_registration(meeting=meeting, participant=make_participant(phone=None))
    for registration in (*confirmed, waitlisted, gone):
        assert harness.deliver(f"registration.{registration['status']}", registration).action == "ack"
    assert harness.deliver("registration.cancelled", make_cancellation(gone)).action == "ack"
    before = len(smtp_server.wait_for(5))
    assert _reminder_statuses(harness) == ["armed", "armed"]

    cancelled = make_meeting_cancelled(**{k: meeting[k] for k in ("starts_at", "ends_at", "reminders")}, sequence=2)
    assert harness.deliver("event.cancelled", cancelled, event_id="5f2b6c1e-0000-4000-8000-00000000c4a1").action == "ack"
    # The same event delivered again sends nothing more.
    assert harness.deliver("event.cancelled", cancelled, event_id="5f2b6c1e-0000-4000-8000-00000000c4a1").action == "ack"

    mails = smtp_server.wait_for(before + 3)[before:]
    assert len(smtp_server.messages) == before + 3
    by_recipient = {m.rcpt_tos[0]: m.message for m in mails}
    assert set(by_recipient) == {r["participant"]["email"] for r in (*confirmed, waitlisted)}
    for registration in confirmed:
        message = by_recipient[registration["participant"]["email"]]
        assert message["Subject"] == f"Pembatalan Acara: {meeting['title']}"
        assert "Alasan pembatalan: Bertepatan dengan agenda pimpinan yang tidak dapat ditunda" in message.get_body(("plain",)).get_content()
        method, event = _calendar_event(message)
        assert method == "CANCEL" and str(event["UID"]) == f"registration-{registration['registration_id']}@rakor"
        # Above the SEQUENCE of the last REQUEST (the meeting's sequence, 2).
        assert int(event["SEQUENCE"]) == 3
    # A waitlisted person never had a calendar entry to withdraw.
    assert _calendar_event(by_recipient[waitlisted["participant"]["email"]]) == (None, None)
    sms = [s for s in sms_gateway.wait_for(2) if "DIBATALKAN" in s["message"]]
    assert [s["to"] for s in sms] == [confirmed[0]["participant"]["phone"]]
    assert _reminder_statuses(harness) == ["cancelled", "cancelled"]
    assert len(harness.notifications(kind="meeting_cancelled")) == 4
