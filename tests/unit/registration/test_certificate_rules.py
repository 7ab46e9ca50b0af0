"""Who earns a certificate, when they may be issued, and how they are numbered."""

import datetime as dt

import pytest

from services.registration.domain.attendance import OnlineRule, attended_online
from services.registration.domain.certificates import (
    Attendance,
    MeetingNotOver,
    certificate_number,
    check_meeting_is_over,
    earns_certificate,
    meeting_date,
)

AT = dt.datetime(2021, 12, 1, 2, 5, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "attendance, earns",
    [
        (Attendance("confirmed", AT, None), True),
        (Attendance("confirmed", None, AT), True),
        (Attendance("confirmed", AT, AT), True),
        (Attendance("confirmed", None, None), False),
        (Attendance("cancelled", AT, None), False),
        (Attendance("waitlisted", None, None), False),
    ],
)
def test_a_confirmed_participant_earns_a_certificate_by_checking_in_or_joining_online(attendance, earns):
    assert earns_certificate(attendance) is earns


REPORT_60 = OnlineRule(report_exists=True, min_minutes=60)
REPORT_0 = OnlineRule(report_exists=True, min_minutes=0)


@pytest.mark.parametrize(
    "attendance, earns",
    [
        (Attendance("confirmed", None, AT, 60, REPORT_60), True),
        (Attendance("confirmed", None, AT, 59, REPORT_60), False),
        # Opened the link but is in no report: a report exists, so the link alone is not attendance.
        (Attendance("confirmed", None, AT, None, REPORT_60), False),
        (Attendance("confirmed", None, AT, None, REPORT_0), False),
        (Attendance("confirmed", None, None, 0, REPORT_0), True),
        # The door needs no report.
        (Attendance("confirmed", AT, None, None, REPORT_60), True),
        (Attendance("cancelled", None, AT, 120, REPORT_60), False),
    ],
)
def test_once_a_report_exists_online_attendance_needs_the_meetings_minimum(attendance, earns):
    assert earns_certificate(attendance) is earns


def test_without_a_report_a_join_is_online_attendance_whatever_the_minimum():
    assert attended_online(AT, None, OnlineRule(report_exists=False, min_minutes=60)) is True
    assert attended_online(None, None, OnlineRule(report_exists=False, min_minutes=0)) is False


def test_numbers_are_zero_padded_to_three_digits_and_grow_beyond():
    assert certificate_number(1, "SERT/DJIKP", 2021) == "001/SERT/DJIKP/2021"
    assert certificate_number(42, "SERT/DJIKP", 2021) == "042/SERT/DJIKP/2021"
    assert certificate_number(1234, "X", 2022) == "1234/X/2022"


def test_the_meeting_date_is_the_day_in_the_meetings_zone():
    # 20:00 UTC on 30 November is already 1 December in Jayapura (UTC+9).
    late = dt.datetime(2021, 11, 30, 20, 0, tzinfo=dt.UTC)
    assert meeting_date(late, "Asia/Jayapura") == dt.date(2021, 12, 1)
    assert meeting_date(late, "Asia/Jakarta") == dt.date(2021, 12, 1)
    assert meeting_date(late, "UTC") == dt.date(2021, 11, 30)


def test_certificates_wait_for_the_end_of_the_meeting():
    ends = dt.datetime(2021, 12, 1, 9, 0, tzinfo=dt.UTC)
    with pytest.raises(MeetingNotOver):
        check_meeting_is_over(ends, ends - dt.timedelta(seconds=1))
    check_meeting_is_over(ends, ends)
