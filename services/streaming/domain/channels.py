"""Validation of a meeting's Zoom and YouTube channel: https, an allowed host, sensible meeting id and passcode."""

from __future__ import annotations

import re
from dataclasses import dataclass

import ada_url

from services.streaming.domain.errors import InvalidChannel

CHANNEL_KINDS = ("zoom", "youtube")
MAX_URL_LENGTH = 2000
# Hosts that clearly belong to one platform: a YouTube address given as the Zoom channel is a
# copy-paste mistake worth naming, even though both hosts are allowed.
PLATFORM_HOSTS = {"zoom": ("zoom.us", "zoomgov.com"), "youtube": ("youtube.com", "youtu.be")}
PLATFORM_NAMES = {"zoom": "Zoom", "youtube": "YouTube"}
_MEETING_ID = re.compile(r"^\d[\d -]*\d$")
_PASSCODE = re.compile(r"^[\x21-\x7e]{1,32}$")


@dataclass(frozen=True)
class ChannelInput:
    """A channel as the organizer sends it, already trimmed."""

    kind: str
    url: str
    meeting_id: str | None = None
    passcode: str | None = None


def host_matches(host: str, allowed: str) -> bool:
    """True when `host` is `allowed` itself or one of its subdomains (us02web.zoom.us for zoom.us)."""
    return host == allowed or host.endswith("." + allowed)


def parse_url(url: str) -> ada_url.URL | None:
    """`url` parsed as a browser parses it (WHATWG URL Standard), or None when a browser would refuse it.

    urllib.parse is not what a browser does: in https://evil.example\\.zoom.us/ it sees the host
    evil.example\\.zoom.us, while a browser treats the backslash as a slash and goes to evil.example.
    The same goes for percent-encoded hosts, IDNA and tabs or newlines inside the address.
    """
    try:
        return ada_url.URL(url)
    except ValueError:
        return None


def url_errors(kind: str, url: str, allowed_hosts: tuple[str, ...]) -> list[str]:
    """Why `url` cannot be the `kind` channel of a meeting (empty when it can); the host checked is the browser's."""
    if len(url) > MAX_URL_LENGTH:
        return [f"Longer than {MAX_URL_LENGTH} characters."]
    if any(ch.isspace() or ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in url):
        return ["Must not contain spaces or control characters."]
    parsed = parse_url(url)
    if parsed is None:
        return ["Not a valid URL."]
    if parsed.protocol != "https:":
        return ["Must start with https://."]
    if parsed.username or parsed.password:
        return ["Must not contain a user name or password."]
    if parsed.port:
        # A browser drops :443, so only another port is left here.
        return ["Must use the standard https port."]
    host = parsed.hostname.rstrip(".")
    if not host:
        return ["Must name a host."]
    if not any(host_matches(host, allowed) for allowed in allowed_hosts):
        return [f"Host {host} is not allowed; use one of: {', '.join(allowed_hosts)} (or a subdomain)."]
    for other, hosts in PLATFORM_HOSTS.items():
        if other != kind and any(host_matches(host, h) for h in hosts):
            return [f"This is a {PLATFORM_NAMES[other]} address, not a {PLATFORM_NAMES[kind]} one."]
    return []


def canonical_url(url: str) -> str:
    """The address as a browser serializes it: what was checked is exactly what participants are sent to."""
    parsed = parse_url(url)
    return parsed.href if parsed is not None else url


def validate_channel(channel: ChannelInput, allowed_hosts: tuple[str, ...]) -> ChannelInput:
    """Return the channel with a normalized meeting id, or raise InvalidChannel naming every bad field."""
    errors: dict[str, list[str]] = {}
    if channel.kind not in CHANNEL_KINDS:
        errors["kind"] = [f"Must be one of: {', '.join(CHANNEL_KINDS)}."]
        raise InvalidChannel(errors)
    messages = url_errors(channel.kind, channel.url, allowed_hosts)
    if messages:
        errors["url"] = messages
    meeting_id = channel.meeting_id
    if channel.kind == "youtube":
        # A live stream has neither; silently storing them would suggest they are sent to people.
        if channel.meeting_id:
            errors["meeting_id"] = ["Only a Zoom channel has a meeting id."]
        if channel.passcode:
            errors["passcode"] = ["Only a Zoom channel has a passcode."]
    else:
        if meeting_id:
            digits = re.sub(r"[ -]", "", meeting_id)
            if not _MEETING_ID.match(meeting_id) or not 9 <= len(digits) <= 12:
                errors["meeting_id"] = ["A Zoom meeting id has 9 to 12 digits, e.g. 812 3456 7890."]
            else:
                meeting_id = digits
        if channel.passcode and not _PASSCODE.match(channel.passcode):
            errors["passcode"] = ["1 to 32 visible characters, no spaces."]
    if errors:
        raise InvalidChannel(errors)
    return ChannelInput(channel.kind, canonical_url(channel.url), meeting_id or None, channel.passcode or None)
