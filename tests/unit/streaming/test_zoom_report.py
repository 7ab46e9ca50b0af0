"""Reading Zoom's participant report: its real headers, rejoins, dates, BOM, and clear refusals."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from services.streaming.domain.errors import ReportInvalid
from services.streaming.domain.presence import merge_intervals, present_minutes
from services.streaming.domain.zoom_report import MAX_ERRORS, attended_rows, parse_json_rows, parse_local_time, parse_zoom_csv
from shared.schemas.events import MAX_PRESENCE_MINUTES

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
UTC = dt.UTC

# As the Zoom web portal exports it (Reports > Usage > Participants, "Export with meeting data"):
# the meeting summary first, a blank line, then one row per stay; Budi left and came back.
ZOOM_EXPORT = (
    "Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants\r\n"
    "812 3456 7890,Rakor Pranata Humas 2021,12/01/2021 08:55:01 AM,12/01/2021 12:02:11 PM,humas@kominfo.go.id,188,4\r\n"
    "\r\n"
    "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest,In Waiting Room\r\n"
    "Rina Wulandari,rina.wulandari@kominfo.go.id,12/01/2021 08:58:12 AM,12/01/2021 12:01:40 PM,184,No,No\r\n"
    "Budi Santoso (Diskominfo Jabar),Budi.Santoso@JabarProv.go.id,12/01/2021 09:02:00 AM,12/01/2021 09:40:00 AM,38,No,No\r\n"
    "Budi Santoso (Diskominfo Jabar),budi.santoso@jabarprov.go.id,12/01/2021 09:45:00 AM,12/01/2021 11:00:00 AM,75,No,No\r\n"
    "iPhone Pak Agus,,12/01/2021 09:10:00 AM,12/01/2021 09:30:00 AM,20,Yes,No\r\n"
    "Dewi Lestari,dewi.lestari@bkn.go.id,12/01/2021 08:50:00 AM,12/01/2021 08:58:00 AM,8,No,Yes\r\n"
)


def test_a_zoom_export_is_read_past_its_meeting_summary_with_times_in_the_meeting_zone():
    rows = parse_zoom_csv(ZOOM_EXPORT.encode(), WIB)
    assert [r.row for r in rows] == [5, 6, 7, 8, 9]
    rina = rows[0]
    assert (rina.name, rina.email) == ("Rina Wulandari", "rina.wulandari@kominfo.go.id")
    assert rina.joined_at == dt.datetime(2021, 12, 1, 1, 58, 12, tzinfo=UTC)  # 08:58:12 WIB
    assert rina.left_at == dt.datetime(2021, 12, 1, 5, 1, 40, tzinfo=UTC)  # 12:01:40 PM WIB


def test_emails_are_compared_lower_cased_and_a_guest_without_email_has_none():
    rows = parse_zoom_csv(ZOOM_EXPORT.encode(), WIB)
    assert rows[1].email == rows[2].email == "budi.santoso@jabarprov.go.id"
    assert rows[3].email is None and rows[3].name == "iPhone Pak Agus"


def test_time_in_the_waiting_room_is_not_presence():
    kept, waiting = attended_rows(parse_zoom_csv(ZOOM_EXPORT.encode(), WIB))
    assert waiting == 1 and "dewi.lestari@bkn.go.id" not in {r.email for r in kept}


def test_a_bom_and_the_newer_header_spelling_and_iso_like_dates_are_accepted():
    data = (
        "\ufeffName (original name),Email,Join time,Leave time,Duration (minutes),Guest\n"
        "Rina Wulandari,rina.wulandari@kominfo.go.id,2021-12-01 08:58:12,2021-12-01 10:00:00,62,No\n"
    ).encode("utf-8")
    [row] = parse_zoom_csv(data, WIB)
    assert row.email == "rina.wulandari@kominfo.go.id" and row.joined_at == dt.datetime(2021, 12, 1, 1, 58, 12, tzinfo=UTC)


def test_another_zone_places_the_same_clock_time_elsewhere():
    assert parse_local_time("12/01/2021 09:00:00 AM", zoneinfo.ZoneInfo("Asia/Makassar")) == dt.datetime(2021, 12, 1, 1, 0, tzinfo=UTC)
    assert parse_local_time("2021-12-01T09:00:00+07:00", zoneinfo.ZoneInfo("Asia/Jayapura")) == dt.datetime(2021, 12, 1, 2, 0, tzinfo=UTC)


def test_a_bad_date_is_refused_naming_its_row_and_column():
    data = ZOOM_EXPORT.replace("12/01/2021 09:45:00 AM", "13/45/2021 09:45").encode()
    with pytest.raises(ReportInvalid) as caught:
        parse_zoom_csv(data, WIB)
    assert list(caught.value.errors) == ["row 7"]
    assert "Join Time" in caught.value.errors["row 7"][0] and "13/45/2021" in caught.value.errors["row 7"][0]


def test_leaving_before_joining_is_refused():
    data = ZOOM_EXPORT.replace("12/01/2021 09:40:00 AM", "12/01/2021 08:40:00 AM").encode()
    with pytest.raises(ReportInvalid) as caught:
        parse_zoom_csv(data, WIB)
    assert caught.value.errors == {"row 6": ["Leave Time is before Join Time."]}


def test_a_stay_longer_than_zoom_allows_is_refused():
    data = ZOOM_EXPORT.replace("12/01/2021 09:40:00 AM", "12/03/2021 09:40:00 AM").encode()
    with pytest.raises(ReportInvalid) as caught:
        parse_zoom_csv(data, WIB)
    assert "30 hours" in caught.value.errors["row 6"][0]


def test_minutes_are_capped_where_the_event_schema_stops():
    years = [(_at(9) + dt.timedelta(days=2 * n), _at(9) + dt.timedelta(days=2 * n, hours=29)) for n in range(700)]
    assert present_minutes(years) == MAX_PRESENCE_MINUTES


def test_a_file_without_the_participant_header_is_refused():
    with pytest.raises(ReportInvalid) as caught:
        parse_zoom_csv(b"Nama,Instansi\nRina,Kominfo\n", WIB)
    assert "header" in caught.value.errors


def test_a_header_without_email_column_is_refused():
    with pytest.raises(ReportInvalid) as caught:
        parse_zoom_csv(b"Name (Original Name),Join Time,Leave Time\nRina,12/01/2021 09:00 AM,12/01/2021 10:00 AM\n", WIB)
    assert "User Email" in caught.value.errors["header"][0]


def test_bytes_that_are_not_utf8_are_refused():
    with pytest.raises(ReportInvalid) as caught:
        parse_zoom_csv(ZOOM_EXPORT.encode("utf-16"), WIB)
    assert "file" in caught.value.errors


def test_a_file_full_of_errors_reports_a_bounded_number_of_them():
    data = "User Email,Join Time,Leave Time\n" + "a@b.go.id,kemarin,besok\n" * 500
    with pytest.raises(ReportInvalid) as caught:
        parse_zoom_csv(data.encode(), WIB)
    assert len(caught.value.errors) == MAX_ERRORS


def test_json_rows_take_iso_times_and_read_naive_ones_in_the_meeting_zone():
    rows = parse_json_rows(
        [
            {
                "email": " Rina.Wulandari@kominfo.go.id ",
                "name": "Rina",
                "join_time": "2021-12-01T08:58:00+07:00",
                "leave_time": "2021-12-01T03:00:00Z",
            },
            {"email": "budi.santoso@jabarprov.go.id", "join_time": "2021-12-01T09:00:00", "leave_time": "2021-12-01T10:00:00"},
        ],
        WIB,
    )
    assert rows[0].email == "rina.wulandari@kominfo.go.id" and rows[0].left_at == dt.datetime(2021, 12, 1, 3, 0, tzinfo=UTC)
    assert rows[1].joined_at == dt.datetime(2021, 12, 1, 2, 0, tzinfo=UTC) and rows[1].name is None


@pytest.mark.parametrize(
    "body, key",
    [
        ([], "rows"),
        ({"rows": "x"}, "rows"),
        ([42], "row 1"),
        ([{"email": 5, "join_time": "2021-12-01T09:00:00", "leave_time": "2021-12-01T10:00:00"}], "row 1"),
        ([{"email": "bukan-email", "join_time": "2021-12-01T09:00:00", "leave_time": "2021-12-01T10:00:00"}], "row 1"),
        ([{"email": "a@b.go.id", "join_time": "2021-12-01T09:00:00"}], "row 1"),
    ],
)
def test_wrong_json_rows_are_refused_naming_the_row(body, key):
    with pytest.raises(ReportInvalid) as caught:
        parse_json_rows(body, WIB)
    assert key in caught.value.errors


def _at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2021, 12, 1, hour, minute, tzinfo=UTC)


def test_overlapping_stays_count_once_and_gaps_do_not_count():
    # Laptop 09:00-10:00 and phone 09:30-10:30 at once, then back 11:00-11:15.
    stays = [(_at(9, 30), _at(10, 30)), (_at(9), _at(10)), (_at(11), _at(11, 15))]
    assert merge_intervals(stays) == [(_at(9), _at(10, 30)), (_at(11), _at(11, 15))]
    assert present_minutes(stays) == 105


def test_a_stay_inside_another_adds_nothing_and_touching_stays_merge():
    assert present_minutes([(_at(9), _at(12)), (_at(10), _at(10, 30))]) == 180
    assert merge_intervals([(_at(9), _at(10)), (_at(10), _at(11))]) == [(_at(9), _at(11))]


def test_minutes_are_whole_minutes_present_rounded_down():
    assert present_minutes([(_at(9), _at(9) + dt.timedelta(seconds=119))]) == 1
    assert present_minutes([]) == 0


def test_the_rejoining_participant_of_the_export_gets_the_sum_of_his_stays():
    rows = [r for r in parse_zoom_csv(ZOOM_EXPORT.encode(), WIB) if r.email == "budi.santoso@jabarprov.go.id"]
    assert present_minutes((r.joined_at, r.left_at) for r in rows) == 38 + 75
