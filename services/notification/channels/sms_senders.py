"""Where SMS go: the generic JSON gateway, a Twilio-compatible API, or a log file (the default)."""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import threading
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter

from services.notification.domain.delivery import PermanentFailure, TransientFailure
from services.notification.domain.sms_text import SmsText


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


def raise_for_gateway_status(response: requests.Response, provider: str) -> None:
    """2xx passes; 429 and 5xx are transient (429 keeps Retry-After); any other status is permanent."""
    status = response.status_code
    if 200 <= status < 300:
        return
    detail = " ".join(response.text[:200].split())
    if status == 429:
        raise TransientFailure(
            f"{provider} rate limited (429) {detail}".strip(), retry_after=parse_retry_after(response.headers.get("Retry-After"))
        )
    if status >= 500:
        raise TransientFailure(
            f"{provider} answered {status} {detail}".strip(), retry_after=parse_retry_after(response.headers.get("Retry-After"))
        )
    raise PermanentFailure(f"{provider} refused the message ({status}) {detail}".strip())


def _session(pool_size: int, url: str) -> requests.Session:
    """A pooled session for one provider endpoint, with the environment's proxy and CA bundle read once.

    requests reads HTTPS_PROXY/NO_PROXY/REQUESTS_CA_BUNDLE (walking all of os.environ twice) and
    looks for a .netrc on every request: about a sixth of the CPU of a WhatsApp send, which is
    what bounds a worker's fan-out. A worker's environment does not change while it runs, so the
    answer for this endpoint is taken here, and the session stops asking. Credentials come from
    the settings only, never from a .netrc.
    """
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=max(pool_size, 4), max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    environment = session.merge_environment_settings(url, {}, None, None, None)
    session.proxies.update(environment["proxies"])
    session.verify = environment["verify"]
    session.trust_env = False
    return session


def _post(session: requests.Session, provider: str, url: str, timeout: float, **kwargs) -> requests.Response:
    try:
        return session.post(url, timeout=timeout, **kwargs)
    except requests.Timeout:
        raise TransientFailure(f"{provider} did not answer within {timeout:g}s") from None
    except requests.RequestException as exc:
        raise TransientFailure(f"{provider} unreachable: {type(exc).__name__}") from None


def _json(response: requests.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


class HttpSmsSender:
    """The generic gateway: POST {"to", "message", "reference"} with a bearer key."""

    def __init__(self, url: str, api_key: str, *, timeout: float = 10.0, pool_size: int = 8):
        self.url, self.api_key, self.timeout = url, api_key, timeout
        self.session = _session(pool_size, url)

    def send(self, to: str, text: SmsText, reference: str) -> str:
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        response = _post(
            self.session,
            "SMS gateway",
            self.url,
            self.timeout,
            json={"to": to, "message": text.text, "reference": reference},
            headers=headers,
        )
        raise_for_gateway_status(response, "SMS gateway")
        body = _json(response)
        return str(body.get("id") or body.get("message_id") or reference)

    def close(self) -> None:
        self.session.close()


class TwilioSmsSender:
    """A Twilio-compatible Messages API: form POST with basic auth; the message `sid` is the provider id."""

    def __init__(self, base_url: str, account_sid: str, auth_token: str, from_number: str, *, timeout: float = 10.0, pool_size: int = 8):
        self.url = f"{base_url.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"
        self.auth = (account_sid, auth_token)
        self.from_number, self.timeout = from_number, timeout
        self.session = _session(pool_size, self.url)

    def send(self, to: str, text: SmsText, reference: str) -> str:
        response = _post(
            self.session, "Twilio", self.url, self.timeout, data={"To": to, "From": self.from_number, "Body": text.text}, auth=self.auth
        )
        raise_for_gateway_status(response, "Twilio")
        return str(_json(response).get("sid") or reference)

    def close(self) -> None:
        self.session.close()


class LogSmsSender:
    """Appends each SMS as one JSON line to a file: the development stand-in for a gateway."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()

    def send(self, to: str, text: SmsText, reference: str) -> str:
        line = json.dumps(
            {
                "at": dt.datetime.now(dt.UTC).isoformat(),
                "to": to,
                "reference": reference,
                "encoding": text.encoding,
                "segments": text.segments,
                "message": text.text,
            },
            ensure_ascii=False,
        )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._lock, open(self.path, "a", encoding="utf-8") as handle:
                handle.write(line + "\n")
        except OSError as exc:
            raise TransientFailure(f"cannot append to the SMS log: {exc}") from None
        return f"log:{reference}"

    def close(self) -> None:
        pass
