"""Certificates: issued after the meeting to those who attended, numbered without gaps, listed, verified, revoked."""

import re
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from sqlalchemy import text

from services.notification.content.certificate_pdf import render_certificate
from shared.schemas.events import load_payload
from tests.pdf_reading import qr_codes_on_page

PAST = {"starts_at": "2021-12-01T09:00:00+07:00", "ends_at": "2021-12-01T16:00:00+07:00", "certificate_hours": 8}


def issue(api, event_id, headers=None):
    return api.client.post(f"/v1/events/{event_id}/certificates", headers=headers or api.admin)


def check_in(api, event_id, registration_id):
    response = api.client.post(f"/v1/events/{event_id}/check-ins", json={"registration_id": registration_id}, headers=api.admin)
    assert response.status_code == 200, response.json


def join_online(api, registration_id):
    with api.app.extensions["rakor_engine"].begin() as connection:
        connection.execute(
            text("UPDATE registrations SET online_joined_at = :at, online_join_count = 1 WHERE id = :id"),
            {"at": "2021-12-01 02:05:00+00:00", "id": registration_id},
        )


def rows(api, query, **params):
    with api.app.extensions["rakor_engine"].connect() as connection:
        return connection.execute(text(query), params).all()


def listed(api, event_id, who=None):
    response = api.client.get(f"/v1/events/{event_id}/certificates", headers=(who or {}).get("headers", api.admin))
    assert response.status_code == 200, response.json
    return response.json


def test_certificates_are_refused_before_the_meeting_ends(api, agency, event):
    registration = api.register(agency, event["id"])
    check_in(api, event["id"], registration["id"])
    response = issue(api, event["id"])
    assert response.status_code == 409 and "ends" in response.json["message"]
    assert rows(api, "SELECT id FROM certificates") == []


def test_those_who_attended_get_numbered_certificates_and_a_second_run_only_the_newly_eligible(api, agency, other_agency):
    event = api.make_event(**PAST)
    door = api.register(agency, event["id"], full_name="Ahmad Fauzi Siregar")
    online = api.register(other_agency, event["id"], full_name="Ni Luh Putu Ayu Lestari", attendance_mode="online")
    absent = api.register(agency, event["id"], full_name="Cut Nyak Meutia Rahmawati")
    cancelled = api.register(agency, event["id"], full_name="Yohanes Kristianto Manurung")
    check_in(api, event["id"], door["id"])
    join_online(api, online["id"])
    check_in(api, event["id"], cancelled["id"])
    assert api.client.delete(f"/v1/registrations/{cancelled['id']}", headers=agency["headers"]).status_code in (200, 204)

    first = issue(api, event["id"])
    assert first.status_code == 202 and first.json == {"issued": 2, "already_issued": 0}
    certificates = listed(api, event["id"])
    assert [c["number"] for c in certificates] == ["001/SERT/RAKOR/2021", "002/SERT/RAKOR/2021"]
    assert {c["registration_id"] for c in certificates} == {door["id"], online["id"]}
    assert all(c["valid"] and c["revoked_at"] is None for c in certificates)
    assert all(c["verify_url"] == f"http://localhost:8001/c/{c['id']}" for c in certificates)
    # Random, not sequential and not a UUID: the id is public on the paper.
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{22}", c["id"]) for c in certificates)
    [stored] = rows(
        api,
        "SELECT full_name, nip, position, agency_name, meeting_title, meeting_date, hours FROM certificates WHERE registration_id = :r",
        r=door["id"],
    )
    assert stored.full_name == "Ahmad Fauzi Siregar" and stored.nip == door["participant"]["nip"] and stored.hours == 8
    assert stored.agency_name == agency["name"] and stored.meeting_title == event["title"] and str(stored.meeting_date) == "2021-12-01"

    envelopes = api.outbox("certificate.issued")
    assert sorted(e["data"]["number"] for e in envelopes) == ["001/SERT/RAKOR/2021", "002/SERT/RAKOR/2021"]
    [sent] = [e["data"] for e in envelopes if e["data"]["registration_id"] == door["id"]]
    assert sent["participant"]["email"] == door["participant"]["email"] and sent["participant"]["nip"] == door["participant"]["nip"]
    assert sent["hours"] == 8 and sent["meeting_date"] == "2021-12-01" and sent["agency_name"] == agency["name"]
    assert sent["verify_url"].endswith(f"/c/{sent['certificate_id']}") and sent["meeting"]["id"] == event["id"]

    again = issue(api, event["id"])
    assert again.status_code == 202 and again.json == {"issued": 0, "already_issued": 2}
    check_in(api, event["id"], absent["id"])
    late = issue(api, event["id"])
    assert late.json == {"issued": 1, "already_issued": 2}
    assert [c["number"] for c in listed(api, event["id"])][-1] == "003/SERT/RAKOR/2021"
    assert len(api.outbox("certificate.issued")) == 3


def test_an_agency_lists_only_its_own_peoples_certificates_and_may_not_issue(api, agency, other_agency):
    event = api.make_event(**PAST)
    mine = api.register(agency, event["id"])
    theirs = api.register(other_agency, event["id"])
    for registration in (mine, theirs):
        check_in(api, event["id"], registration["id"])
    assert issue(api, event["id"], headers=agency["headers"]).status_code == 403
    assert issue(api, event["id"]).status_code == 202
    assert [c["registration_id"] for c in listed(api, event["id"], agency)] == [mine["id"]]
    assert len(listed(api, event["id"])) == 2
    [certificate] = listed(api, event["id"], agency)
    assert api.client.delete(f"/v1/certificates/{certificate['id']}", headers=agency["headers"]).status_code == 403
    assert api.client.get("/v1/events/nope/certificates", headers=api.admin).status_code == 404


def test_the_verification_page_shows_only_number_name_meeting_date_and_turns_revoked(api, agency):
    event = api.make_event(**PAST)
    registration = api.register(agency, event["id"], full_name="Dewi Sartika Simanjuntak <b>")
    check_in(api, event["id"], registration["id"])
    issue(api, event["id"])
    [certificate] = listed(api, event["id"])

    page = api.client.get(f"/c/{certificate['id']}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert certificate["number"] in html and event["title"] in html and "2021-12-01" in html
    assert "Dewi Sartika Simanjuntak &lt;b&gt;" in html and 'data-status="valid"' in html
    participant = registration["participant"]
    for private in (participant["nip"], participant["email"], participant["phone"], agency["name"]):
        assert private not in html

    assert api.client.delete(f"/v1/certificates/{certificate['id']}", headers=api.admin).status_code == 204
    assert 'data-status="revoked"' in api.client.get(f"/c/{certificate['id']}").get_data(as_text=True)
    [after] = listed(api, event["id"])
    assert after["valid"] is False and after["revoked_at"] is not None and after["number"] == certificate["number"]
    assert api.client.delete(f"/v1/certificates/{certificate['id']}", headers=api.admin).status_code == 204
    # A revoked certificate keeps its number: the next one continues after it, and the person gets no second one.
    assert issue(api, event["id"]).json == {"issued": 0, "already_issued": 1}

    assert api.client.get("/c/unknown-certificate").status_code == 404
    assert api.client.delete("/v1/certificates/unknown", headers=api.admin).status_code == 404


def test_two_organizers_pressing_issue_at_once_get_gap_free_unique_numbers(api, agency, other_agency):
    event = api.make_event(**{**PAST, "in_person_capacity": 40})
    people = [api.register(agency if i % 2 else other_agency, event["id"]) for i in range(30)]
    for person in people:
        check_in(api, event["id"], person["id"])

    def press(_):
        # Each thread its own client: the two presses really are two requests in flight at once.
        return api.app.test_client().post(f"/v1/events/{event['id']}/certificates", headers=api.admin)

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(press, range(6)))

    assert [a.status_code for a in answers] == [202] * 6
    assert sum(a.json["issued"] for a in answers) == 30
    numbers = sorted(seq for (seq,) in rows(api, "SELECT seq FROM certificates WHERE event_id = :e", e=event["id"]))
    assert numbers == list(range(1, 31))
    assert len({r for (r,) in rows(api, "SELECT registration_id FROM certificates")}) == 30


def test_certificate_hours_is_a_meeting_field_checked_at_the_door(api):
    event = api.make_event(**PAST)
    assert event["certificate_hours"] == 8
    patched = api.client.patch(f"/v1/events/{event['id']}", json={"certificate_hours": 4}, headers=api.admin)
    assert patched.status_code == 200 and patched.json["certificate_hours"] == 4
    bad = api.client.patch(f"/v1/events/{event['id']}", json={"certificate_hours": "delapan"}, headers=api.admin)
    assert bad.status_code == 422 and "certificate_hours" in bad.json["errors"]
    assert api.make_event()["certificate_hours"] is None


def test_the_qr_code_on_the_mailed_certificate_leads_to_its_page_which_turns_revoked(api, agency):
    event = api.make_event(**PAST)
    registration = api.register(agency, event["id"], full_name="I Gusti Ngurah Bagus Oka")
    check_in(api, event["id"], registration["id"])
    issue(api, event["id"])
    [envelope] = api.outbox("certificate.issued")
    # What notification does with the event: the PDF it attaches, rendered from the payload.
    issued = load_payload("certificate.issued", envelope["data"])
    document = render_certificate(
        {**issued, "full_name": issued["participant"]["full_name"], "nip": issued["participant"]["nip"], "position": None}
    )
    [url] = qr_codes_on_page(document)
    path = urlsplit(url).path
    assert path == f"/c/{issued['certificate_id']}"
    page = api.client.get(path).get_data(as_text=True)
    assert 'data-status="valid"' in page and "I Gusti Ngurah Bagus Oka" in page
    assert api.client.delete(f"/v1/certificates/{issued['certificate_id']}", headers=api.admin).status_code == 204
    assert 'data-status="revoked"' in api.client.get(path).get_data(as_text=True)
