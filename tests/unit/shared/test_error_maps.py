"""Each service answers its domain errors in one place: the status, message and fields every view used to write by hand."""

from __future__ import annotations

import pytest
from flask import Flask

from services.notification.domain.logo import LogoRejected
from services.notification.domain.whatsapp import BadWebhook
from services.notification.operations import NotificationNotFound, NotRedrivable, RegistrationUnknown
from services.notification.web import register_domain_errors as notification_errors
from services.registration.api.errors import register_domain_errors as registration_errors
from services.registration.domain.errors import DomainError, DuplicateRegistration, IdempotencyKeyReused, InvalidInput, NotFound
from services.streaming.api.errors import register_domain_errors as streaming_errors
from services.streaming.domain.errors import InvalidChannel, MeetingCancelled, MeetingNotFound, NoChannel
from shared.web.cursor import InvalidCursor, decode_cursor, encode_cursor
from shared.web.errors import register_error_handlers

EVENT_ID = "5b0c6f0e-8f0a-4c55-9d55-2f4a4d1f0b01"


def answer(register, error: Exception) -> tuple[int, dict]:
    app = Flask(__name__)
    register_error_handlers(app)
    register(app)

    @app.get("/")
    def raise_it():
        raise error

    response = app.test_client().get("/")
    return response.status_code, response.get_json()


@pytest.mark.parametrize(
    "error, status, message",
    [
        (MeetingNotFound(EVENT_ID), 404, f"Meeting {EVENT_ID} is unknown to the streaming service."),
        (NoChannel(EVENT_ID), 409, "Set the Zoom or YouTube channel of this meeting before publishing the links."),
        (MeetingCancelled(EVENT_ID), 409, "This meeting was cancelled; its links are not published."),
    ],
)
def test_streaming_errors_answer_with_their_status_and_message(error, status, message):
    code, body = answer(streaming_errors, error)
    assert (code, body["code"], body["message"]) == (status, status, message)


def test_an_invalid_channel_names_its_fields():
    code, body = answer(streaming_errors, InvalidChannel({"url": ["Not a Zoom address."]}))
    assert code == 422 and body["status"] == "Unprocessable Entity" and body["errors"] == {"url": ["Not a Zoom address."]}


def test_notification_not_found_and_unknown_registration_are_404_with_their_own_messages():
    assert answer(notification_errors, NotificationNotFound("n-1"))[1]["message"] == "Notification not found."
    code, body = answer(notification_errors, RegistrationUnknown("r-1"))
    assert code == 404 and body["message"] == "Registration not known to the notification service."


def test_a_notification_not_redrivable_is_409_with_its_status_now():
    code, body = answer(notification_errors, NotRedrivable("sent"))
    assert code == 409 and body["status_now"] == "sent" and "only failed or dead" in body["message"]


def test_a_rejected_logo_and_a_bad_webhook_name_their_field():
    code, body = answer(notification_errors, LogoRejected("Not a PNG, JPEG or SVG image."))
    assert code == 422 and body["errors"] == {"logo": ["Not a PNG, JPEG or SVG image."]}
    code, body = answer(notification_errors, BadWebhook("entry: must be a list"))
    assert code == 422 and body["errors"] == {"entry": ["must be a list"]}


def test_registration_errors_keep_their_details_and_fields():
    code, body = answer(registration_errors, DuplicateRegistration("Already registered.", "r-9", "email"))
    assert (code, body["message"], body["existing_id"]) == (409, "Already registered.", "r-9")
    assert answer(registration_errors, NotFound("No such meeting."))[0] == 404
    assert answer(registration_errors, InvalidInput({"ends_at": ["Must be after starts_at."]}))[1]["errors"] == {
        "ends_at": ["Must be after starts_at."]
    }
    assert answer(registration_errors, IdempotencyKeyReused("Key reused."))[1]["errors"] == {"Idempotency-Key": ["Key reused."]}
    # A refusal of a kind the map does not name clashes with the current state.
    assert answer(registration_errors, DomainError("Not now."))[0] == 409


def test_a_cursor_round_trips_and_a_forged_one_is_422_on_the_cursor_field():
    import datetime as dt

    moment = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)
    assert decode_cursor(encode_cursor(moment, EVENT_ID)) == (moment, EVENT_ID)
    for forged in ("garbage", encode_cursor(moment, "not-an-id"), encode_cursor(moment.replace(tzinfo=None), EVENT_ID)):
        with pytest.raises(InvalidCursor):
            decode_cursor(forged)
    code, body = answer(lambda app: None, InvalidCursor())
    assert code == 422 and body["errors"] == {"cursor": ["Not a cursor returned by this API."]}
