"""Official mail end to end (real SMTP server): the organizer's logo uploaded, checked and carried inline;
the organizer as From name; the link mail naming only the meeting's channels, with its calendar entry's link."""

from __future__ import annotations

import pytest
from icalendar import Calendar

from services.notification.app import create_app
from tests.factories.images import GARUDA_SVG, make_png
from tests.factories.notification import make_link_issued, make_meeting, make_participant, make_registration
from tests.integration.notification.conftest import ADMIN_TOKEN

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
ORGANIZER = {
    "name": "Kementerian Komunikasi dan Informatika",
    "unit": "Direktorat Jenderal Informasi dan Komunikasi Publik",
    "signatory_name": "Usman Kansong",
}


@pytest.fixture
def client(harness):
    return create_app(harness.settings, channels=harness.channels).test_client()


def _registration(**meeting):
    return make_registration(participant=make_participant(phone=None), meeting=make_meeting(organizer=ORGANIZER, **meeting))


def test_an_uploaded_logo_is_checked_stored_and_then_inline_in_every_mail(client, harness, smtp_server):
    registration = _registration()
    png = make_png(96, 96)
    stored = client.put(
        f"/v1/events/{registration['event_id']}/logo", data=png, headers={**ADMIN, "Content-Type": "application/octet-stream"}
    )
    assert stored.status_code == 200
    assert stored.get_json()["content_type"] == "image/png" and stored.get_json()["size"] == len(png) and stored.get_json()["width"] == 96
    harness.deliver("registration.confirmed", registration)
    [received] = smtp_server.wait_for(1)
    message = received.message
    assert (
        message["From"].addresses[0].display_name
        == "Direktorat Jenderal Informasi dan Komunikasi Publik, Kementerian Komunikasi dan Informatika"
    )
    [logo] = [p for p in message.walk() if p["Content-ID"] == "<organizer-logo>"]
    assert logo.get_content_type() == "image/png" and logo.get_content_disposition() == "inline" and logo.get_content() == png
    html = message.get_body(("html",)).get_content()
    assert 'src="cid:organizer-logo"' in html and "http://" not in html.replace('href="http', "")
    assert "Usman Kansong" in message.get_body(("plain",)).get_content()


def test_without_a_logo_the_letterhead_is_words_only(harness, smtp_server):
    harness.deliver("registration.confirmed", _registration())
    [received] = smtp_server.wait_for(1)
    assert "cid:organizer-logo" not in received.message.get_body(("html",)).get_content()
    assert not [p for p in received.message.walk() if p["Content-ID"] == "<organizer-logo>"]


@pytest.mark.parametrize(
    "body, status",
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', 422),
        (b"GIF89a" + b"\x00" * 64, 422),
        (b"", 422),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * (300 * 1024), 413),
    ],
)
def test_a_refused_logo_says_why_and_stores_nothing(client, body, status):
    response = client.put("/v1/events/evt-rakor-jfph-2021/logo", data=body, headers=ADMIN)
    assert response.status_code == status
    if status == 422:
        assert response.get_json()["errors"]["logo"]
    assert client.get("/v1/events/evt-rakor-jfph-2021/logo", headers=ADMIN).status_code == 404


def test_logo_endpoints_need_the_admin_token_and_svg_is_served_only_as_a_download(client):
    assert client.put("/v1/events/e1/logo", data=GARUDA_SVG).status_code == 401
    assert client.put("/v1/events/e1/logo", data=GARUDA_SVG, headers={"Authorization": "Bearer bukan-admin-sama-sekali"}).status_code == 401
    assert client.put("/v1/events/e1/logo", data=GARUDA_SVG, headers=ADMIN).get_json()["content_type"] == "image/svg+xml"
    raw = client.get("/v1/events/e1/logo?raw=1", headers=ADMIN)
    assert raw.data == GARUDA_SVG and raw.headers["Content-Disposition"] == "attachment"
    assert raw.headers["Content-Security-Policy"] == "default-src 'none'" and raw.headers["X-Content-Type-Options"] == "nosniff"
    assert client.delete("/v1/events/e1/logo", headers=ADMIN).status_code == 204
    assert client.delete("/v1/events/e1/logo", headers=ADMIN).status_code == 404


def test_the_link_mail_names_only_zoom_shows_the_meeting_id_and_its_calendar_entry_joins(harness, smtp_server):
    registration = _registration()
    registration["attendance_mode"], registration["check_in_code"] = "online", None
    harness.deliver("registration.confirmed", registration)
    link = make_link_issued(registration, youtube_url=None, channel_kinds=["zoom"], zoom_meeting_id="81234567890")
    harness.deliver("stream.link_issued", link)
    confirmation, link_mail = smtp_server.wait_for(2)
    text = link_mail.message.get_body(("plain",)).get_content()
    assert "YouTube" not in text and "Zoom" in text and "81234567890" in text and link["join_url"] in text
    [ics] = [p for p in link_mail.message.walk() if p.get_content_type() == "text/calendar"]
    calendar = Calendar.from_ical(ics.get_content())
    [event] = calendar.walk("VEVENT")
    assert calendar["METHOD"] == "REQUEST" and str(event["CONFERENCE"]) == link["join_url"] and str(event["URL"]) == link["join_url"]
    assert str(event["UID"]) == f"registration-{registration['registration_id']}@rakor"
    assert "YouTube" not in confirmation.message.get_body(("plain",)).get_content()
