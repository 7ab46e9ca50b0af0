"""A pool of reused SMTP connections: STARTTLS and login once per connection, reconnect when one went stale."""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
import time
from dataclasses import dataclass, field
from email.message import Message

from services.notification.domain.delivery import PermanentFailure, TransientFailure

log = logging.getLogger(__name__)


@dataclass
class _Connection:
    smtp: smtplib.SMTP
    last_used: float = field(default_factory=time.monotonic)
    reused: bool = False


class SmtpPool:
    """At most `size` open connections, shared by the sending threads; each mail takes one for its transaction.

    Opening a connection costs a TCP handshake, EHLO, maybe STARTTLS and AUTH: several round trips
    that a reused connection skips, which is where most of the time per mail goes on a slow relay.
    """

    def __init__(
        self,
        host: str,
        port: int = 25,
        *,
        size: int = 8,
        timeout: float = 15.0,
        starttls: bool = False,
        tls: str | None = None,
        username: str = "",
        password: str = "",
        ssl_context: ssl.SSLContext | None = None,
        max_idle: float = 30.0,
        local_hostname: str | None = None,
    ):
        self.host, self.port, self.size, self.timeout = host, port, size, timeout
        # tls: "starttls", "ssl" (SMTPS, TLS from the first byte) or "none"; starttls=True is the older spelling.
        self.tls = tls or ("starttls" if starttls else "none")
        if self.tls not in ("starttls", "ssl", "none"):
            raise ValueError(f"unknown SMTP TLS mode {self.tls!r}")
        if username and self.tls == "none":
            raise ValueError("SMTP login needs STARTTLS or SMTPS: the password would cross the network in clear")
        self.starttls = self.tls == "starttls"
        self.username, self.password = username, password
        self.ssl_context = ssl_context
        # Servers drop idle clients after a while (often 60-300 s); older connections are replaced unused.
        self.max_idle = max_idle
        self.local_hostname = local_hostname
        self._slots = threading.BoundedSemaphore(size)
        self._idle: list[_Connection] = []
        self._lock = threading.Lock()
        self.opened = 0  # connections opened since start (tests and the benchmark read it)

    def send(self, message: Message, from_addr: str, to_addrs: list[str]) -> str:
        """Hand `message` to the server and return its Message-ID; raise TransientFailure or PermanentFailure."""
        if not self._slots.acquire(timeout=self.timeout):
            raise TransientFailure(f"no SMTP connection free within {self.timeout:g}s")
        try:
            return self._send_with_reconnect(message, from_addr, to_addrs)
        finally:
            self._slots.release()

    def _send_with_reconnect(self, message: Message, from_addr: str, to_addrs: list[str]) -> str:
        connection = self._checkout()
        try:
            return self._transact(connection, message, from_addr, to_addrs)
        except _StaleConnection as stale:
            # The server closed a connection we had kept (idle timeout, restart): nothing was
            # accepted on it, so one fresh connection gets the same mail.
            log.info("SMTP connection went stale (%s); reconnecting", stale)
            connection = self._checkout(fresh=True)
            try:
                return self._transact(connection, message, from_addr, to_addrs)
            except _StaleConnection as again:
                raise TransientFailure(f"SMTP server closed the connection: {again}") from None

    def _transact(self, connection: _Connection, message: Message, from_addr: str, to_addrs: list[str]) -> str:
        keep = False
        try:
            refused = connection.smtp.send_message(message, from_addr, to_addrs)
            keep = True
            if refused:
                raise PermanentFailure(f"recipients refused: {_codes(refused)}")
            # smtplib does not expose the server's queue id; the Message-ID identifies the mail instead.
            return str(message.get("Message-ID", ""))
        except smtplib.SMTPRecipientsRefused as exc:
            keep = True
            codes = [code for code, _ in exc.recipients.values()]
            if all(400 <= code < 500 for code in codes):
                raise TransientFailure(f"recipient deferred: {_codes(exc.recipients)}") from None
            raise PermanentFailure(f"recipient refused: {_codes(exc.recipients)}") from None
        except smtplib.SMTPResponseException as exc:
            text = _reply_text(exc.smtp_error)
            if exc.smtp_code == 421:
                # "Service not available, closing channel": the server is going away; smtplib closed it.
                if connection.reused:
                    raise _StaleConnection(f"421 {text}") from None
                raise TransientFailure(f"SMTP 421 {text}") from None
            keep = connection.smtp.sock is not None
            if 400 <= exc.smtp_code < 500 or exc.smtp_code < 200:
                raise TransientFailure(f"SMTP {exc.smtp_code} {text}") from None
            raise PermanentFailure(f"SMTP {exc.smtp_code} {text}") from None
        except smtplib.SMTPServerDisconnected as exc:
            if connection.reused:
                raise _StaleConnection(str(exc) or "disconnected") from None
            raise TransientFailure(f"SMTP server disconnected: {exc}") from None
        except TimeoutError as exc:
            raise TransientFailure(f"SMTP timeout after {self.timeout:g}s: {exc}") from None
        except (OSError, smtplib.SMTPException) as exc:
            if connection.reused and isinstance(exc, (ConnectionResetError, BrokenPipeError)):
                raise _StaleConnection(f"{type(exc).__name__}: {exc}") from None
            raise TransientFailure(f"SMTP error {type(exc).__name__}: {exc}") from None
        finally:
            if keep and connection.smtp.sock is not None:
                self._checkin(connection)
            else:
                _close_quietly(connection.smtp)

    def _checkout(self, fresh: bool = False) -> _Connection:
        if not fresh:
            now = time.monotonic()
            with self._lock:
                while self._idle:
                    connection = self._idle.pop()
                    if now - connection.last_used <= self.max_idle:
                        connection.reused = True
                        return connection
                    _close_quietly(connection.smtp)
        return _Connection(self._open())

    def _checkin(self, connection: _Connection) -> None:
        connection.last_used = time.monotonic()
        with self._lock:
            self._idle.append(connection)

    def _open(self) -> smtplib.SMTP:
        try:
            if self.tls == "ssl":
                context = self.ssl_context or ssl.create_default_context()
                smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, local_hostname=self.local_hostname, context=context)
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout, local_hostname=self.local_hostname)
        except (OSError, smtplib.SMTPException) as exc:
            raise TransientFailure(f"cannot connect to SMTP server {self.host}:{self.port}: {type(exc).__name__}: {exc}") from None
        try:
            smtp.ehlo()
            if self.starttls:
                smtp.starttls(context=self.ssl_context or ssl.create_default_context())
                smtp.ehlo()
            if self.username:
                smtp.login(self.username, self.password)
        except smtplib.SMTPAuthenticationError as exc:
            _close_quietly(smtp)
            # A wrong password is the operator's to fix; retrying keeps the mail until it is fixed.
            raise TransientFailure(f"SMTP login refused: {exc.smtp_code} {_reply_text(exc.smtp_error)}") from None
        except (OSError, smtplib.SMTPException, ssl.SSLError) as exc:
            _close_quietly(smtp)
            raise TransientFailure(f"SMTP session setup failed: {type(exc).__name__}: {exc}") from None
        self.opened += 1
        return smtp

    def close(self) -> None:
        """Say QUIT on every idle connection (at shutdown)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            try:
                connection.smtp.quit()
            except (OSError, smtplib.SMTPException):
                _close_quietly(connection.smtp)


class _StaleConnection(Exception):
    """A kept connection turned out closed before the server accepted anything on it."""


def _close_quietly(smtp: smtplib.SMTP) -> None:
    try:
        smtp.close()
    except OSError:
        pass


def _reply_text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())[:300]


def _codes(recipients: dict) -> str:
    # Codes only: the addresses are personal data and this text ends up in logs and the API.
    return ", ".join(f"{code} {_reply_text(reply)}" for code, reply in recipients.values())
