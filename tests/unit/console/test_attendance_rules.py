"""The attendance page's rules: the sentence on how online attendance is judged, and the rows listed."""

from __future__ import annotations

import pytest

from services.console.domain.attendance import DOWNLOADS, judgement, listed
from services.console.i18n import translate


@pytest.mark.parametrize(
    ("report", "minimum", "key"),
    [
        (True, 60, "attendance.rule.report_minutes"),
        (True, 0, "attendance.rule.report_any"),
        (False, 60, "attendance.rule.link_minutes"),
        (False, 0, "attendance.rule.link_any"),
        (False, None, "attendance.rule.link_any"),  # an older registration API without the field: its default, 0
    ],
)
def test_the_rule_follows_the_report_and_the_minimum(report, minimum, key):
    assert judgement(report, minimum)[0] == key


def test_the_rule_sentence_names_the_minimum_in_both_languages():
    key, numbers = judgement(True, 60)
    assert (
        translate(key, "id", **numbers)
        == "Kehadiran daring dinilai dari laporan peserta Zoom: peserta daring hadir bila tercantum di laporan sedikitnya 60 menit."
    )
    assert "at least 60 minutes" in translate(key, "en", **numbers)
    key, numbers = judgement(False, 45)
    assert "membuka tautan pribadinya" in translate(key, "id", **numbers) and "45 menit" in translate(key, "id", **numbers)


PEOPLE = [
    {"registration_id": "a", "agency_id": "kominfo", "status": "confirmed", "attended": True},
    {"registration_id": "b", "agency_id": "jabar", "status": "waitlisted", "attended": False},
    {"registration_id": "c", "agency_id": "jabar", "status": "cancelled", "attended": False},
    {"registration_id": "d", "agency_id": "jabar", "status": "cancelled", "attended": True},  # checked in, then cancelled
]


def test_cancelled_people_are_listed_only_when_they_count_as_attended():
    assert [p["registration_id"] for p in listed(PEOPLE)] == ["a", "b", "d"]


def test_one_agencys_rows():
    assert [p["registration_id"] for p in listed(PEOPLE, "jabar")] == ["b", "d"]
    assert listed(PEOPLE, "tidak-ada") == []


def test_every_download_is_a_format_registration_renders():
    from services.registration.schemas import AttendanceQuerySchema

    offered = set(AttendanceQuerySchema().fields["format"].validate.choices)
    assert set(DOWNLOADS) == offered - {"json"}


def test_a_message_kind_is_named_in_the_visitors_language_and_an_unknown_one_shown_as_sent():
    from services.console.i18n import message_kind

    assert (message_kind("confirmed", "id"), message_kind("confirmed", "en")) == ("Konfirmasi", "Confirmation")
    assert message_kind("jenis_baru", "id") == "jenis_baru"
