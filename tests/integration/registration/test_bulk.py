"""Bulk intake: seats in list order, an outcome per row, duplicates within the body, limits."""

from tests.factories.registration import participant


def post_bulk(api, agency, event_id, rows, headers=None):
    return api.client.post(
        f"/v1/events/{event_id}/registrations/bulk", json={"registrations": rows}, headers={**agency["headers"], **(headers or {})}
    )


def test_bulk_gives_seats_in_list_order_with_an_outcome_per_row(api, agency):
    event = api.make_event(in_person_capacity=2)
    existing = api.register(agency, event["id"], attendance_mode="online")
    rows = [participant() for _ in range(3)]
    rows += [
        participant(email=rows[0]["email"]),
        participant(email=existing["participant"]["email"]),
        participant(phone="021-555"),
        "Rina",
        None,
    ]
    response = post_bulk(api, agency, event["id"], rows)
    assert response.status_code == 200
    results = response.json["results"]
    assert [r["index"] for r in results] == list(range(8))
    assert [r["outcome"] for r in results] == ["created", "created", "created", "duplicate", "duplicate", "invalid", "invalid", "invalid"]
    assert [r["registration"]["status"] for r in results[:3]] == ["confirmed", "confirmed", "waitlisted"]
    assert results[2]["registration"]["waitlist_position"] == 1
    assert results[3]["existing_id"] == results[0]["registration"]["id"] and results[4]["existing_id"] == existing["id"]
    assert "phone" in results[5]["errors"] and results[6]["errors"]
    assert response.json["summary"] == {"created": 3, "duplicate": 2, "invalid": 3}
    assert len(api.outbox("registration.confirmed")) == 3 and len(api.outbox("registration.waitlisted")) == 1


def test_bulk_of_a_thousand_rows_is_accepted_and_more_is_422(api, agency):
    event = api.make_event(in_person_capacity=10)
    too_many = post_bulk(api, agency, event["id"], [participant(attendance_mode="online") for _ in range(1001)])
    assert too_many.status_code == 422 and "registrations" in too_many.json["errors"]
    response = post_bulk(api, agency, event["id"], [participant() for _ in range(1000)])
    assert response.json["summary"] == {"created": 1000, "duplicate": 0, "invalid": 0}
    rows = api.registration_rows(event["id"])
    assert sum(r.status == "confirmed" for r in rows) == 10
    assert sorted(r.waitlist_position for r in rows if r.status == "waitlisted") == list(range(1, 991))


def test_bulk_body_must_be_a_non_empty_list(api, agency, event):
    for body in ({"registrations": []}, {"registrations": "all"}, {}, {"registrations": [participant()], "extra": 1}):
        response = api.client.post(f"/v1/events/{event['id']}/registrations/bulk", json=body, headers=agency["headers"])
        assert response.status_code == 422 and response.json["errors"], body
    assert api.registration_rows(event["id"]) == []


def test_bulk_after_closing_time_is_409_and_writes_nothing(api, agency):
    event = api.make_event(registration_closes_at="2021-11-29T23:59:00+07:00")
    response = post_bulk(api, agency, event["id"], [participant()])
    assert response.status_code == 409 and "closed" in response.json["message"]
    assert api.registration_rows(event["id"]) == []


def test_bulk_for_an_unknown_meeting_is_404(api, agency):
    assert post_bulk(api, agency, "nope", [participant()]).status_code == 404


def test_bulk_with_the_same_idempotency_key_is_replayed(api, agency, event):
    rows = [participant(), participant(attendance_mode="online")]
    first = post_bulk(api, agency, event["id"], rows, {"Idempotency-Key": "sipeg-export-2021-11-30"})
    second = post_bulk(api, agency, event["id"], rows, {"Idempotency-Key": "sipeg-export-2021-11-30"})
    assert second.json == first.json and second.headers["Idempotent-Replayed"] == "true"
    assert len(api.registration_rows(event["id"])) == 2
