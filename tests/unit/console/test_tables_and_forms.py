"""The registrants table filters, searches and pages; the meeting form builds the API body and sees what notifies."""

from __future__ import annotations

from services.console.domain.meeting_form import changes, flatten_errors, form_values, meeting_body, notifies_participants
from services.console.domain.registrations import Filters, active_participants, filter_registrations, paginate


def make_registration(n: int, **overrides) -> dict:
    body = {
        "id": f"r{n}",
        "agency_id": "jabar" if n % 2 else "kominfo",
        "status": "confirmed",
        "attendance_mode": "in_person",
        "participant": {"full_name": f"Peserta {n}", "email": f"peserta{n}@jabarprov.go.id", "nip": f"19870315201101{n:04d}"},
    }
    body.update(overrides)
    return body


ROWS = [make_registration(n) for n in range(1, 11)] + [
    make_registration(
        11, status="waitlisted", participant={"full_name": "Rina Wulandari", "email": "rina@kominfo.go.id", "nip": "198703152011012001"}
    ),
    make_registration(
        12,
        status="cancelled",
        attendance_mode="online",
        participant={"full_name": "Budi Santoso", "email": "budi@jabarprov.go.id", "nip": None},
    ),
]


def test_filters_combine():
    found = filter_registrations(ROWS, Filters(agency_id="jabar", status="confirmed"))
    assert [r["id"] for r in found] == ["r1", "r3", "r5", "r7", "r9"]
    assert [r["id"] for r in filter_registrations(ROWS, Filters(mode="online"))] == ["r12"]


def test_search_finds_name_email_or_nip_ignoring_case_and_spaces():
    assert [r["id"] for r in filter_registrations(ROWS, Filters(query="rina WULAN"))] == ["r11"]
    assert [r["id"] for r in filter_registrations(ROWS, Filters(query="budi@jabar"))] == ["r12"]
    assert [r["id"] for r in filter_registrations(ROWS, Filters(query="19870315 2011012001"))] == ["r11"]


def test_no_filter_keeps_everything_in_order():
    assert filter_registrations(ROWS, Filters()) == ROWS
    assert not Filters().active and Filters(query="x").active


def test_pages_number_their_rows_and_clamp_the_page_number():
    page = paginate(ROWS, 2, per_page=5)
    assert [r["id"] for r in page.rows] == ["r6", "r7", "r8", "r9", "r10"]
    assert (page.number, page.pages, page.total, page.first_index) == (2, 3, 12, 6)
    assert page.has_previous and page.has_next
    assert paginate(ROWS, 99, per_page=5).number == 3
    assert paginate([], 1).pages == 1


def test_active_participants_leave_out_the_cancelled():
    assert active_participants(ROWS) == 11


FORM = {
    "title": "Rapat Koordinasi Pranata Humas",
    "starts_at": "2031-12-01T09:00",
    "ends_at": "2031-12-01T12:00",
    "timezone": "Asia/Makassar",
    "venue.name": "Hotel Aston Makassar",
    "venue.address": "Jl. Sultan Hasanuddin No. 10",
    "venue.city": "",
    "in_person_capacity": "120",
    "agency_in_person_quota": "",
    "online": "1",
    "health_protocol": "",
    "registration_closes_at": "",
}


def test_the_form_becomes_the_api_body_with_times_in_the_meetings_zone():
    body, errors = meeting_body(FORM)
    assert errors == {}
    assert body["starts_at"] == "2031-12-01T09:00:00+08:00"
    assert body["venue"] == {"name": "Hotel Aston Makassar", "address": "Jl. Sultan Hasanuddin No. 10", "city": None}
    assert body["in_person_capacity"] == 120 and body["agency_in_person_quota"] is None and body["online"] is True


def test_missing_and_malformed_fields_are_named():
    _body, errors = meeting_body({**FORM, "title": " ", "starts_at": "besok", "in_person_capacity": "banyak"})
    assert errors == {"title": ["form.required"], "starts_at": ["form.bad_time"], "in_person_capacity": ["form.whole_number"]}


def test_only_changed_fields_are_sent_and_time_or_venue_notifies():
    body, _ = meeting_body(FORM)
    meeting = {**body, "starts_at": "2031-12-01T01:00:00Z", "venue": {**body["venue"], "city": None}, "id": "e1"}
    assert changes(meeting, body) == {}
    moved, _ = meeting_body({**FORM, "starts_at": "2031-12-01T10:00"})
    patch = changes(meeting, moved)
    assert patch == {"starts_at": "2031-12-01T10:00:00+08:00"} and notifies_participants(patch)
    renamed, _ = meeting_body({**FORM, "title": "Rapat Koordinasi Nasional Pranata Humas"})
    assert not notifies_participants(changes(meeting, renamed))


def test_min_online_minutes_is_sent_as_a_whole_number_and_blank_is_the_api_default():
    assert meeting_body({**FORM, "min_online_minutes": " 60 "})[0]["min_online_minutes"] == 60
    assert (
        meeting_body(FORM)[0]["min_online_minutes"] == 0 and meeting_body({**FORM, "min_online_minutes": ""})[0]["min_online_minutes"] == 0
    )
    # Out of range is the API's to refuse (its message is shown beside the field); only non-numbers stop here.
    assert meeting_body({**FORM, "min_online_minutes": "-5"}) == (meeting_body(FORM)[0] | {"min_online_minutes": -5}, {})
    assert meeting_body({**FORM, "min_online_minutes": "satu jam"})[1] == {"min_online_minutes": ["form.whole_number"]}


def test_changing_only_the_minimum_is_a_patch_that_tells_nobody():
    body, _ = meeting_body(FORM)
    meeting = {**body, "starts_at": "2031-12-01T01:00:00Z", "venue": {**body["venue"], "city": None}, "id": "e1"}
    raised, _ = meeting_body({**FORM, "min_online_minutes": "45"})
    patch = changes(meeting, raised)
    assert patch == {"min_online_minutes": 45} and not notifies_participants(patch)


def test_form_values_show_a_meeting_in_its_own_zone():
    values = form_values(
        {
            "title": "X",
            "starts_at": "2031-12-01T01:00:00Z",
            "ends_at": "2031-12-01T04:00:00Z",
            "timezone": "Asia/Jayapura",
            "venue": {"name": "V", "address": "A", "city": None},
            "in_person_capacity": 5,
            "online": False,
        }
    )
    assert values["starts_at"] == "2031-12-01T10:00" and values["online"] == "" and values["venue.city"] == ""
    assert values["min_online_minutes"] == "0" and form_values({"min_online_minutes": 90, "venue": {}})["min_online_minutes"] == "90"


def test_nested_api_errors_become_form_field_names():
    assert flatten_errors({"venue": {"name": ["Missing data."]}, "title": ["Too short."]}) == {
        "venue.name": ["Missing data."],
        "title": ["Too short."],
    }
