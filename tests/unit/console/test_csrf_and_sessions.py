"""CSRF tokens belong to one visitor; sessions keep the token sealed on the server and end on time."""

from __future__ import annotations

import json
import stat

from services.console.domain.csrf import csrf_token, csrf_valid
from services.console.sessions import SessionStore, seal, unseal

KEY = "k" * 40
TOKEN = "token-penyelenggara-rakor-2031"


def test_a_visitors_own_token_is_accepted():
    assert csrf_valid(KEY, "visitor-a", csrf_token(KEY, "visitor-a"))


def test_another_visitors_token_or_none_is_refused():
    assert not csrf_valid(KEY, "visitor-b", csrf_token(KEY, "visitor-a"))
    assert not csrf_valid(KEY, "visitor-a", None)
    assert not csrf_valid(KEY, None, csrf_token(KEY, "visitor-a"))
    assert not csrf_valid("another-key" * 4, "visitor-a", csrf_token(KEY, "visitor-a"))


def test_sealing_round_trips_and_differs_per_session():
    assert unseal(seal(TOKEN, KEY, "s1"), KEY, "s1") == TOKEN
    assert seal(TOKEN, KEY, "s1") != seal(TOKEN, KEY, "s2")
    assert unseal(seal("x" * 100, KEY, "s1"), KEY, "s1") == "x" * 100


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_the_token_is_not_readable_in_the_stored_file(tmp_path):
    store = SessionStore(tmp_path / "sessions", KEY, 3600)
    session_id, _ = store.create(TOKEN)
    files = list((tmp_path / "sessions").iterdir())
    assert len(files) == 1
    content = files[0].read_text()
    assert TOKEN not in content and session_id not in files[0].name and session_id not in content
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert json.loads(content)["token"] != TOKEN


def test_a_session_loads_until_it_expires_and_is_then_removed(tmp_path):
    clock = Clock()
    store = SessionStore(tmp_path, KEY, 600, clock=clock)
    session_id, _ = store.create(TOKEN)
    clock.now += 599
    assert store.load(session_id).token == TOKEN
    clock.now += 2
    assert store.load(session_id) is None
    assert list(tmp_path.iterdir()) == []


def test_unknown_deleted_or_absurd_ids_load_nothing(tmp_path):
    store = SessionStore(tmp_path, KEY, 600)
    session_id, _ = store.create(TOKEN)
    store.delete(session_id)
    assert store.load(session_id) is None
    assert store.load("tidak-ada") is None
    assert store.load("x" * 10_000) is None
    assert store.load(None) is None


def test_a_session_read_with_another_key_does_not_give_the_token(tmp_path):
    session_id, _ = SessionStore(tmp_path, KEY, 600).create(TOKEN)
    other = SessionStore(tmp_path, "z" * 40, 600).load(session_id)
    assert other is None or other.token != TOKEN


def test_purge_removes_only_ended_sessions(tmp_path):
    clock = Clock()
    store = SessionStore(tmp_path, KEY, 600, clock=clock)
    old, _ = store.create(TOKEN)
    clock.now += 500
    new, _ = store.create(TOKEN)
    clock.now += 200
    assert store.purge_expired() == 1
    assert store.load(new) is not None and store.load(old) is None
