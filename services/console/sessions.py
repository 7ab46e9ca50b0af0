"""Server-side sessions: the browser holds only a random id; the organizer's token stays on the server, sealed.

Each session is one small file named by the SHA-256 of its id, so every gunicorn worker (and a
restarted console) sees it, and a directory listing reveals no cookie. The admin token in the file
is XOR-ed with an HMAC-SHA256 keystream of the console's secret key and the session id: reading the
files alone (a backup, a misplaced copy) does not give the token away.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Session:
    """What the console knows about one signed-in organizer."""

    token: str
    expires_at: float
    csrf_secret: str
    # What else the page behind this session needs (a door session: its meeting, label, zone); never secret.
    details: dict = field(default_factory=dict)


def _keystream(secret_key: str, session_id: str, length: int) -> bytes:
    blocks, counter = [], 0
    while sum(map(len, blocks)) < length:
        blocks.append(hmac.new(secret_key.encode(), f"{session_id}:{counter}".encode(), hashlib.sha256).digest())
        counter += 1
    return b"".join(blocks)[:length]


def seal(secret: str, secret_key: str, session_id: str) -> str:
    """`secret` encrypted under a keystream only the console's key and the session id can recreate (hex)."""
    raw = secret.encode()
    return bytes(a ^ b for a, b in zip(raw, _keystream(secret_key, session_id, len(raw)), strict=False)).hex()


def unseal(sealed: str, secret_key: str, session_id: str) -> str:
    """The inverse of seal()."""
    raw = bytes.fromhex(sealed)
    return bytes(a ^ b for a, b in zip(raw, _keystream(secret_key, session_id, len(raw)), strict=False)).decode()


class SessionStore:
    """Sessions on disk under `directory`, valid for `lifetime` seconds from sign-in."""

    def __init__(self, directory: Path, secret_key: str, lifetime: float, clock: Callable[[], float] = time.time):
        self.directory, self.secret_key, self.lifetime, self.clock = Path(directory), secret_key, lifetime, clock
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)

    def _path(self, session_id: str) -> Path:
        return self.directory / hashlib.sha256(session_id.encode()).hexdigest()

    def create(self, token: str, details: dict | None = None) -> tuple[str, Session]:
        """A new session for `token` (with `details` kept beside it); returns its id (for the cookie) and the session."""
        session_id = secrets.token_urlsafe(32)
        session = Session(
            token=token, expires_at=self.clock() + self.lifetime, csrf_secret=secrets.token_hex(16), details=dict(details or {})
        )
        record = {
            "token": seal(token, self.secret_key, session_id),
            "expires_at": session.expires_at,
            "csrf_secret": session.csrf_secret,
            "details": session.details,
        }
        path = self._path(session_id)
        temporary = path.with_suffix(".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(record, handle)
        os.replace(temporary, path)
        return session_id, session

    def load(self, session_id: str | None) -> Session | None:
        """The live session of `session_id`; None when unknown or expired (an expired one is deleted)."""
        if not session_id or len(session_id) > 128:
            return None
        path = self._path(session_id)
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            token = unseal(record["token"], self.secret_key, session_id)
        except (OSError, ValueError, KeyError, UnicodeDecodeError):
            return None
        if record["expires_at"] <= self.clock():
            path.unlink(missing_ok=True)
            return None
        return Session(token=token, expires_at=record["expires_at"], csrf_secret=record["csrf_secret"], details=record.get("details") or {})

    def purge_expired(self) -> int:
        """Remove the files of sessions that ended without a sign-out; returns how many."""
        removed, now = 0, self.clock()
        for path in self.directory.iterdir():
            try:
                if path.suffix != ".tmp" and json.loads(path.read_text(encoding="utf-8"))["expires_at"] <= now:
                    path.unlink(missing_ok=True)
                    removed += 1
            except (OSError, ValueError, KeyError):
                continue
        return removed

    def delete(self, session_id: str | None) -> None:
        if session_id and len(session_id) <= 128:
            self._path(session_id).unlink(missing_ok=True)
