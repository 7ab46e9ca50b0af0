"""PUT/GET of a meeting's Zoom and YouTube channels, organizer only, with field-named 422s."""

from __future__ import annotations

import uuid

import pytest

from tests.factories.streaming import YOUTUBE_URL, ZOOM_URL
from tests.integration.streaming.probes import ADMIN, ADMIN_TOKEN, set_channels


def test_organizer_sets_both_channels_and_reads_them_back(client, meeting):
    set_channels(client, meeting["id"])
    body = client.get(f"/v1/events/{meeting['id']}/channels", headers=ADMIN).get_json()
    assert body["title"] == meeting["title"] and body["published_at"] is None
    assert [(c["kind"], c["url"]) for c in body["channels"]] == [("youtube", YOUTUBE_URL), ("zoom", ZOOM_URL)]
    zoom = body["channels"][1]
    assert (zoom["meeting_id"], zoom["passcode"]) == ("81234567890", "humas21")


def test_changing_a_channel_replaces_its_url(client, meeting):
    set_channels(client, meeting["id"], youtube=None)
    response = client.put(f"/v1/events/{meeting['id']}/channels/zoom", json={"url": "https://zoom.us/j/89900011122"}, headers=ADMIN)
    assert response.status_code == 200
    channels = client.get(f"/v1/events/{meeting['id']}/channels", headers=ADMIN).get_json()["channels"]
    assert [(c["url"], c["meeting_id"]) for c in channels] == [("https://zoom.us/j/89900011122", None)]


def test_a_channel_may_be_set_before_the_meeting_is_announced(client):
    event_id = str(uuid.uuid4())
    assert client.put(f"/v1/events/{event_id}/channels/youtube", json={"url": YOUTUBE_URL}, headers=ADMIN).status_code == 200
    body = client.get(f"/v1/events/{event_id}/channels", headers=ADMIN).get_json()
    assert body["title"] is None and body["channels"][0]["url"] == YOUTUBE_URL


def test_channels_of_an_unknown_meeting_are_not_found(client):
    assert client.get(f"/v1/events/{uuid.uuid4()}/channels", headers=ADMIN).status_code == 404


@pytest.mark.parametrize(
    "kind,body,field",
    [
        ("zoom", {"url": "http://zoom.us/j/81234567890"}, "url"),
        ("zoom", {"url": "https://zoom.evil.example/j/1"}, "url"),
        ("zoom", {"url": "https://www.youtube.com/watch?v=x"}, "url"),
        ("youtube", {"url": "javascript:alert(1)"}, "url"),
        ("zoom", {}, "url"),
        ("zoom", {"url": 42}, "url"),
        ("zoom", {"url": "https://zoom.us/j/1", "meeting_id": "12"}, "meeting_id"),
        ("zoom", {"url": "https://zoom.us/j/1", "passcode": "with space"}, "passcode"),
        ("youtube", {"url": YOUTUBE_URL, "passcode": "humas21"}, "passcode"),
        ("zoom", {"url": "https://zoom.us/j/1", "webinar": True}, "webinar"),
        ("teams", {"url": "https://zoom.us/j/1"}, "kind"),
    ],
)
def test_bad_channel_input_is_422_naming_the_field(client, meeting, kind, body, field):
    response = client.put(f"/v1/events/{meeting['id']}/channels/{kind}", json=body, headers=ADMIN)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_malformed_json_is_422(client, meeting):
    response = client.put(f"/v1/events/{meeting['id']}/channels/zoom", data="{url:", headers={**ADMIN, "Content-Type": "application/json"})
    assert response.status_code == 422


def test_an_overlong_meeting_id_in_the_path_is_not_found(client):
    assert client.put(f"/v1/events/{'x' * 200}/channels/zoom", json={"url": ZOOM_URL}, headers=ADMIN).status_code == 404


ADMIN_ENDPOINTS = [
    ("put", "/v1/events/{id}/channels/zoom", {"url": ZOOM_URL}),
    ("put", "/v1/events/{id}/channels/youtube", {"url": "http://bad"}),
    ("get", "/v1/events/{id}/channels", None),
    ("post", "/v1/events/{id}/publish", None),
    ("get", "/v1/events/{id}/joins", None),
]


@pytest.mark.parametrize("method,path,body", ADMIN_ENDPOINTS)
@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong-token-of-some-agency"}, {"Authorization": f"Basic {ADMIN_TOKEN}"}],
    ids=["no-token", "wrong-token", "wrong-scheme"],
)
def test_every_organizer_endpoint_refuses_without_the_admin_token(client, meeting, method, path, body, headers):
    response = getattr(client, method)(path.format(id=meeting["id"]), json=body, headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("method,path,body", ADMIN_ENDPOINTS[:1] + ADMIN_ENDPOINTS[2:])
def test_every_organizer_endpoint_answers_the_admin(client, meeting, method, path, body):
    set_channels(client, meeting["id"])
    response = getattr(client, method)(path.format(id=meeting["id"]), json=body, headers=ADMIN)
    assert response.status_code in (200, 202)


def test_concurrent_saves_of_one_channel_all_succeed_and_leave_one(app, meeting):
    import threading

    urls = [f"https://zoom.us/j/8123456789{n}" for n in range(6)]
    statuses: list[int] = []

    def save(url):
        statuses.append(app.test_client().put(f"/v1/events/{meeting['id']}/channels/zoom", json={"url": url}, headers=ADMIN).status_code)

    threads = [threading.Thread(target=save, args=(url,)) for url in urls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert statuses == [200] * len(urls)
    channels = app.test_client().get(f"/v1/events/{meeting['id']}/channels", headers=ADMIN).get_json()["channels"]
    assert len(channels) == 1 and channels[0]["url"] in urls


@pytest.mark.parametrize(
    "url", ["https://evil.example\\.zoom.us/j/1", "https://zoom.us@evil.example/j/1", "https:\\\\evil.example/.zoom.us"]
)
def test_an_address_a_browser_would_open_on_another_host_is_422(client, meeting, url):
    response = client.put(f"/v1/events/{meeting['id']}/channels/zoom", json={"url": url}, headers=ADMIN)
    assert response.status_code == 422 and "url" in response.get_json()["errors"]
    assert client.get(f"/v1/events/{meeting['id']}/channels", headers=ADMIN).get_json()["channels"] == []
