"""Where emails go: an SMTP server through the connection pool, or .eml files in a folder (the default)."""

from __future__ import annotations

import os
import re
import uuid
from email.message import Message
from email.utils import parseaddr
from pathlib import Path

from services.notification.channels.smtp_pool import SmtpPool
from services.notification.domain.delivery import TransientFailure


class SmtpSender:
    """Email over SMTP; `send` returns the Message-ID as provider id."""

    def __init__(self, pool: SmtpPool, envelope_from: str):
        self.pool = pool
        self.envelope_from = parseaddr(envelope_from)[1] or envelope_from

    def send(self, message: Message, to_address: str) -> str:
        return self.pool.send(message, self.envelope_from, [to_address])

    def close(self) -> None:
        self.pool.close()


class FileSender:
    """Writes each email as an .eml file (opens in any mail client), for `make run` on a machine without SMTP."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)

    def send(self, message: Message, to_address: str) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        key = re.sub(r"[^A-Za-z0-9._-]", "", str(message.get("Message-ID", "")).strip("<>").split("@")[0]) or uuid.uuid4().hex
        name = f"{key}.eml"
        temporary = self.directory / f".{name}.{uuid.uuid4().hex}.tmp"
        try:
            temporary.write_bytes(message.as_bytes())
            # Rename is atomic: a reader of the folder never sees half a mail.
            os.replace(temporary, self.directory / name)
        except OSError as exc:
            raise TransientFailure(f"cannot write {name}: {exc}") from None
        return name

    def close(self) -> None:
        pass
