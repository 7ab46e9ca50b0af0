"""The agency digest's rules: windows from an injected clock, what an event leaves for the digest, grouping, the bulk summary."""

from __future__ import annotations

import datetime as dt

import pytest

from services.notification.content.rendering import Renderer
from services.notification.domain.digest import (
    AGENCY_DIGEST,
    BULK_SUMMARY,
    MAX_LISTED_INVALID_ROWS,
    agency_recipient,
    build_digest,
    bulk_summary,
    digest_item,
    letterhead_meeting,
    next_window,
    window_start,
)
from services.notification.domain.messages import EMAIL, build_context, plan_messages
from tests.factories.notification import (
    make_agency,
    make_bulk_processed,
    make_cancellation,
    make_certificate_issued,
    make_meeting,
    make_registration,
)

UTC = dt.UTC
WIB = dt.timezone(dt.timedelta(hours=7))
AT = dt.datetime(2021, 11, 20, 10, 0, tzinfo=UTC)


def at(minutes: float) -> dt.datetime:
    return AT + dt.timedelta(minutes=minutes)


# ----- windows ---------------------------------------------------------------------------------
def test_a_window_of_an_hour_starts_on_the_hour_whatever_the_offset_of_the_clock():
    assert window_start(dt.datetime(2021, 11, 20, 17, 42, 9, tzinfo=WIB), 60) == dt.datetime(2021, 11, 20, 10, 0, tzinfo=UTC)
    assert window_start(at(0), 60) == at(0)
    assert window_start(at(59.99), 60) == at(0)
    assert window_start(at(60), 60) == at(60)


def test_every_moment_of_a_window_has_the_same_start_and_the_next_window_starts_at_its_end():
    for minutes in (1, 15, 60, 90):
        start = window_start(at(7.5), minutes)
        assert start <= at(7.5) < next_window(at(7.5), minutes) == start + dt.timedelta(minutes=minutes)
        assert {window_start(start + dt.timedelta(seconds=s), minutes) for s in range(0, minutes * 60, 13)} == {start}


def test_two_windows_in_a_row_are_never_closer_than_the_setting():
    starts = sorted({window_start(at(m / 10), 25) for m in range(3000)})
    assert all(b - a == dt.timedelta(minutes=25) for a, b in zip(starts, starts[1:], strict=False))


def test_a_window_shorter_than_a_minute_is_refused():
    with pytest.raises(ValueError):
        window_start(AT, 0)


# ----- items -----------------------------------------------------------------------------------
def test_a_confirmation_becomes_an_item_with_name_position_and_meeting_but_no_phone_or_address():
    data = make_registration(attendance_mode="online")
    item = digest_item("registration.confirmed", data, at(1))
    assert item["kind"] == "confirmed" and item["agency_id"] == "agency-kominfo"
    assert item["full_name"] == data["participant"]["full_name"] and item["position"] == "Pranata Humas Ahli Muda"
    assert item["meeting"]["title"] == data["meeting"]["title"] and item["attendance_mode"] == "online"
    flat = repr(item)
    assert data["participant"]["phone"] not in flat and data["participant"]["email"] not in flat and "K7Q2XP" not in flat


@pytest.mark.parametrize(
    "event_type, payload, kind, detail",
    [
        ("registration.waitlisted", lambda: make_registration("waitlisted", waitlist_position=4), "waitlisted", {"waitlist_position": 4}),
        ("registration.promoted", lambda: make_registration(), "promoted", {}),
        (
            "registration.mode_changed",
            lambda: make_registration(attendance_mode="online", previous_mode="in_person"),
            "moved",
            {"previous_mode": "in_person"},
        ),
        ("registration.cancelled", lambda: make_cancellation(make_registration()), "cancelled", {"previous_status": "confirmed"}),
        ("certificate.issued", lambda: make_certificate_issued(), "certificate", {"number": make_certificate_issued()["number"]}),
    ],
)
def test_each_change_the_digest_reports_keeps_what_it_needs(event_type, payload, kind, detail):
    item = digest_item(event_type, payload(), at(2))
    assert item["kind"] == kind and item["detail"] == detail


def test_a_check_in_takes_name_and_meeting_from_what_the_consumer_knows():
    data = {"registration_id": "reg-1", "event_id": "evt-rakor-jfph-2021", "agency_id": "agency-kominfo", "at": at(3)}
    item = digest_item(
        "registration.checked_in", data, at(3), person={"full_name": "Budi Santoso", "position": None}, meeting=make_meeting()
    )
    assert (
        item["full_name"] == "Budi Santoso" and item["detail"]["at"] == at(3).isoformat() and item["meeting"]["id"] == "evt-rakor-jfph-2021"
    )


def test_events_without_an_agency_or_not_about_people_leave_nothing():
    assert digest_item("registration.checked_in", {"registration_id": "reg-1", "event_id": "e", "at": AT, "agency_id": None}, AT) is None
    assert digest_item("event.updated", make_meeting(), AT) is None
    assert digest_item("stream.link_issued", make_registration(), AT) is None


# ----- the digest ------------------------------------------------------------------------------
def _item(event_type, data, minutes):
    return digest_item(event_type, data, at(minutes))


def test_the_digest_groups_per_meeting_earliest_first_counts_per_kind_and_lists_in_order():
    later = make_meeting(
        id="evt-later", title="Bimbingan Teknis Pranata Humas", starts_at="2021-12-08T09:00:00+07:00", ends_at="2021-12-08T15:00:00+07:00"
    )
    items = [
        _item("registration.confirmed", make_registration(meeting=later, event_id="evt-later"), 5),
        _item("registration.waitlisted", make_registration("waitlisted", waitlist_position=1), 3),
        _item("registration.confirmed", make_registration(), 1),
        _item("registration.confirmed", make_registration(), 2),
    ]
    digest = build_digest(items)
    assert [g["meeting"]["id"] for g in digest["meetings"]] == ["evt-rakor-jfph-2021", "evt-later"]
    first = digest["meetings"][0]
    assert first["counts"] == {"confirmed": 2, "waitlisted": 1}
    assert [e["kind"] for e in first["entries"]] == ["confirmed", "confirmed", "waitlisted"]
    assert digest["counts"] == {"confirmed": 3, "waitlisted": 1} and digest["total"] == 4


def test_one_meeting_heads_the_mail_with_its_organizer_several_leave_it_to_the_default():
    one = build_digest([_item("registration.confirmed", make_registration(), 1)])
    assert letterhead_meeting(one["meetings"])["id"] == "evt-rakor-jfph-2021"
    two = build_digest(
        [
            _item("registration.confirmed", make_registration(), 1),
            _item("registration.confirmed", make_registration(event_id="evt-2", meeting=make_meeting(id="evt-2")), 2),
        ]
    )
    assert letterhead_meeting(two["meetings"]) == {"id": "", "title": "", "organizer": None}


# ----- the bulk summary ------------------------------------------------------------------------
def test_the_bulk_summary_numbers_rows_from_one_and_flattens_field_messages():
    summary = bulk_summary(make_bulk_processed())
    assert (summary["created"], summary["duplicates"], summary["invalid_count"]) == (3, 1, 2)
    assert [r["row"] for r in summary["invalid"]] == [5, 6]
    assert summary["invalid"][0]["messages"] == ["email: Not a valid email address."]
    assert "attendance_mode: Must be one of: in_person, online." in summary["invalid"][1]["messages"]


def test_nested_and_whole_row_messages_read_plainly():
    data = make_bulk_processed(
        invalid=[
            {"row": 0, "errors": {"_row": ["Each registration must be a JSON object."]}},
            {"row": 1, "errors": {"participant": {"email": ["Missing."]}}},
        ]
    )
    assert [r["messages"] for r in bulk_summary(data)["invalid"]] == [
        ["Each registration must be a JSON object."],
        ["participant.email: Missing."],
    ]


def test_a_huge_refusal_lists_the_first_rows_and_counts_the_rest():
    rows = [{"row": i, "errors": {"email": ["Not a valid email address."]}} for i in range(MAX_LISTED_INVALID_ROWS + 7)]
    summary = bulk_summary(make_bulk_processed(invalid=rows))
    assert len(summary["invalid"]) == MAX_LISTED_INVALID_ROWS and summary["unlisted"] == 7


# ----- the mails -------------------------------------------------------------------------------
def _context(kind, locale, meeting, extra):
    [message] = plan_messages(kind, [agency_recipient(make_agency(locale=locale))], (EMAIL,))
    return build_context(message, meeting, extra=extra)


@pytest.mark.parametrize("locale", ["id", "en"])
def test_the_digest_mail_names_each_person_and_what_happened_in_the_agencys_language(locale):
    items = [
        _item("registration.confirmed", make_registration(attendance_mode="online"), 1),
        _item("registration.waitlisted", make_registration("waitlisted", waitlist_position=2), 2),
        _item("registration.cancelled", make_cancellation(make_registration()), 3),
    ]
    digest = build_digest(items)
    rendered = Renderer().email(_context(AGENCY_DIGEST, locale, letterhead_meeting(digest["meetings"]), {"digest": digest}))
    for part in (rendered.text, rendered.html):
        assert all(item["full_name"] in part for item in items)
        assert "Rapat Koordinasi Pembinaan Jabatan Fungsional Pranata Humas" in part
        assert ("daftar tunggu nomor 2" if locale == "id" else "Waiting list, number 2") in part
    assert "3" in rendered.subject and ("Ringkasan" if locale == "id" else "Digest") in rendered.subject
    assert "+62" not in rendered.text and "@kominfo.go.id" not in rendered.text


@pytest.mark.parametrize("locale", ["id", "en"])
def test_the_bulk_summary_mail_gives_the_counts_and_each_refused_row_with_its_reasons(locale):
    data = make_bulk_processed()
    rendered = Renderer().email(_context(BULK_SUMMARY, locale, make_meeting(), {"bulk": bulk_summary(data)}))
    assert "3" in rendered.subject and data["meeting"]["title"] in rendered.subject
    row = "Baris" if locale == "id" else "Row"
    for part in (rendered.text, rendered.html):
        assert f"{row} 5" in part and f"{row} 6" in part
        assert "Not a valid email address." in part
    assert "Ditjen IKP Kementerian Kominfo" in rendered.text
