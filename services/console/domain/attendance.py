"""The meeting's attendance page: how online attendance is judged, and whose rows the organizer sees."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

# The registration API's ?format= values the console passes through, with the media type and file extension.
DOWNLOADS = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def judgement(online_report: bool, min_online_minutes: int | None) -> tuple[str, dict[str, int]]:
    """The catalogue key (and its numbers) of the sentence saying how online attendance is judged right now.

    Mirrors registration's rule: once a Zoom report has been imported, an online participant attended when in it
    for at least the meeting's minimum (0: being in it is enough); before any report, opening the personal link counts.
    """
    minutes = max(int(min_online_minutes or 0), 0)
    if online_report:
        return ("attendance.rule.report_minutes" if minutes else "attendance.rule.report_any"), {"minutes": minutes}
    return ("attendance.rule.link_minutes" if minutes else "attendance.rule.link_any"), {"minutes": minutes}


def listed(participants: Sequence[Mapping], agency_id: str = "") -> list[Mapping]:
    """The rows of the attendance table, optionally of one agency.

    A cancelled registration is left out unless it attended (checked in before cancelling): the totals count it,
    so the table must show it too, or the numbers would not add up to the list behind them.
    """
    return [
        p
        for p in participants
        if (p.get("status") != "cancelled" or p.get("attended")) and (not agency_id or p.get("agency_id") == agency_id)
    ]
