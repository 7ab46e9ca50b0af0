"""Pure rules: Indonesian times, GSM-7 text and segments, which messages an event causes, delivery statuses."""

from __future__ import annotations

import datetime as dt

from services.notification.channels.sms_senders import parse_retry_after
from services.notification.domain.delivery import DEAD, FAILED, RETRYING, SENT, status_after
from services.notification.domain.letterhead import from_header, online_channels, organizer_of, sms_signature
from services.notification.domain.messages import Recipient, announces_schedule_change, build_context, calendar_uid, plan_messages
from services.notification.domain.sms_text import count_segments, prepare_sms, to_gsm7
from shared.local_time import format_datetime, format_span, zone_label
from tests.factories.notification import make_meeting

NINE_WIB = dt.datetime(2021, 12, 1, 2, 0, tzinfo=dt.UTC)


def test_times_are_written_in_the_meetings_zone_with_indonesian_words():
    assert format_datetime(NINE_WIB, "Asia/Jakarta") == "Rabu, 1 Desember 2021, 09.00 WIB"
    assert format_datetime(NINE_WIB, "Asia/Makassar") == "Rabu, 1 Desember 2021, 10.00 WITA"
    assert format_datetime(NINE_WIB, "Asia/Jayapura") == "Rabu, 1 Desember 2021, 11.00 WIT"
    assert format_datetime(NINE_WIB, "Asia/Jakarta", "en") == "Wednesday, 1 December 2021, 09:00 WIB"


def test_span_over_midnight_names_both_days():
    ends = NINE_WIB + dt.timedelta(days=1)
    assert format_span(NINE_WIB, ends, "Asia/Jakarta") == "Rabu, 1 Desember 2021, 09.00 WIB s.d. Kamis, 2 Desember 2021, 09.00 WIB"


def test_zone_outside_indonesia_uses_its_abbreviation_or_offset():
    assert zone_label("Europe/Amsterdam", NINE_WIB) == "CET"
    assert zone_label("Asia/Dubai", NINE_WIB) == "UTC+04:00"


def test_typographic_characters_become_gsm7():
    assert to_gsm7("“Rapat” – Senin…") == '"Rapat" - Senin...'
    assert prepare_sms("Yth. Bapak/Ibu  Désirée\nFrançoise Gerông").text == "Yth. Bapak/Ibu Désirée Francoise Gerong"


def test_characters_without_a_gsm7_form_switch_to_ucs2():
    sms = prepare_sms("Yth. Bapak/Ibu Łukasz")
    assert sms.text.endswith("Łukasz") and sms.encoding == "ucs2"


def test_segments_are_counted_per_encoding():
    assert count_segments("a" * 160) == ("gsm7", 1)
    assert count_segments("a" * 161) == ("gsm7", 2)
    assert count_segments("{" * 80) == ("gsm7", 1)
    assert count_segments("{" * 81) == ("gsm7", 2)  # extension characters take two septets
    assert count_segments("日" * 70) == ("ucs2", 1)
    assert count_segments("日" * 71) == ("ucs2", 2)


def _recipient(**overrides):
    values = dict(
        registration_id="reg-9",
        full_name="Sri Rahayu",
        email="Sri.Rahayu@BKN.go.id",
        phone="+6281211112222",
        locale="id",
        attendance_mode="in_person",
        status="confirmed",
    )
    values.update(overrides)
    return Recipient(**values)


def test_email_to_everyone_and_sms_only_with_a_phone():
    planned = plan_messages("confirmed", [_recipient(), _recipient(registration_id="reg-10", phone=None)])
    assert [(m.channel, m.address) for m in planned] == [
        ("email", "sri.rahayu@bkn.go.id"),
        ("sms", "+6281211112222"),
        ("email", "sri.rahayu@bkn.go.id"),
    ]
    assert [m.calendar_method for m in planned] == ["REQUEST", None, "REQUEST"]


def test_updates_carry_an_invitation_only_for_confirmed_people():
    [confirmed_mail, _, waitlisted_mail, _] = plan_messages("meeting_updated", [_recipient(), _recipient(status="waitlisted")])
    assert confirmed_mail.calendar_method == "REQUEST" and waitlisted_mail.calendar_method is None


def test_cancel_invitation_keeps_the_uid_and_raises_the_sequence():
    [mail, _] = plan_messages("cancelled", [_recipient()])
    context = build_context(mail, make_meeting(sequence=3))
    assert context["calendar"] == {"method": "CANCEL", "uid": calendar_uid("reg-9"), "sequence": 4}


def test_only_time_and_venue_changes_are_announced():
    assert announces_schedule_change(["starts_at"]) and announces_schedule_change(["venue.address"])
    assert not announces_schedule_change(["title", "health_protocol"])


def test_status_after_an_attempt():
    assert status_after("sent", retries_left=True) == SENT
    assert status_after("permanent", retries_left=True) == FAILED
    assert status_after("transient", retries_left=True) == RETRYING
    assert status_after("transient", retries_left=False) == DEAD


def test_retry_after_in_seconds_or_as_a_date():
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert 25 <= parse_retry_after(later) <= 31


def test_sms_signature_prefers_a_short_unit_then_the_name_cut_at_a_word():
    assert sms_signature({"name": "Kementerian Komunikasi dan Informatika", "unit": "Ditjen IKP"}) == "Ditjen IKP"
    long_unit = {"name": "Kementerian Komunikasi dan Informatika", "unit": "Direktorat Jenderal Informasi dan Komunikasi Publik"}
    assert sms_signature(long_unit) == "Kementerian Komunikasi dan Informatika"
    very_long = {"name": "Kementerian Koordinator Bidang Pembangunan Manusia dan Kebudayaan", "unit": None}
    assert sms_signature(very_long) == "Kementerian Koordinator Bidang"


def test_the_from_header_keeps_the_relay_address_under_the_organizer_name():
    organizer = organizer_of({"organizer": {"name": "Kementerian PANRB", "unit": "Biro Hukum"}}, {"name": "Rakor"})
    assert from_header("Rakor <no-reply@rakor.go.id>", organizer) == '"Biro Hukum, Kementerian PANRB" <no-reply@rakor.go.id>'
    assert organizer_of({"organizer": None}, {"name": "Sekretariat Kabinet", "unit": None})["name"] == "Sekretariat Kabinet"
    assert organizer_of({"organizer": {"name": "  "}}, {"name": "Setkab"})["name"] == "Setkab"


def test_only_the_channels_the_meeting_has_are_named():
    assert online_channels(["zoom", "youtube"], "https://youtu.be/x") == ("zoom", "youtube")
    assert online_channels(["zoom"], None) == ("zoom",)
    assert online_channels(["zoom", "youtube"], None) == ("zoom",)  # no URL, no promise
    assert online_channels(None, None) == ()
