"""Door sessions kept on the server: the browser holds only a random id, the door token never leaves the console.

The store is a SQLite file beside the console's other data, so every gunicorn worker on the host sees the
same sessions; the id is stored as its SHA-256, so a copy of the file opens no door.
"""
from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import time
from pathlib import Path
from typing import Any

LIFETIME_SECONDS = 16 * 3600  # one long meeting day at the door


def _key(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class DoorSessions:
    """Create, read and end door sessions; expired ones read as absent and are swept on create."""

    def __init__(self, path: Path, lifetime: int = LIFETIME_SECONDS) -> None:
        self._path = path
        self._lifetime = lifetime
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("CREATE TABLE IF NOT EXISTS door_sessions (key TEXT PRIMARY KEY, data TEXT NOT NULL, expires REAL NOT NULL)")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self._path, timeout=10, isolation_level=None)

    def create(self, data: dict[str, Any]) -> str:
        session_id = secrets.token_urlsafe(32)
        now = time.time()
        with self._connect() as db:
            db.execute("DELETE FROM door_sessions WHERE expires < ?", (now,))
            db.execute("INSERT INTO door_sessions VALUES (?, ?, ?)", (_key(session_id), json.dumps(data), now + self._lifetime))
        return session_id

    def load(self, session_id: str | None) -> dict[str, Any] | None:
        if not session_id:
            return None
        with self._connect() as db:
            row = db.execute("SELECT data FROM door_sessions WHERE key = ? AND expires >= ?", (_key(session_id), time.time())).fetchone()
        return json.loads(row[0]) if row else None

    def update(self, session_id: str, data: dict[str, Any]) -> None:
        with self._connect() as db:
            db.execute("UPDATE door_sessions SET data = ? WHERE key = ?", (json.dumps(data), _key(session_id)))

    def end(self, session_id: str | None) -> None:
        if session_id:
            with self._connect() as db:
                db.execute("DELETE FROM door_sessions WHERE key = ?", (_key(session_id),))
