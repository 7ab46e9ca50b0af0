"""The MIME email and its .ics: parts, headers, and the invitation read back with icalendar."""

from __future__ import annotations

import datetime as dt

import pytest
from icalendar import Calendar

from services.notification.content.invitation import build_invitation
from services.notification.content.mail_message import build_email
from services.notification.content.qr_image import qr_png
from services.notification.content.rendering import Renderer
from services.notification.domain.messages import Recipient, build_context, plan_messages
from tests.factories.notification import make_meeting


def _context(kind="confirmed", sequence=2, attendance_mode="in_person"):
    recipient = Recipient("reg-42", "Dewi Lestari", "dewi.lestari@kemenpan.go.id", None, "id", attendance_mode, "confirmed", "AB12CD")
    [message] = plan_messages(kind, [recipient])
    return build_context(message, make_meeting(sequence=sequence))


def test_invitation_reads_back_with_uid_sequence_times_and_timezone():
    calendar = Calendar.from_ical(build_invitation(_context(), organizer="Panitia Rakor <rakor@kominfo.go.id>"))
    [event] = calendar.walk("VEVENT")
    assert calendar["METHOD"] == "REQUEST"
    assert str(event["UID"]) == "registration-reg-42@rakor" and int(event["SEQUENCE"]) == 2
    assert event.decoded("DTSTART") == dt.datetime(2021, 12, 1, 2, 0, tzinfo=dt.UTC)
    assert event["DTSTART"].params["TZID"] == "Asia/Jakarta"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Jakarta"]
    assert "Hotel Aviary" in str(event["LOCATION"])
    assert str(event["ORGANIZER"]) == "mailto:rakor@kominfo.go.id"
    assert str(event["ATTENDEE"]) == "mailto:dewi.lestari@kemenpan.go.id"


def test_online_invitation_without_a_link_yet_is_located_online():
    [event] = Calendar.from_ical(build_invitation(_context(attendance_mode="online"), organizer="rakor@kominfo.go.id")).walk("VEVENT")
    assert str(event["LOCATION"]) == "Online" and "URL" not in event and "CONFERENCE" not in event


JOIN_URL = "https://rakor.example.go.id/j/9f2c"


def _online_context(kind: str, *, link_on_recipient: bool) -> dict:
    recipient = Recipient(
        "reg-7",
        "Dewi Lestari",
        "dewi.lestari@kemenpan.go.id",
        None,
        "id",
        "online",
        "confirmed",
        None,
        join_url=JOIN_URL if link_on_recipient else None,
    )
    [message] = plan_messages(kind, [recipient])
    return build_context(message, make_meeting(sequence=1), extra=None if link_on_recipient else {"join_url": JOIN_URL})


@pytest.mark.parametrize(
    ("kind", "on_recipient", "method"),
    [
        ("link_issued", False, "REQUEST"),
        ("meeting_updated", True, "REQUEST"),
        ("meeting_cancelled", True, "CANCEL"),
    ],
)
def test_online_entries_carry_the_personal_link_where_calendar_clients_look(kind, on_recipient, method):
    calendar = Calendar.from_ical(build_invitation(_online_context(kind, link_on_recipient=on_recipient), organizer="rakor@kominfo.go.id"))
    [event] = calendar.walk("VEVENT")
    assert calendar["METHOD"] == method
    assert str(event["URL"]) == JOIN_URL and str(event["LOCATION"]) == JOIN_URL
    conference = event["CONFERENCE"]
    assert str(conference) == JOIN_URL and conference.params["VALUE"] == "URI" and "VIDEO" in conference.params["FEATURE"]
    assert str(event["X-GOOGLE-CONFERENCE"]) == JOIN_URL
    assert "GEO" not in event


def test_in_person_entries_carry_the_venue_and_its_coordinates_when_known():
    venue = {
        "name": "Hotel Aviary",
        "address": "Jl. Raya Sudimara Pinang No. 88, Bintaro",
        "city": "Tangerang Selatan",
        "latitude": -6.2797,
        "longitude": 106.7107,
    }
    recipient = Recipient("reg-8", "Dewi Lestari", "dewi.lestari@kemenpan.go.id", None, "id", "in_person", "confirmed", "AB12CD")
    [message] = plan_messages("confirmed", [recipient])
    [event] = Calendar.from_ical(build_invitation(build_context(message, make_meeting(venue=venue)), organizer="r@kominfo.go.id")).walk(
        "VEVENT"
    )
    assert str(event["LOCATION"]) == "Hotel Aviary, Jl. Raya Sudimara Pinang No. 88, Bintaro, Tangerang Selatan"
    assert (event["GEO"].latitude, event["GEO"].longitude) == (-6.2797, 106.7107)
    assert "URL" not in event and "CONFERENCE" not in event
    [without] = Calendar.from_ical(build_invitation(_context(), organizer="r@kominfo.go.id")).walk("VEVENT")
    assert "GEO" not in without


def test_email_is_multipart_with_inline_qr_and_calendar_attachment():
    context = _context()
    rendered = Renderer().email(context)
    message = build_email(
        rendered,
        sender="Panitia Rakor <rakor@kominfo.go.id>",
        to_name="Dewi Lestari",
        to_address="dewi.lestari@kemenpan.go.id",
        message_key="notif-1",
        calendar=build_invitation(context, organizer="rakor@kominfo.go.id"),
        calendar_method="REQUEST",
        qr_png=qr_png("AB12CD"),
    )
    assert message["Message-ID"] == "<notif-1@kominfo.go.id>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert str(message["To"]) == "Dewi Lestari <dewi.lestari@kemenpan.go.id>"
    types = [part.get_content_type() for part in message.walk()]
    assert types == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "multipart/related",
        "text/html",
        "image/png",
        "text/calendar",
    ]
    [png] = [p for p in message.walk() if p.get_content_type() == "image/png"]
    assert png["Content-ID"] == "<checkin-qr>"
    [ics] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert ics.get_param("method") == "REQUEST" and ics.get_filename() == "undangan.ics"


def test_qr_code_is_a_png():
    assert qr_png("AB12CD").startswith(b"\x89PNG\r\n\x1a\n")


def test_qr_png_pixels_are_the_qr_matrix_of_the_code():
    import png
    import qrcode

    from services.notification.content.qr_image import BORDER_MODULES, BOX_PIXELS

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=BORDER_MODULES, mask_pattern=2)
    code.add_data("K7P4MX2Q")
    code.make(fit=True)
    matrix = code.get_matrix()
    width, height, rows, _info = png.Reader(bytes=qr_png("K7P4MX2Q")).read()
    pixels = [list(row) for row in rows]
    assert width == height == len(matrix) * BOX_PIXELS
    sampled = [
        [pixels[y * BOX_PIXELS + BOX_PIXELS // 2][x * BOX_PIXELS + BOX_PIXELS // 2] == 0 for x in range(len(matrix))]
        for y in range(len(matrix))
    ]
    assert sampled == matrix
