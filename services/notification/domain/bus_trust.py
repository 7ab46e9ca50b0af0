"""What the sender refuses to take from the bus: a forged event must not turn Rakor's mail into phishing.

Every payload field the notification service turns into a link, a recipient or an attachment is
checked here before anything is sent. A producer's account on the broker is a smaller prize than
the ministry's sender address: a join link outside PUBLIC_BASE_URL/j/, a live-stream link off the
allowed hosts, or a recipient that is not one plain address makes the event dead-lettered with
the reason, and nobody gets mail or SMS from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from marshmallow import ValidationError

from shared.schemas.validators import normalize_email, normalize_phone


@dataclass(frozen=True)
class LinkRules:
    """Where links in participants' messages may point."""

    public_base_url: str  # personal join links live under <public_base_url>/j/
    stream_hosts: tuple[str, ...]  # e.g. youtube.com, youtu.be (and their subdomains)


def _join_link_problem(url: str, rules: LinkRules) -> str | None:
    prefix = rules.public_base_url.rstrip("/") + "/j/"
    token = url[len(prefix) :] if url.startswith(prefix) else ""
    # One path segment of URL-safe characters: no "..", no query, no second host smuggled in.
    if not token or not all(c.isalnum() or c in "-_" for c in token):
        return f"join_url is not a personal link under {prefix}"
    return None


def _stream_link_problem(url: str, rules: LinkRules) -> str | None:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    allowed = any(host == h or host.endswith("." + h) for h in rules.stream_hosts)
    if parts.scheme != "https" or not allowed or parts.username or parts.password:
        return "youtube_url is not an https link on an allowed streaming host"
    return None


def _recipient_problem(participant: dict[str, Any]) -> str | None:
    email, phone = participant.get("email"), participant.get("phone")
    try:
        if normalize_email(email).lower() != email.strip().lower():
            return "participant.email is not one plain address"
    except (ValidationError, AttributeError):
        return "participant.email is not a valid address"
    if phone:
        try:
            normalize_phone(phone)
        except ValidationError:
            return "participant.phone is not a mobile number"
    return None


def _agency_contact_problem(agency: dict[str, Any]) -> str | None:
    email = agency.get("contact_email")
    try:
        if normalize_email(email).lower() != email.strip().lower():
            return "agency.contact_email is not one plain address"
    except (ValidationError, AttributeError):
        return "agency.contact_email is not a valid address"
    return None


def untrusted_field(data: dict[str, Any], rules: LinkRules) -> str | None:
    """The first field of an event's payload the sender must not act on, with why; None when all are safe."""
    if data.get("agency") is not None:
        problem = _agency_contact_problem(data["agency"])
        if problem:
            return problem
    participant = data.get("participant")
    if participant is not None:
        problem = _recipient_problem(participant)
        if problem:
            return problem
    if data.get("join_url") is not None:
        problem = _join_link_problem(data["join_url"], rules)
        if problem:
            return problem
    if data.get("youtube_url"):
        return _stream_link_problem(data["youtube_url"], rules)
    return None
