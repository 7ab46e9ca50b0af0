"""Templates: every kind in both locales, formal Indonesian by default, the right details for in-person and online."""

from __future__ import annotations

import pytest

from services.notification.content.rendering import EMAIL_PARTS, LOCALES, TEMPLATES_DIR, Renderer, template_names
from services.notification.domain.letterhead import organizer_of
from services.notification.domain.messages import EMAIL_ONLY_KINDS, KINDS, Recipient, build_context, plan_messages
from tests.factories.notification import CERTIFICATE, make_meeting

renderer = Renderer()


def _recipient(locale="id", attendance_mode="in_person", status="confirmed", **overrides) -> Recipient:
    values = dict(
        registration_id="reg-1",
        full_name="Andi Pratama",
        email="andi.pratama@jatengprov.go.id",
        phone="+6281390001234",
        locale=locale,
        attendance_mode=attendance_mode,
        status=status,
        check_in_code="K7Q2XP" if attendance_mode == "in_person" else None,
    )
    values.update(overrides)
    return Recipient(**values)


ZOOM_AND_YOUTUBE = {
    "join_url": "https://rakor.example.go.id/j/abc",
    "youtube_url": "https://youtu.be/ikp",
    "channel_kinds": ["zoom", "youtube"],
    "zoom_meeting_id": "81234567890",
}
ORGANIZER = {
    "name": "Kementerian Komunikasi dan Informatika",
    "unit": "Direktorat Jenderal Informasi dan Komunikasi Publik",
    "signatory_name": "Usman Kansong",
    "signatory_title": "Direktur Jenderal Informasi dan Komunikasi Publik",
}


def _context(kind, channel="email", extra=None, **recipient):
    [message] = [m for m in plan_messages(kind, [_recipient(**recipient)]) if m.channel == channel]
    default = {
        "waitlist_position": 2,
        "join_url": "https://rakor.example.go.id/j/abc",
        "youtube_url": "https://youtu.be/ikp",
        "certificate": CERTIFICATE,
    }
    return build_context(message, make_meeting(), extra=extra or default)


def test_every_template_exists_in_both_locales():
    names = template_names()
    assert names["id"] == names["en"], f"only in id: {names['id'] - names['en']}, only in en: {names['en'] - names['id']}"


def test_every_kind_has_subject_text_html_and_sms():
    for locale in LOCALES:
        for kind in KINDS:
            for part in EMAIL_PARTS + (() if kind in EMAIL_ONLY_KINDS else ("sms",)):
                assert (TEMPLATES_DIR / locale / f"{kind}.{part}.j2").is_file(), (locale, kind, part)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", KINDS)
def test_every_message_renders_with_the_meeting_title_and_time(kind, locale):
    email = renderer.email(_context(kind, locale=locale))
    assert "Rapat Koordinasi Pembinaan Jabatan Fungsional Pranata Humas" in email.subject
    expected_time = "Rabu, 1 Desember 2021, 09.00–12.00 WIB" if locale == "id" else "Wednesday, 1 December 2021, 09:00–12:00 WIB"
    assert expected_time in email.text and expected_time in email.html
    if kind in EMAIL_ONLY_KINDS:
        return
    sms = renderer.sms(_context(kind, channel="sms", locale=locale))
    assert sms.encoding == "gsm7" and sms.segments <= 3


def test_indonesian_is_formal_and_english_is_english():
    # The plain text opens with the letterhead (the organizer, underlined), then the greeting.
    assert renderer.email(_context("confirmed")).text.split("\n\n")[1].startswith("Yth. Bapak/Ibu Andi Pratama,")
    assert renderer.email(_context("confirmed", locale="en")).text.split("\n\n")[1].startswith("Dear Andi Pratama,")
    assert renderer.sms(_context("confirmed", channel="sms")).text.startswith("Yth. Bapak/Ibu Andi Pratama")


def test_in_person_confirmation_shows_venue_health_protocol_and_check_in_code():
    email = renderer.email(_context("confirmed"))
    for expected in ("Hotel Aviary", "Tangerang Selatan", "PeduliLindungi", "K7Q2XP"):
        assert expected in email.text
    assert email.wants_qr and 'src="cid:checkin-qr"' in email.html


def test_online_confirmation_promises_the_link_and_has_no_qr():
    email = renderer.email(_context("confirmed", attendance_mode="online", extra={"join_url": None}))
    assert "Tautan pribadi akan kami kirimkan" in email.text
    assert "Hotel Aviary" not in email.text and not email.wants_qr


def test_link_message_has_personal_and_youtube_links():
    for locale in LOCALES:
        email = renderer.email(_context("link_issued", attendance_mode="online", locale=locale, extra=ZOOM_AND_YOUTUBE))
        assert "https://rakor.example.go.id/j/abc" in email.text and "https://youtu.be/ikp" in email.text
        assert 'href="https://rakor.example.go.id/j/abc"' in email.html


def test_html_escapes_participant_data():
    email = renderer.email(_context("confirmed", full_name="<b>Budi</b> & Co"))
    assert "&lt;b&gt;Budi&lt;/b&gt; &amp; Co" in email.html
    assert "<b>Budi</b> & Co" in email.text


def test_cancellation_has_no_check_in_code():
    email = renderer.email(_context("cancelled"))
    assert "K7Q2XP" not in email.text and not email.wants_qr


def test_in_person_reminder_has_venue_health_protocol_check_in_code_and_qr():
    email = renderer.email(_context("reminder", extra={"join_url": None, "link_pending": False}))
    assert email.subject == "Pengingat: Rapat Koordinasi Pembinaan Jabatan Fungsional Pranata Humas"
    for expected in ("Hotel Aviary", "PeduliLindungi", "K7Q2XP"):
        assert expected in email.text
    assert email.wants_qr
    sms = renderer.sms(_context("reminder", channel="sms", extra={"join_url": None, "link_pending": False}))
    assert "K7Q2XP" in sms.text and sms.segments == 1


@pytest.mark.parametrize("locale", LOCALES)
def test_online_reminder_has_the_personal_link_or_says_it_will_follow(locale):
    with_link = renderer.email(
        _context(
            "reminder",
            attendance_mode="online",
            locale=locale,
            extra={"join_url": "https://rakor.example.go.id/j/abc", "link_pending": False},
        )
    )
    assert "https://rakor.example.go.id/j/abc" in with_link.text and not with_link.wants_qr
    pending = renderer.email(_context("reminder", attendance_mode="online", locale=locale, extra={"join_url": None, "link_pending": True}))
    assert ("Tautan pribadi akan kami kirimkan" if locale == "id" else "will follow") in pending.text
    sms = renderer.sms(
        _context("reminder", channel="sms", attendance_mode="online", locale=locale, extra={"join_url": None, "link_pending": True})
    )
    assert sms.segments == 1 and "Hotel Aviary" not in sms.text


def test_meeting_cancellation_shows_the_reason_and_no_check_in_code():
    email = renderer.email(_context("meeting_cancelled", extra={"reason": "Bertepatan dengan agenda pimpinan"}))
    assert email.subject == "Pembatalan Acara: Rapat Koordinasi Pembinaan Jabatan Fungsional Pranata Humas"
    assert "Alasan pembatalan: Bertepatan dengan agenda pimpinan" in email.text
    assert "K7Q2XP" not in email.text and not email.wants_qr
    sms = renderer.sms(_context("meeting_cancelled", channel="sms", extra={"reason": "Bertepatan dengan agenda pimpinan"}))
    assert "DIBATALKAN" in sms.text and "Bertepatan" in sms.text and sms.segments == 1


@pytest.mark.parametrize("locale", LOCALES)
def test_the_certificate_mail_names_its_number_and_verification_link_without_meeting_logistics(locale):
    # As the certificate audience builds the recipient: no mode, no check-in code.
    email = renderer.email(
        _context("certificate", locale=locale, attendance_mode="", check_in_code=None, extra={"certificate": CERTIFICATE})
    )
    assert "007/SERT/DJIKP/2021" in email.subject
    assert "https://rakor.example.go.id/c/q8Hx3kPZ0bT1vW9yA2cD4e" in email.text
    assert 'href="https://rakor.example.go.id/c/q8Hx3kPZ0bT1vW9yA2cD4e"' in email.html
    assert "K7Q2XP" not in email.text and "Hotel Aviary" not in email.text and not email.wants_qr


def test_a_certificate_goes_by_email_only():
    assert [m.channel for m in plan_messages("certificate", [_recipient()])] == ["email"]


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", KINDS)
def test_every_mail_carries_the_organizer_as_letterhead_and_signature_never_the_title(kind, locale):
    [message] = [m for m in plan_messages(kind, [_recipient(locale=locale)]) if m.channel == "email"]
    context = build_context(message, make_meeting(organizer=ORGANIZER), extra={"waitlist_position": 2, "certificate": CERTIFICATE})
    email = renderer.email(context)
    for part in (email.text, email.html):
        assert part.count("Direktorat Jenderal Informasi dan Komunikasi Publik") >= 2  # letterhead and signature
        assert "Usman Kansong" in part and "Kementerian Komunikasi dan Informatika" in part
        assert "Panitia Rapat Koordinasi" not in part and "committee of" not in part
    assert email.text.startswith("Direktorat Jenderal Informasi dan Komunikasi Publik, Kementerian Komunikasi dan Informatika\n===")


def test_a_meeting_without_organizer_signs_with_the_default():
    [message] = [m for m in plan_messages("confirmed", [_recipient()]) if m.channel == "email"]
    context = build_context(message, make_meeting(), extra={})
    context["organizer"] = organizer_of(context["meeting"], {"name": "Sekretariat Kabinet", "unit": None})
    email = renderer.email(context)
    assert email.text.startswith("Sekretariat Kabinet\n") and "Hormat kami,\nSekretariat Kabinet" in email.text


@pytest.mark.parametrize("locale", LOCALES)
def test_no_youtube_promise_without_a_youtube_channel(locale):
    zoom_only = {
        "join_url": "https://rakor.example.go.id/j/abc",
        "youtube_url": None,
        "channel_kinds": ["zoom"],
        "zoom_meeting_id": "81234567890",
    }
    email = renderer.email(_context("link_issued", attendance_mode="online", locale=locale, extra=zoom_only))
    assert "YouTube" not in email.text and "YouTube" not in email.html
    assert "Zoom" in email.text and "81234567890" in email.text and "81234567890" in email.html
    before_links = renderer.email(_context("confirmed", attendance_mode="online", locale=locale, extra={"join_url": None}))
    # Before streaming has said which channels the meeting has, no platform is named.
    assert "YouTube" not in before_links.text and "Zoom" not in before_links.text


@pytest.mark.parametrize("locale", LOCALES)
def test_the_zoom_meeting_id_appears_only_for_a_zoom_meeting(locale):
    youtube_only = {
        "join_url": "https://rakor.example.go.id/j/abc",
        "youtube_url": "https://youtu.be/ikp",
        "channel_kinds": ["youtube"],
        "zoom_meeting_id": None,
    }
    email = renderer.email(_context("link_issued", attendance_mode="online", locale=locale, extra=youtube_only))
    assert "Zoom" not in email.text and "YouTube" in email.text
    both = renderer.email(_context("link_issued", attendance_mode="online", locale=locale, extra=ZOOM_AND_YOUTUBE))
    assert "Zoom" in both.text and "YouTube" in both.text and "81234567890" in both.text


@pytest.mark.parametrize("kind", sorted(set(KINDS) - EMAIL_ONLY_KINDS))
def test_sms_ends_with_the_organizer_and_costs_at_most_one_more_segment(kind):
    plain = renderer.sms(_context(kind, channel="sms", extra={"waitlist_position": 2, "join_url": None, "link_pending": True}))
    [message] = [m for m in plan_messages(kind, [_recipient()]) if m.channel == "sms"]
    context = build_context(
        message, make_meeting(organizer=ORGANIZER), extra={"waitlist_position": 2, "join_url": None, "link_pending": True}
    )
    signed = renderer.sms(context)
    assert plain.text.endswith(" -Rakor") and signed.text.endswith(" -Kementerian Komunikasi dan Informatika")
    assert signed.segments <= plain.segments + 1
