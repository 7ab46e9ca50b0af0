"""The one place where streaming's domain errors become HTTP answers; the views let them propagate."""

from __future__ import annotations

from flask import Flask

from services.streaming.domain.errors import InvalidChannel, MeetingCancelled, MeetingNotFound, NoChannel, ReportInvalid, TimezoneUnknown
from shared.web.errors import Answer, register_error_map

ANSWERS = {
    # Raised with the meeting's id.
    MeetingNotFound: Answer(404, lambda error: f"Meeting {error.args[0]} is unknown to the streaming service."),
    InvalidChannel: Answer(422, "The channel has invalid fields.", errors=lambda error: error.errors),
    NoChannel: Answer(409, "Set the Zoom or YouTube channel of this meeting before publishing the links."),
    MeetingCancelled: Answer(409, "This meeting was cancelled; its links are not published."),
    # A Zoom report with a wrong row or column: nothing of it was imported.
    ReportInvalid: Answer(422, lambda error: error.message, errors=lambda error: error.errors),
    TimezoneUnknown: Answer(
        422,
        "The meeting's time zone is not known yet; say which zone the report's times are in.",
        errors=lambda error: {"timezone": ["Required for this meeting."]},
    ),
}


def register_domain_errors(app: Flask) -> None:
    register_error_map(app, ANSWERS)
