"""GET /j/{token}: redirect to the current channel, record the join, 404/410, the 'meeting over' page, rate limit."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import psycopg
import pytest
from sqlalchemy import text

from services.streaming import operations
from services.streaming.api import EXTENSION
from services.streaming.domain.join_target import JoinOutcome
from services.streaming.join_path import joined_envelope
from shared.local_time import format_clock, format_datetime
from shared.schemas.envelope import EnvelopeSchema
from shared.schemas.events import load_payload
from shared.web import RateLimiter
from tests.factories.streaming import YOUTUBE_URL, ZOOM_URL, make_meeting, make_registration
from tests.integration.streaming.probes import ADMIN, outbox_events, set_channels, token_of


@pytest.fixture(autouse=True)
def recording_agrees_with_the_domain_rule(caplog):
    """On PostgreSQL the join path decides in SQL whether to record; every visit here must agree with decide_join."""
    yield
    disagreements = [r.getMessage() for r in caplog.records if "domain rule differ" in r.getMessage()]
    assert disagreements == []


def issue_link(client, feed, session_factory, meeting, **channels) -> tuple[dict, str]:
    """Register one online participant, publish, and return (registration, token)."""
    registration = make_registration(meeting)
    feed("registration.confirmed", registration)
    set_channels(client, meeting["id"], **channels)
    assert client.post(f"/v1/events/{meeting['id']}/publish", headers=ADMIN).status_code == 202
    envelope = [
        e for e in outbox_events(session_factory, "stream.link_issued") if e["data"]["registration_id"] == registration["registration_id"]
    ][-1]
    return registration, token_of(envelope)


def test_a_link_redirects_to_the_zoom_meeting(client, feed, session_factory, meeting):
    _, token = issue_link(client, feed, session_factory, meeting)
    response = client.get(f"/j/{token}")
    assert response.status_code == 302 and response.headers["Location"] == ZOOM_URL
    assert response.headers["Referrer-Policy"] == "no-referrer" and response.headers["Cache-Control"] == "no-store"


def test_without_zoom_the_link_redirects_to_youtube(client, feed, session_factory, meeting):
    _, token = issue_link(client, feed, session_factory, meeting, zoom=None)
    assert client.get(f"/j/{token}").headers["Location"] == YOUTUBE_URL
    assert [e["data"]["channel_kind"] for e in outbox_events(session_factory, "stream.joined")] == ["youtube"]


def test_the_recorded_event_is_the_shared_envelope_of_stream_joined(client, feed, session_factory, meeting):
    registration, token = issue_link(client, feed, session_factory, meeting)
    client.get(f"/j/{token}", headers={"X-Correlation-ID": "rakor-uji-korelasi-1"})
    [stored] = outbox_events(session_factory, "stream.joined")
    envelope = EnvelopeSchema().load(stored)
    payload = load_payload("stream.joined", envelope["data"])
    assert (payload["registration_id"], payload["event_id"], payload["channel_kind"]) == (
        registration["registration_id"],
        meeting["id"],
        "zoom",
    )
    assert stored["data"]["at"] == stored["occurred_at"]
    # Same fields and values as the envelope built in Python (the SQLite path), apart from the id and the moment.
    expected = joined_envelope(registration["registration_id"], meeting["id"], payload["at"], "zoom")
    compared = ("type", "version", "producer")
    assert {k: stored[k] for k in compared} == {k: expected[k] for k in compared}
    assert set(stored) == set(expected)
    assert stored["correlation_id"] == "rakor-uji-korelasi-1"
    assert list(stored["data"]) == list(expected["data"])


def test_the_redirect_follows_a_changed_channel_without_a_new_link(client, feed, session_factory, meeting):
    _, token = issue_link(client, feed, session_factory, meeting)
    moved = "https://us06web.zoom.us/j/89900011122?pwd=BaruLagi"
    assert client.put(f"/v1/events/{meeting['id']}/channels/zoom", json={"url": moved}, headers=ADMIN).status_code == 200
    assert client.get(f"/j/{token}").headers["Location"] == moved
    assert len(outbox_events(session_factory, "stream.link_issued")) == 1


def test_every_visit_records_one_join_and_one_event(client, feed, session_factory, meeting):
    registration, token = issue_link(client, feed, session_factory, meeting)
    client.get(f"/j/{token}")
    client.get(f"/j/{token}")
    joined = outbox_events(session_factory, "stream.joined")
    assert [(e["data"]["registration_id"], e["data"]["event_id"], e["data"]["channel_kind"]) for e in joined] == [
        (registration["registration_id"], meeting["id"], "zoom")
    ] * 2
    assert len({e["id"] for e in joined}) == 2


def test_an_unknown_token_is_not_found_and_records_nothing(client, feed, session_factory, meeting):
    issue_link(client, feed, session_factory, meeting)
    for token in ("tidak-ada", "x" * 43, "y" * 500):
        assert client.get(f"/j/{token}").status_code == 404
    assert outbox_events(session_factory, "stream.joined") == []


def test_a_revoked_link_is_gone(client, feed, session_factory, meeting):
    registration, token = issue_link(client, feed, session_factory, meeting)
    feed.cancel(registration)
    response = client.get(f"/j/{token}")
    assert response.status_code == 410 and "revoked" in response.get_json()["message"]
    assert outbox_events(session_factory, "stream.joined") == []


def test_a_browser_gets_a_readable_page_for_a_revoked_link(client, feed, session_factory, meeting):
    registration, token = issue_link(client, feed, session_factory, meeting)
    feed.cancel(registration)
    response = client.get(f"/j/{token}", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 410 and response.mimetype == "text/html"
    assert "Tautan tidak berlaku lagi" in response.get_data(as_text=True)


def test_a_regained_link_works_while_the_old_one_stays_revoked(client, feed, session_factory, meeting):
    registration, old_token = issue_link(client, feed, session_factory, meeting)
    in_person = feed.change_mode(registration, "in_person")
    feed.change_mode(in_person, "online")
    new_token = token_of(outbox_events(session_factory, "stream.link_issued")[-1])
    assert client.get(f"/j/{old_token}").status_code == 410
    assert client.get(f"/j/{new_token}").status_code == 302


def test_after_the_meeting_the_link_shows_the_recording_page_and_records_no_join(client, feed, session_factory):
    now = dt.datetime.now(dt.UTC)
    meeting = make_meeting(starts_at=(now - dt.timedelta(hours=8)).isoformat(), ends_at=(now - dt.timedelta(minutes=1)).isoformat())
    feed("event.created", {**meeting, "changed_fields": []})
    _, token = issue_link(client, feed, session_factory, meeting)
    response = client.get(f"/j/{token}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "Rapat telah selesai" in page and meeting["title"] in page
    assert f'href="{YOUTUBE_URL}"' in page
    assert outbox_events(session_factory, "stream.joined") == []


def test_joins_report_counts_visits_per_participant(client, feed, session_factory, meeting):
    rina, rina_token = issue_link(client, feed, session_factory, meeting)
    budi, budi_token = issue_link(client, feed, session_factory, meeting)
    for _ in range(3):
        client.get(f"/j/{rina_token}")
    client.get(f"/j/{budi_token}")
    body = client.get(f"/v1/events/{meeting['id']}/joins", headers=ADMIN).get_json()
    assert (body["participants"], body["total_joins"]) == (2, 4)
    by_id = {item["registration_id"]: item for item in body["items"]}
    assert by_id[rina["registration_id"]]["count"] == 3
    assert by_id[rina["registration_id"]]["full_name"] == rina["participant"]["full_name"]
    assert by_id[budi["registration_id"]]["agency_name"] == budi["agency_name"]
    first, last = by_id[rina["registration_id"]]["first_joined_at"], by_id[rina["registration_id"]]["last_joined_at"]
    assert dt.datetime.fromisoformat(first) <= dt.datetime.fromisoformat(last)


def test_joins_of_an_unknown_meeting_are_not_found(client):
    assert client.get("/v1/events/belum-ada/joins", headers=ADMIN).status_code == 404


def test_too_many_attempts_from_one_address_are_refused_with_retry_after(app, client, feed, session_factory, meeting):
    _, token = issue_link(client, feed, session_factory, meeting)
    state = app.extensions[EXTENSION]
    app.extensions[EXTENSION] = type(state)(state.session_factory, state.join_path, RateLimiter(3))
    statuses = [client.get(f"/j/guess{n}").status_code for n in range(3)]
    refused = client.get(f"/j/{token}")
    assert statuses == [404, 404, 404]
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    other = client.get(f"/j/{token}", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other.status_code == 302
    with session_factory() as session:
        assert session.execute(text("SELECT count(*) FROM joins")).scalar() == 1


def test_valid_links_opened_from_one_address_never_spend_its_budget(app, client, feed, session_factory, meeting):
    # A whole office behind one NAT address opening its links at 09:00.
    _, token = issue_link(client, feed, session_factory, meeting)
    state = app.extensions[EXTENSION]
    app.extensions[EXTENSION] = type(state)(state.session_factory, state.join_path, RateLimiter(2))
    assert [client.get(f"/j/{token}").status_code for _ in range(10)] == [302] * 10
    assert [client.get(f"/j/tebakan{n}").status_code for n in range(3)] == [404, 404, 429]


def test_join_rate_limit_zero_turns_the_limit_off(app, client):
    state = app.extensions[EXTENSION]
    app.extensions[EXTENSION] = type(state)(state.session_factory, state.join_path, None)
    assert {client.get(f"/j/tebakan{n}").status_code for n in range(30)} == {404}


@pytest.mark.parametrize("path", ["/j/", "/j/a/b"])
def test_paths_without_a_single_token_are_not_found(client, path):
    assert client.get(path).status_code == 404


def visits_counted(client, outcome: str) -> float:
    for line in client.get("/metrics").get_data(as_text=True).splitlines():
        if line.startswith(f'rakor_stream_link_visits_total{{outcome="{outcome}"}}'):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_visits_are_counted_by_outcome_in_the_metrics(client, feed, session_factory, meeting):
    _, token = issue_link(client, feed, session_factory, meeting)
    before = visits_counted(client, "redirect"), visits_counted(client, "unknown")
    client.get(f"/j/{token}")
    client.get(f"/j/{token}")
    client.get("/j/tidak-dikenal")
    assert (visits_counted(client, "redirect"), visits_counted(client, "unknown")) == (before[0] + 2, before[1] + 1)


def test_a_head_request_resolves_the_link_without_recording_a_join(client, feed, session_factory, meeting):
    _, token = issue_link(client, feed, session_factory, meeting)
    response = client.head(f"/j/{token}")
    assert response.status_code == 302 and response.headers["Location"] == ZOOM_URL
    assert outbox_events(session_factory, "stream.joined") == []


def test_a_connection_lost_under_the_join_path_costs_one_503_then_links_work_again(client, feed, session_factory, meeting, settings):
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("the join path keeps its own connection pool on PostgreSQL only")
    _, token = issue_link(client, feed, session_factory, meeting)
    assert client.get(f"/j/{token}").status_code == 302  # a pooled connection now exists
    with session_factory() as session:
        session.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        )
    statuses = [client.get(f"/j/{token}").status_code for _ in range(3)]
    if settings.db_pooler == "transaction":
        # The pooler, not the app, held the server connections that ended: it opens new ones and the
        # app's own connections to it never broke, so no visit fails at all.
        assert statuses == [302, 302, 302]
    else:
        assert statuses[0] == 503 and statuses[1:] == [302, 302]


def test_through_a_transaction_pooler_joins_leave_no_setting_on_the_shared_server_connections(
    client, feed, session_factory, meeting, settings
):
    """synchronous_commit=off and the timeouts hold for the join's own transaction, not for whoever gets its server connection next."""
    if settings.db_pooler != "transaction":
        pytest.skip("only behind a pooler in transaction mode are server connections shared between clients")
    _, token = issue_link(client, feed, session_factory, meeting)
    for _ in range(3):
        assert client.get(f"/j/{token}").status_code == 302
        # Another client of the pooler, in autocommit: PgBouncer hands it a server connection a join just used.
        with psycopg.connect(settings.database_url.replace("+psycopg", ""), autocommit=True, prepare_threshold=None) as other:
            assert other.execute("SHOW synchronous_commit").fetchone()[0] == "on"
            assert other.execute("SHOW statement_timeout").fetchone()[0] == "0"
    assert joins_recorded(session_factory) == 3


# ----- the join window and cancelled meetings --------------------------------------------------
def joins_recorded(session_factory) -> int:
    with session_factory() as session:
        return session.execute(text("SELECT count(*) FROM joins")).scalar()


def meeting_in(feed, starts_in: dt.timedelta, hours: int = 3, **overrides) -> dict:
    """A meeting the service heard of, starting `starts_in` from now (negative: already started)."""
    start = dt.datetime.now(dt.UTC) + starts_in
    meeting = make_meeting(starts_at=start.isoformat(), ends_at=(start + dt.timedelta(hours=hours)).isoformat(), **overrides)
    feed("event.created", {**meeting, "changed_fields": []})
    return meeting


def test_before_the_window_the_link_says_when_the_meeting_starts_and_records_nothing(client, feed, session_factory):
    meeting = meeting_in(feed, dt.timedelta(days=2), timezone="Asia/Makassar")
    _, token = issue_link(client, feed, session_factory, meeting)
    response = client.get(f"/j/{token}")
    page = response.get_data(as_text=True)
    starts = dt.datetime.fromisoformat(meeting["starts_at"])
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Rapat belum dimulai" in page and meeting["title"] in page
    assert format_datetime(starts, "Asia/Makassar", "id") in page and " WITA" in page
    assert format_clock(starts - dt.timedelta(minutes=30), "Asia/Makassar", "id") in page
    assert "The meeting starts" not in page  # the participant's language is known: Indonesian only
    assert outbox_events(session_factory, "stream.joined") == [] and joins_recorded(session_factory) == 0


def test_the_not_yet_page_is_in_english_for_an_english_speaking_participant(client, feed, session_factory):
    meeting = meeting_in(feed, dt.timedelta(hours=5), timezone="Asia/Jayapura")
    registration = make_registration(meeting)
    registration["participant"]["locale"] = "en"
    feed("registration.confirmed", registration)
    set_channels(client, meeting["id"])
    client.post(f"/v1/events/{meeting['id']}/publish", headers=ADMIN)
    token = token_of(outbox_events(session_factory, "stream.link_issued")[-1])
    page = client.get(f"/j/{token}").get_data(as_text=True)
    starts = dt.datetime.fromisoformat(meeting["starts_at"])
    assert "The meeting has not started yet" in page and '<html lang="en">' in page
    assert f"The meeting starts on {format_datetime(starts, 'Asia/Jayapura', 'en')}" in page and " WIT" in page
    assert "Rapat belum dimulai" not in page


def test_within_the_window_before_the_start_the_link_redirects_and_records_the_join(client, feed, session_factory):
    meeting = meeting_in(feed, dt.timedelta(minutes=20))
    registration, token = issue_link(client, feed, session_factory, meeting)
    response = client.get(f"/j/{token}")
    assert response.status_code == 302 and response.headers["Location"] == ZOOM_URL
    [joined] = outbox_events(session_factory, "stream.joined")
    assert joined["data"]["registration_id"] == registration["registration_id"]


def test_the_window_opens_as_configured(feed, session_factory, settings, tmp_path):
    from services.streaming.app import create_app

    meeting = meeting_in(feed, dt.timedelta(minutes=50))
    wider = create_app(replace(settings, join_opens_minutes=60))
    try:
        client = wider.test_client()
        _, token = issue_link(client, feed, session_factory, meeting)
        assert client.get(f"/j/{token}").status_code == 302
    finally:
        wider.extensions[EXTENSION].join_path.close()
        wider.extensions[EXTENSION].session_factory.kw["bind"].dispose()


@pytest.mark.parametrize(
    "starts_in", [dt.timedelta(days=1), dt.timedelta(minutes=10), dt.timedelta(hours=-8)], ids=["early", "open", "over"]
)
def test_a_head_request_never_records_whatever_the_time(client, feed, session_factory, starts_in):
    meeting = meeting_in(feed, starts_in, hours=3)
    _, token = issue_link(client, feed, session_factory, meeting)
    assert client.head(f"/j/{token}").status_code in (200, 302)
    assert outbox_events(session_factory, "stream.joined") == [] and joins_recorded(session_factory) == 0


def test_after_the_end_without_a_recording_the_page_says_the_meeting_has_ended(client, feed, session_factory):
    meeting = meeting_in(feed, dt.timedelta(hours=-5), hours=2)
    _, token = issue_link(client, feed, session_factory, meeting, youtube=None)
    response = client.get(f"/j/{token}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Rapat telah selesai" in page
    assert "YouTube" not in page and "href=" not in page
    assert joins_recorded(session_factory) == 0


@pytest.mark.parametrize(
    "moment, recorded",
    [
        ("a day before the opening", False),
        ("a microsecond before the opening", False),
        ("at the opening", True),
        ("at the start", True),
        ("at the end", True),
        ("a microsecond after the end", False),
    ],
)
def test_the_edges_of_the_window_on_the_join_path(app, client, feed, session_factory, settings, moment, recorded):
    """An injected clock at each edge: the SQL of the PostgreSQL path and decide_join must agree (autouse check)."""
    meeting = meeting_in(feed, dt.timedelta(days=3))
    _, token = issue_link(client, feed, session_factory, meeting)
    start, end = dt.datetime.fromisoformat(meeting["starts_at"]), dt.datetime.fromisoformat(meeting["ends_at"])
    opens_before = dt.timedelta(minutes=settings.join_opens_minutes)
    tiny = dt.timedelta(microseconds=1)
    now = {
        "a day before the opening": start - opens_before - dt.timedelta(days=1),
        "a microsecond before the opening": start - opens_before - tiny,
        "at the opening": start - opens_before,
        "at the start": start,
        "at the end": end,
        "a microsecond after the end": end + tiny,
    }[moment]
    visit = operations.open_link(app.extensions[EXTENSION].join_path, token, opens_before, now)
    assert (visit.decision.outcome is JoinOutcome.REDIRECT) is recorded
    assert joins_recorded(session_factory) == int(recorded)


def test_after_event_cancelled_every_link_is_gone_and_records_nothing(client, feed, session_factory, meeting):
    _, token = issue_link(client, feed, session_factory, meeting)
    _, other_token = issue_link(client, feed, session_factory, meeting)
    assert client.get(f"/j/{token}").status_code == 302
    feed("event.cancelled", {**meeting, "status": "cancelled", "reason": "Ditunda", "cancelled_at": dt.datetime.now(dt.UTC).isoformat()})
    for link in (token, other_token):
        response = client.get(f"/j/{link}")
        assert response.status_code == 410 and "cancelled" in response.get_json()["message"]
    assert client.head(f"/j/{token}").status_code == 410
    page = client.get(f"/j/{token}", headers={"Accept": "text/html"})
    assert page.status_code == 410 and "Rapat dibatalkan" in page.get_data(as_text=True)
    assert joins_recorded(session_factory) == 1


def test_a_cancelled_meeting_publishes_no_links_and_issues_none_to_newcomers(client, feed, session_factory, meeting):
    issue_link(client, feed, session_factory, meeting)
    feed("event.cancelled", {**meeting, "status": "cancelled", "reason": None, "cancelled_at": dt.datetime.now(dt.UTC).isoformat()})
    feed("registration.confirmed", make_registration(meeting))
    response = client.post(f"/v1/events/{meeting['id']}/publish", headers=ADMIN)
    assert response.status_code == 409 and "cancelled" in response.get_json()["message"]
    assert len(outbox_events(session_factory, "stream.link_issued")) == 1


def test_a_registration_event_saying_the_meeting_is_cancelled_is_enough(client, feed, session_factory, meeting):
    registration, token = issue_link(client, feed, session_factory, meeting)
    other = make_registration({**meeting, "status": "cancelled"}, mode="in_person")
    feed("registration.confirmed", other)
    # A later snapshot that says "scheduled" (an event sent before the cancellation, delivered late) does not undo it.
    feed("event.updated", {**meeting, "changed_fields": ["title"]})
    assert client.get(f"/j/{token}").status_code == 410
