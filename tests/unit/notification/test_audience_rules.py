"""Who hears about an event and what it may show them; the check-in as the door's events move it (pure rules)."""

from __future__ import annotations

import datetime as dt

import pytest

from services.notification.domain.audience import certificate_recipient, registration_recipient, shows_links
from services.notification.domain.check_in import CLEAR, KEEP, WAIT, on_check_in_reverted
from tests.factories.notification import make_certificate_issued, make_registration

JOIN = "https://rakor.example.go.id/j/8XbQ2m"
YOUTUBE = "https://youtu.be/Rk7p0Zs1sLw"
WIB = dt.timezone(dt.timedelta(hours=7))
SCANNED = dt.datetime(2021, 12, 1, 8, 41, tzinfo=WIB)


def test_only_an_online_participant_with_a_live_link_is_shown_the_links():
    assert shows_links("online", link_revoked=False)
    assert not shows_links("online", link_revoked=True)
    assert not shows_links("in_person", link_revoked=False)


def test_an_online_participant_gets_the_contacts_links_in_the_message_and_its_extras():
    data = make_registration(attendance_mode="online")
    recipient, extra = registration_recipient(data, "confirmed", join_url=JOIN, youtube_url=YOUTUBE, link_revoked=False)
    assert (recipient.join_url, recipient.youtube_url) == (JOIN, YOUTUBE)
    assert (extra["join_url"], extra["youtube_url"]) == (JOIN, YOUTUBE)
    assert recipient.email == data["participant"]["email"] and recipient.status == "confirmed"


def test_a_revoked_link_or_an_in_person_seat_shows_no_link():
    online = make_registration(attendance_mode="online")
    recipient, extra = registration_recipient(online, "confirmed", join_url=JOIN, youtube_url=YOUTUBE, link_revoked=True)
    assert recipient.join_url is None and "join_url" not in extra
    in_person = make_registration(attendance_mode="in_person")
    recipient, extra = registration_recipient(in_person, "confirmed", join_url=JOIN, youtube_url=None, link_revoked=False)
    assert recipient.join_url is None and recipient.check_in_code == "K7Q2XP" and "join_url" not in extra


def test_the_payload_is_the_truth_for_the_message_status_language_and_waitlist_place():
    data = make_registration(
        status="waitlisted",
        waitlist_position=3,
        participant={"full_name": "Andi Pratama", "email": "andi@jatengprov.go.id", "locale": None},
    )
    recipient, extra = registration_recipient(data, "waitlisted", join_url=None, youtube_url=None, link_revoked=False)
    assert (recipient.status, recipient.locale, recipient.phone, extra["waitlist_position"]) == ("waitlisted", "id", None, 3)


def test_a_certificate_goes_to_the_participant_alone_by_email_with_what_the_pdf_prints():
    data = make_certificate_issued()
    recipient, extra = certificate_recipient(data)
    assert recipient.phone is None and recipient.email == data["participant"]["email"]
    certificate = extra["certificate"]
    assert certificate["number"] == "004/SERT/DJIKP/2021" and certificate["nip"] == "198507122010012003"
    assert certificate["meeting_date"] == "2021-12-01" and certificate["full_name"] == data["participant"]["full_name"]


@pytest.mark.parametrize(
    "checked_in_at, reverted, decision",
    [
        (None, SCANNED, WAIT),  # the undo overtook the check-in it undoes
        (None, None, KEEP),  # nothing to clear
        (SCANNED, SCANNED, CLEAR),
        (SCANNED, None, CLEAR),
        (SCANNED + dt.timedelta(minutes=5), SCANNED, KEEP),  # a new scan after the undo stays
    ],
)
def test_an_undone_check_in_waits_for_its_check_in_and_spares_a_later_scan(checked_in_at, reverted, decision):
    assert on_check_in_reverted(checked_in_at, reverted) == decision
