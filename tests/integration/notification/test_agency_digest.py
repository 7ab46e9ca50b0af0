"""The agency's mail: the bulk summary right after the request, and the digest, one per agency and window, on SQLite and PostgreSQL.

The digest is driven with an injected clock (no waiting for an hour to pass); "workers" are harnesses
sharing one database, as worker processes do.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import select, update

from services.notification import digesting
from services.notification.domain.digest import window_start
from services.notification.models import AgencyDigest, DigestItem
from shared.db import read_only, unit_of_work
from tests.factories.notification import (
    AGENCY_ID,
    make_agency,
    make_bulk_processed,
    make_cancellation,
    make_participant,
    make_registration,
)
from tests.integration.notification.conftest import Harness, notification_env

MINUTES = 60
# A moment well inside a window: the digest of what happens now is due at the next full hour.
NOW = window_start(dt.datetime.now(dt.UTC), MINUTES) + dt.timedelta(minutes=20)
LATER = NOW + dt.timedelta(minutes=MINUTES)


def run_digests(harness: Harness, at: dt.datetime) -> int:
    return digesting.send_due_digests(harness.session_factory, harness.courier, MINUTES, clock=lambda: at)


def digests_to(smtp_server, address: str) -> list:
    return [m for m in smtp_server.messages if address in m.rcpt_tos and "@" in address]


def record_changes(harness: Harness, *registrations) -> None:
    for data in registrations:
        assert (
            harness.deliver("registration.confirmed" if data["status"] == "confirmed" else "registration.waitlisted", data).action == "ack"
        )


def digest_rows(harness: Harness) -> list[AgencyDigest]:
    with read_only(harness.session_factory) as session:
        rows = list(session.scalars(select(AgencyDigest).order_by(AgencyDigest.window_start)))
        session.expunge_all()
        return rows


# ----- the bulk summary ------------------------------------------------------------------------
@pytest.mark.parametrize("locale, subject", [("id", "Hasil pendaftaran kolektif"), ("en", "Bulk registration")])
def test_the_bulk_summary_reaches_the_agency_contact_at_once_in_its_language(harness, smtp_server, locale, subject):
    data = make_bulk_processed(agency=make_agency(locale=locale))
    assert harness.deliver("agency.bulk_processed", data).action == "ack"
    [mail] = smtp_server.wait_for(1)
    assert mail.rcpt_tos == ["kepegawaian.ikp@kominfo.go.id"]
    assert str(mail.message["Subject"]).startswith(subject)
    text = mail.message.get_body(("plain",)).get_content()
    assert "Not a valid email address." in text and ("Baris 5" if locale == "id" else "Row 5") in text
    assert mail.message.get_body(("html",)) is not None
    [row] = harness.notifications(kind="bulk_summary")
    assert (row.channel, row.status, row.registration_id) == ("email", "sent", AGENCY_ID)


def test_a_redelivered_bulk_event_sends_no_second_summary(harness, smtp_server):
    data = make_bulk_processed()
    for _ in range(2):
        assert harness.deliver("agency.bulk_processed", data, event_id="6b1f0c58-3c55-4d7e-9f43-0c1f1f1b2a11").action == "ack"
    smtp_server.wait_for(1)
    assert len(harness.notifications(kind="bulk_summary")) == 1 and len(smtp_server.messages) == 1


def test_an_agency_that_turned_its_mail_off_gets_no_bulk_summary_even_from_an_older_snapshot(harness, smtp_server):
    assert harness.deliver("agency.updated", make_agency(digest_enabled=False, updated_at="2021-11-02T08:00:00+07:00")).action == "ack"
    # The bulk request ran before the switch reached registration's answer here: the newer state wins.
    assert harness.deliver("agency.bulk_processed", make_bulk_processed()).action == "ack"
    assert harness.notifications(kind="bulk_summary") == [] and smtp_server.messages == []


def test_a_forged_agency_contact_is_dead_lettered_and_nobody_gets_mail(harness, smtp_server):
    forged = make_agency(contact_email="kepegawaian.ikp@kominfo.go.id, semua@example.com")
    outcome = harness.deliver("agency.updated", forged)
    assert (outcome.action, outcome.reason) == ("dead", "untrusted-payload")
    outcome = harness.deliver("agency.bulk_processed", make_bulk_processed(agency=forged))
    assert (outcome.action, outcome.reason) == ("dead", "untrusted-payload")
    assert harness.notifications() == [] and smtp_server.messages == []


# ----- the digest ------------------------------------------------------------------------------
def test_changes_of_a_window_go_out_in_one_digest_after_it_closes_and_never_twice(harness, smtp_server):
    assert harness.deliver("agency.updated", make_agency()).action == "ack"
    people = [make_registration(), make_registration("waitlisted", waitlist_position=1), make_registration(attendance_mode="online")]
    record_changes(harness, *people)
    assert (
        harness.deliver(
            "registration.checked_in",
            {
                "registration_id": people[0]["registration_id"],
                "event_id": people[0]["event_id"],
                "agency_id": AGENCY_ID,
                "at": NOW.isoformat(),
            },
        ).action
        == "ack"
    )
    assert harness.deliver("registration.cancelled", make_cancellation(people[2])).action == "ack"
    participants_mail = len(smtp_server.messages)

    # Recorded by the consumer "now" (its wall clock); the scheduler's clock is what the test moves.
    assert run_digests(harness, dt.datetime.now(dt.UTC) - dt.timedelta(minutes=MINUTES)) == 0
    assert run_digests(harness, LATER) == 1
    assert run_digests(harness, LATER + dt.timedelta(minutes=5)) == 0
    [digest] = digests_to(smtp_server, "kepegawaian.ikp@kominfo.go.id")
    assert len(smtp_server.messages) == participants_mail + 1
    text = digest.message.get_body(("plain",)).get_content()
    for person in people:
        assert person["participant"]["full_name"] in text
        assert person["participant"]["phone"] not in text
    assert "Hadir di lokasi: 1" in text and "Dibatalkan: 1" in text and "Daftar tunggu: 1" in text
    [row] = digest_rows(harness)
    assert (row.status, row.item_count) == ("sent", 5)


def test_changes_after_a_digest_wait_for_the_next_window(harness, smtp_server):
    assert harness.deliver("agency.updated", make_agency()).action == "ack"
    record_changes(harness, make_registration())
    assert run_digests(harness, LATER) == 1
    late = make_registration()
    record_changes(harness, late)
    # Same window as the first digest: nothing, however often the scheduler polls.
    assert run_digests(harness, LATER + dt.timedelta(minutes=39)) == 0
    assert run_digests(harness, LATER + dt.timedelta(minutes=MINUTES)) == 1
    first, second = digests_to(smtp_server, "kepegawaian.ikp@kominfo.go.id")
    assert late["participant"]["full_name"] in second.message.get_body(("plain",)).get_content()
    assert late["participant"]["full_name"] not in first.message.get_body(("plain",)).get_content()
    assert [r.window_start for r in digest_rows(harness)] == [
        window_start(LATER, MINUTES),
        window_start(LATER, MINUTES) + dt.timedelta(minutes=MINUTES),
    ]


def test_the_digest_is_in_english_for_an_agency_that_asked_for_it(harness, smtp_server):
    assert harness.deliver("agency.updated", make_agency(locale="en")).action == "ack"
    record_changes(harness, make_registration("waitlisted", waitlist_position=3))
    run_digests(harness, LATER)
    [digest] = digests_to(smtp_server, "kepegawaian.ikp@kominfo.go.id")
    assert str(digest.message["Subject"]).startswith("Digest for Ditjen IKP")
    assert "Waiting list, number 3" in digest.message.get_body(("plain",)).get_content()


def test_changes_wait_for_an_agency_not_known_yet_and_go_out_once_it_is(harness, smtp_server):
    record_changes(harness, make_registration())
    assert run_digests(harness, LATER) == 0
    assert harness.deliver("agency.updated", make_agency()).action == "ack"
    assert run_digests(harness, LATER) == 1
    assert len(digests_to(smtp_server, "kepegawaian.ikp@kominfo.go.id")) == 1


def test_a_disabled_agency_gets_no_digest_and_its_waiting_changes_are_dropped(harness, smtp_server):
    assert harness.deliver("agency.updated", make_agency()).action == "ack"
    record_changes(harness, make_registration())
    assert harness.deliver("agency.updated", make_agency(digest_enabled=False, updated_at="2021-11-02T08:00:00+07:00")).action == "ack"
    record_changes(harness, make_registration())
    assert run_digests(harness, LATER) == 0
    with read_only(harness.session_factory) as session:
        assert session.scalars(select(DigestItem)).all() == []
    # Turned on again: only what happens from then on is reported.
    assert harness.deliver("agency.updated", make_agency(updated_at="2021-11-03T08:00:00+07:00")).action == "ack"
    again = make_registration()
    record_changes(harness, again)
    assert run_digests(harness, LATER) == 1
    [digest] = digests_to(smtp_server, "kepegawaian.ikp@kominfo.go.id")
    assert "1 perubahan" in str(digest.message["Subject"])


def test_a_redelivered_event_is_one_change_in_the_digest(harness, smtp_server):
    assert harness.deliver("agency.updated", make_agency()).action == "ack"
    data = make_registration(participant=make_participant(full_name="Yuliani Kartika"))
    for _ in range(2):
        assert harness.deliver("registration.confirmed", data, event_id="2f0c6a8e-9d44-4a4b-8f3e-5e7d9a1c0b22").action == "ack"
    run_digests(harness, LATER)
    [row] = digest_rows(harness)
    assert row.item_count == 1


# ----- several workers and restarts -------------------------------------------------------------
@pytest.fixture
def two_workers(database_url, smtp_server, sms_gateway, tmp_path):
    env = notification_env(database_url, tmp_path, **smtp_server.env(), **sms_gateway.env())
    workers = [Harness(env), Harness(env)]
    yield workers
    for worker in workers:
        worker.close()


def test_two_workers_polling_at_once_send_one_digest_per_agency(two_workers, smtp_server):
    first, second = two_workers
    agencies = [make_agency(agency_id=f"agency-{n}", contact_email=f"humas{n}@prov.go.id", name=f"Dinas Kominfo {n}") for n in range(4)]
    for agency in agencies:
        assert first.deliver("agency.updated", agency).action == "ack"
        record_changes(second, make_registration(agency_id=agency["agency_id"]), make_registration(agency_id=agency["agency_id"]))
    before = len(smtp_server.messages)
    start = threading.Barrier(2)
    taken = []

    def poll(worker):
        start.wait()
        for second in range(3):
            taken.append(run_digests(worker, LATER + dt.timedelta(seconds=second)))

    threads = [threading.Thread(target=poll, args=(w,)) for w in two_workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(taken) == 4
    assert len(smtp_server.messages) == before + 4
    for agency in agencies:
        assert len(digests_to(smtp_server, agency["contact_email"])) == 1
    assert [r.status for r in digest_rows(first)] == ["sent"] * 4


def test_a_digest_claimed_by_a_worker_that_died_is_sent_once_by_the_next(two_workers, smtp_server):
    crashed, survivor = two_workers
    assert crashed.deliver("agency.updated", make_agency()).action == "ack"
    record_changes(crashed, make_registration(), make_registration())
    # The first worker seals and claims the digest, then dies before sending it.
    digesting.seal_due_digests(crashed.session_factory, MINUTES, LATER)
    lease = dt.timedelta(seconds=crashed.channels.lease_seconds)
    assert digesting.claim_next(crashed.session_factory, lease, LATER) is not None
    crashed.close()
    # While its lease holds, nobody else sends it; after, the next worker does, once.
    assert run_digests(survivor, LATER + lease / 2) == 0
    assert run_digests(survivor, LATER + lease * 2) == 1
    assert run_digests(survivor, LATER + lease * 4) == 0
    assert len(digests_to(smtp_server, "kepegawaian.ikp@kominfo.go.id")) == 1


def test_a_worker_that_died_after_sending_but_before_closing_the_digest_sends_nothing_more(
    harness, smtp_server, database_url, sms_gateway, tmp_path
):
    assert harness.deliver("agency.updated", make_agency()).action == "ack"
    record_changes(harness, make_registration())
    assert run_digests(harness, LATER) == 1
    # As if the process ended between the SMTP answer and closing the digest row.
    with unit_of_work(harness.session_factory) as session:
        session.execute(update(AgencyDigest).values(status="sending", claimed_until=LATER))
    harness.close()
    restarted = Harness(notification_env(database_url, tmp_path, **smtp_server.env(), **sms_gateway.env()))
    try:
        assert run_digests(restarted, LATER + dt.timedelta(minutes=5)) == 1
        assert [r.status for r in digest_rows(restarted)] == ["sent"]
    finally:
        restarted.close()
    assert len(digests_to(smtp_server, "kepegawaian.ikp@kominfo.go.id")) == 1


def test_changes_recorded_before_a_restart_are_in_the_digest_after_it(harness, smtp_server, database_url, sms_gateway, tmp_path):
    assert harness.deliver("agency.updated", make_agency()).action == "ack"
    before = make_registration()
    record_changes(harness, before)
    harness.close()
    restarted = Harness(notification_env(database_url, tmp_path, **smtp_server.env(), **sms_gateway.env()))
    try:
        assert run_digests(restarted, LATER) == 1
    finally:
        restarted.close()
    [digest] = digests_to(smtp_server, "kepegawaian.ikp@kominfo.go.id")
    assert before["participant"]["full_name"] in digest.message.get_body(("plain",)).get_content()
