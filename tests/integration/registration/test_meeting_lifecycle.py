"""Reminders on meetings and in every meeting snapshot; calling a meeting off (event.cancelled, 409s afterwards)."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text

from shared.schemas.events import load_payload
from tests.factories.registration import meeting_body, participant

DEFAULT = [{"before": "P1D", "at": "09:00"}, {"before": "PT1H", "at": None}]
REASON = "Ditunda karena kebijakan PPKM Level 4; jadwal baru akan diumumkan."


def cancel(api, event_id: str, reason: str = REASON, headers: dict | None = None):
    return api.client.post(f"/v1/events/{event_id}/cancel", json={"reason": reason}, headers=headers or api.admin)


# ----- reminders -------------------------------------------------------------------------------
def test_a_new_meeting_has_the_default_reminders_in_its_answer_and_in_event_created(api, event):
    assert event["reminders"] == DEFAULT and event["status"] == "scheduled"
    [created] = api.outbox("event.created")
    assert created["data"]["reminders"] == DEFAULT and created["data"]["status"] == "scheduled"
    assert load_payload("event.created", created["data"])["reminders"] == DEFAULT


def test_the_organizer_sets_reminders_and_reads_them_back(api):
    reminders = [{"before": "P2DT3H"}, {"before": "p1d", "at": "13:30"}, {"before": "PT1M"}]
    event = api.make_event(reminders=reminders)
    expected = [{"before": "P2DT3H", "at": None}, {"before": "P1D", "at": "13:30"}, {"before": "PT1M", "at": None}]
    assert event["reminders"] == expected
    assert api.get(f"/v1/events/{event['id']}").json["reminders"] == expected
    assert api.outbox("event.created")[0]["data"]["reminders"] == expected


def test_a_meeting_may_have_no_reminders(api):
    assert api.make_event(reminders=[])["reminders"] == []


@pytest.mark.parametrize(
    "reminders, errors",
    [
        (
            [{"before": "sehari"}],
            {"0": {"before": ["Not an ISO 8601 duration in weeks, days, hours or minutes (e.g. P1D, PT1H, P2DT3H)."]}},
        ),
        ([{"before": "P0D"}], {"0": {"before": ["Must be a positive duration."]}}),
        ([{"before": "PT1H"}, {"before": "P1D", "at": "25:00"}], {"1": {"at": ["Not a time of day as HH:MM (e.g. 09:00)."]}}),
        ([{"before": "PT2H", "at": "09:00"}], {"0": {"at": ["A time of day needs a duration of whole days (e.g. P1D)."]}}),
        ([{"before": "P1D"}, {"before": "PT24H"}], ["The same reminder is given twice."]),
        ([{"before": f"PT{n}H"} for n in range(1, 7)], ["At most 5 reminders."]),
        ([{"before": "P1D", "channel": "sms"}], {"0": {"channel": ["Unknown field."]}}),
        ([{}], {"0": {"before": ["Missing data for required field."]}}),
        ("P1D", ["Not a valid list."]),
    ],
)
def test_invalid_reminders_are_422_naming_the_entry_and_write_nothing(api, reminders, errors):
    response = api.client.post("/v1/events", json=meeting_body(reminders=reminders), headers=api.admin)
    assert response.status_code == 422
    assert response.json["errors"]["reminders"] == errors
    assert api.outbox() == []


def test_changing_reminders_is_an_event_updated_naming_them_without_a_new_sequence(api, event):
    response = api.client.patch(f"/v1/events/{event['id']}", json={"reminders": [{"before": "PT30M"}]}, headers=api.admin)
    assert response.status_code == 200 and response.json["reminders"] == [{"before": "PT30M", "at": None}]
    [updated] = api.outbox("event.updated")
    assert updated["data"]["changed_fields"] == ["reminders"] and updated["data"]["sequence"] == 0
    assert updated["data"]["reminders"] == [{"before": "PT30M", "at": None}]


def test_the_same_reminders_again_change_nothing(api, event):
    response = api.client.patch(
        f"/v1/events/{event['id']}", json={"reminders": [{"before": "p1d", "at": "09:00"}, {"before": "PT1H"}]}, headers=api.admin
    )
    assert response.status_code == 200 and api.outbox("event.updated") == []


def test_registration_events_carry_the_meetings_reminders_and_status(api, agency):
    event = api.make_event(reminders=[{"before": "PT2H"}])
    api.register(agency, event["id"])
    [confirmed] = api.outbox("registration.confirmed")
    assert confirmed["data"]["meeting"]["reminders"] == [{"before": "PT2H", "at": None}]
    assert confirmed["data"]["meeting"]["status"] == "scheduled"


# ----- cancellation ----------------------------------------------------------------------------
def test_cancelling_answers_the_cancelled_meeting_and_records_event_cancelled(api, event):
    response = cancel(api, event["id"])
    assert response.status_code == 200
    body = response.json
    assert (body["id"], body["status"], body["cancellation_reason"]) == (event["id"], "cancelled", REASON)
    assert body["cancelled_at"] is not None and body["reminders"] == DEFAULT
    [cancelled] = api.outbox("event.cancelled")
    payload = load_payload("event.cancelled", cancelled["data"])
    assert (payload["id"], payload["status"], payload["reason"]) == (event["id"], "cancelled", REASON)
    assert payload["cancelled_at"] is not None and payload["title"] == event["title"]
    assert api.get(f"/v1/events/{event['id']}").json["status"] == "cancelled"


def test_cancelling_twice_is_409_and_records_one_event(api, event):
    assert cancel(api, event["id"]).status_code == 200
    again = cancel(api, event["id"], "Alasan lain")
    assert again.status_code == 409 and again.json["message"] == "This meeting is already cancelled."
    assert len(api.outbox("event.cancelled")) == 1
    assert api.get(f"/v1/events/{event['id']}").json["cancellation_reason"] == REASON


def test_only_the_organizer_cancels(api, agency, event):
    assert cancel(api, event["id"], headers=agency["headers"]).status_code == 403
    assert api.client.post(f"/v1/events/{event['id']}/cancel", json={"reason": REASON}).status_code == 401
    assert api.get(f"/v1/events/{event['id']}").json["status"] == "scheduled"


@pytest.mark.parametrize("body, field", [({}, "reason"), ({"reason": ""}, "reason"), ({"reason": REASON, "notify": False}, "notify")])
def test_a_cancel_without_a_proper_reason_is_422_and_changes_nothing(api, event, body, field):
    response = api.client.post(f"/v1/events/{event['id']}/cancel", json=body, headers=api.admin)
    assert response.status_code == 422 and field in response.json["errors"]
    assert api.outbox("event.cancelled") == []


def test_cancelling_an_unknown_meeting_is_404(api):
    assert cancel(api, "00000000-0000-4000-8000-000000000000").status_code == 404


def test_after_cancellation_registrations_mode_changes_edits_and_check_ins_are_409(api, agency, event):
    seated = api.register(agency, event["id"])
    online = api.register(agency, event["id"], attendance_mode="online")
    assert cancel(api, event["id"]).status_code == 200
    outbox_before = len(api.outbox())
    refused = {
        "registration": api.client.post(f"/v1/events/{event['id']}/registrations", json=participant(), headers=agency["headers"]),
        "online registration": api.client.post(
            f"/v1/events/{event['id']}/registrations", json=participant(attendance_mode="online"), headers=agency["headers"]
        ),
        "bulk": api.client.post(
            f"/v1/events/{event['id']}/registrations/bulk", json={"registrations": [participant()]}, headers=agency["headers"]
        ),
        "mode change": api.client.patch(
            f"/v1/registrations/{online['id']}", json={"attendance_mode": "in_person"}, headers=agency["headers"]
        ),
        "same mode": api.client.patch(
            f"/v1/registrations/{seated['id']}", json={"attendance_mode": "in_person"}, headers=agency["headers"]
        ),
        "edit": api.client.patch(f"/v1/events/{event['id']}", json={"title": "Rapat Koordinasi (jadwal baru)"}, headers=api.admin),
        "check-in": api.client.post(f"/v1/events/{event['id']}/check-ins", json={"code": seated["check_in_code"]}, headers=api.admin),
    }
    assert {name: r.status_code for name, r in refused.items()} == {name: 409 for name in refused}
    assert all("This meeting was cancelled" in r.json["message"] for r in refused.values())
    assert len(api.outbox()) == outbox_before
    assert len(api.registration_rows(event["id"])) == 2


def test_after_cancellation_reading_listing_and_attendance_still_work(api, agency, event):
    registration = api.register(agency, event["id"])
    cancel(api, event["id"])
    assert api.get(f"/v1/events/{event['id']}/registrations", agency).json["items"][0]["id"] == registration["id"]
    assert api.get(f"/v1/registrations/{registration['id']}", agency).status_code == 200
    assert api.get(f"/v1/events/{event['id']}/attendance").json["totals"]["registered"] == 1
    assert api.get(f"/v1/events/{event['id']}/stats").status_code == 200


def test_a_participant_may_still_withdraw_but_nobody_is_promoted_into_a_cancelled_meeting(api, agency):
    event = api.make_event(in_person_capacity=1)
    seated = api.register(agency, event["id"])
    waiting = api.register(agency, event["id"])
    assert waiting["status"] == "waitlisted"
    cancel(api, event["id"])
    assert api.client.delete(f"/v1/registrations/{seated['id']}", headers=agency["headers"]).status_code == 200
    assert api.get(f"/v1/registrations/{waiting['id']}", agency).json["status"] == "waitlisted"
    assert api.outbox("registration.promoted") == []
    [withdrawn] = api.outbox("registration.cancelled")
    assert withdrawn["data"]["meeting"]["status"] == "cancelled"


def test_meetings_can_be_listed_by_status(api):
    kept, called_off = api.make_event(), api.make_event(title="Rapat Koordinasi Kehumasan Daerah")
    cancel(api, called_off["id"])
    ids = lambda status: [m["id"] for m in api.get(f"/v1/events?status={status}").json]  # noqa: E731
    assert ids("scheduled") == [kept["id"]] and ids("cancelled") == [called_off["id"]]
    assert {m["id"] for m in api.get("/v1/events").json} == {kept["id"], called_off["id"]}
    assert api.get("/v1/events?status=ditunda").status_code == 422


def test_an_online_registration_arriving_during_a_cancellation_waits_for_it_and_is_refused(api, agency, event):
    """PostgreSQL: an online registration takes no seat lock, yet must not slip into a meeting being called off."""
    engine = api.app.extensions["rakor_engine"]
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serializes every writer with BEGIN IMMEDIATE")
    answers = []
    with engine.connect() as cancelling:
        # The cancellation's transaction, held open: the meeting row locked and already marked cancelled.
        cancelling.execute(text("SELECT id FROM meetings WHERE id = :id FOR UPDATE"), {"id": event["id"]})
        cancelling.execute(text("UPDATE meetings SET status = 'cancelled' WHERE id = :id"), {"id": event["id"]})
        body = participant(attendance_mode="online")
        registering = threading.Thread(
            target=lambda: answers.append(
                api.app.test_client().post(f"/v1/events/{event['id']}/registrations", json=body, headers=agency["headers"])
            )
        )
        registering.start()
        deadline = time.monotonic() + 20
        while not waiting_on_a_lock(engine) and time.monotonic() < deadline:
            registering.join(0.05)
        assert waiting_on_a_lock(engine), "the registration did not wait for the cancellation"
        cancelling.commit()
    registering.join(20)
    [answer] = answers
    assert answer.status_code == 409 and "cancelled" in answer.json["message"]
    assert api.registration_rows(event["id"]) == []


def waiting_on_a_lock(engine) -> bool:
    with engine.connect() as connection:
        return bool(
            connection.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")
            ).scalar()
        )
