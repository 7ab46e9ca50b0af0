"""event.updated (time or venue) reaches every active participant once, even when some sends must be retried."""

from __future__ import annotations

from icalendar import Calendar

from tests.factories.envelopes import make_envelope
from tests.factories.notification import make_cancellation, make_meeting_update, make_participant, make_registration


def _register(harness, count: int, **kwargs) -> list[dict]:
    registrations = [make_registration(participant=make_participant(phone=None), **kwargs) for _ in range(count)]
    for registration in registrations:
        assert harness.deliver("registration.confirmed", registration).action == "ack"
    return registrations


def _sequence(message) -> int:
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    [event] = Calendar.from_ical(part.get_content()).walk("VEVENT")
    return int(event["SEQUENCE"])


def test_time_change_reaches_every_active_participant_with_a_higher_sequence(harness, smtp_server):
    registrations = _register(harness, 4)
    harness.deliver("registration.cancelled", make_cancellation(registrations[0]))
    smtp_server.wait_for(5)
    update = make_meeting_update(
        ["starts_at", "ends_at"], starts_at="2021-12-01T13:00:00+07:00", ends_at="2021-12-01T16:00:00+07:00", sequence=1
    )
    assert harness.deliver("event.updated", update).action == "ack"
    mails = smtp_server.wait_for(8)[5:]
    assert sorted(m.rcpt_tos[0] for m in mails) == sorted(r["participant"]["email"] for r in registrations[1:])
    for mail in mails:
        assert mail.message["Subject"] == "Perubahan Jadwal atau Tempat: Rapat Koordinasi Pembinaan Jabatan Fungsional Pranata Humas"
        assert "13.00–16.00 WIB" in mail.message.get_body(("plain",)).get_content()
        assert _sequence(mail.message) == 1
    assert len(smtp_server.messages) == 8


def test_a_transient_failure_in_a_fanout_resends_only_that_recipient(harness, smtp_server):
    _register(harness, 5)
    smtp_server.wait_for(5)
    smtp_server.fail_next(451)
    body = make_envelope(
        "event.updated",
        make_meeting_update(
            ["venue"],
            venue={"name": "Hotel Borobudur", "address": "Jl. Lapangan Banteng Selatan No. 1", "city": "Jakarta Pusat"},
            sequence=1,
        ),
    )
    outcomes = harness.deliver_until_settled(body)
    assert [o.action for o in outcomes] == ["retry", "ack"]
    smtp_server.wait_for(10)
    assert len(smtp_server.messages) == 10
    updates = harness.notifications(kind="meeting_updated")
    assert len(updates) == 5 and all(n.status == "sent" for n in updates)
    assert sorted(n.attempt_count for n in updates) == [1, 1, 1, 1, 2]


def test_change_of_title_only_sends_nothing(harness, smtp_server):
    _register(harness, 2)
    smtp_server.wait_for(2)
    assert harness.deliver("event.updated", make_meeting_update(["title"], title="Rakor JFPH 2021", sequence=0)).action == "ack"
    assert len(harness.notifications(kind="meeting_updated")) == 0


def test_meeting_created_is_recorded_for_later_updates(harness, smtp_server):
    assert harness.deliver("event.created", make_meeting_update([], id="evt-baru")).action == "ack"
    assert harness.deliver("event.updated", make_meeting_update(["starts_at"], id="evt-baru", sequence=1)).action == "ack"
    assert harness.notifications() == []


def test_a_big_fanout_is_sent_over_parallel_connections(harness, smtp_server):
    _register(harness, 20)
    smtp_server.wait_for(20)
    smtp_server.delay_per_command(0.05)
    assert (
        harness.deliver("event.updated", make_meeting_update(["starts_at"], starts_at="2021-12-01T10:00:00+07:00", sequence=1)).action
        == "ack"
    )
    assert len(smtp_server.wait_for(40)) == 40
    # Parallel, not merely pooled: several sessions were waiting on a reply at the same moment (one after
    # another, never more than one would be). How fast that is belongs to bench/notification_throughput.py.
    assert smtp_server.peak_pending_replies > 1
    assert 1 < smtp_server.connections <= harness.settings.smtp_pool_size + 1


def test_a_redelivery_in_the_middle_of_a_long_fanout_sends_nothing_twice(harness, smtp_server):
    import dataclasses
    import threading
    import time

    from services.notification.courier import Courier

    # A lease shorter than the fan-out: only its renewal keeps the unsent rows from being claimed again.
    lease = 0.9
    harness.courier.close()
    harness.courier = Courier(dataclasses.replace(harness.channels, lease_seconds=lease, fanout_workers=2))
    registrations = _register(harness, 8)
    smtp_server.wait_for(8)
    smtp_server.delay_per_command(0.08)
    body = make_envelope("event.updated", make_meeting_update(["starts_at"], starts_at="2021-12-01T10:00:00+07:00", sequence=1))
    first: list = []
    started = time.monotonic()
    sender = threading.Thread(target=lambda: first.append(harness.deliver_body(body)))
    sender.start()
    # Past the first lease with mails still to go: the moment a redelivery would have stolen them.
    deadline = started + 30
    while not (time.monotonic() - started > 1.5 * lease and 1 <= len(smtp_server.messages) - 8 < 7) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(smtp_server.messages) - 8 < 8, "the fan-out finished before the redelivery could overlap it"
    redelivered = harness.deliver_body(body, attempt=2)
    sender.join(60)
    assert first and first[0].action == "ack"
    assert redelivered.action == "retry"  # the rows are still held by the first delivery
    smtp_server.delay_per_command(0)
    mails = smtp_server.wait_for(16)[8:]
    assert sorted(m.rcpt_tos[0] for m in mails) == sorted(r["participant"]["email"] for r in registrations)
    assert len(smtp_server.messages) == 16
    updates = harness.notifications(kind="meeting_updated")
    assert len(updates) == 8 and all(n.status == "sent" and n.attempt_count == 1 for n in updates)
