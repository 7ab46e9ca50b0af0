"""Who a message comes from: the meeting's organizer (or the configured default), its From name and its signature."""

from __future__ import annotations

from email.utils import formataddr, parseaddr
from typing import Any

# An SMS signs with a short name so a one-segment text stays one segment where it can.
SMS_SIGNATURE_MAX = 40
_CONNECTORS = ("dan", "and", "of", "&", "-", ",")


def organizer_of(meeting: dict[str, Any], default: dict[str, Any]) -> dict[str, Any]:
    """The meeting's own organizer when it names one, else the default (ORGANIZER_NAME / ORGANIZER_UNIT)."""
    organizer = meeting.get("organizer") or {}
    if not (organizer.get("name") or "").strip():
        organizer = default
    return {
        "name": organizer.get("name") or default.get("name") or "Rakor",
        "unit": organizer.get("unit") or None,
        "signatory_name": organizer.get("signatory_name") or None,
        "signatory_title": organizer.get("signatory_title") or None,
    }


def display_name(organizer: dict[str, Any]) -> str:
    """'Direktorat Jenderal IKP, Kementerian Kominfo': the unit people deal with, then the institution."""
    return f"{organizer['unit']}, {organizer['name']}" if organizer.get("unit") else organizer["name"]


def from_header(sender: str, organizer: dict[str, Any]) -> str:
    """SMTP_FROM's address under the organizer's name (the address stays the one the relay is allowed to send as)."""
    address = parseaddr(sender)[1] or "no-reply@rakor.local"
    return formataddr((display_name(organizer), address), charset="utf-8")


def sms_signature(organizer: dict[str, Any]) -> str:
    """The shortest honest name of the sender: the unit when it is short, else the institution, cut at a word."""
    for candidate in (organizer.get("unit"), organizer["name"]):
        if candidate and len(candidate) <= SMS_SIGNATURE_MAX:
            return candidate
    words = organizer["name"][: SMS_SIGNATURE_MAX + 1].rsplit(" ", 1)[0].split()
    while len(words) > 1 and words[-1].lower() in _CONNECTORS:
        words.pop()
    return " ".join(words)


def online_channels(channel_kinds: list[str] | None, youtube_url: str | None) -> tuple[str, ...]:
    """The channels a message may name: those streaming said the meeting has, YouTube only with its URL."""
    kinds = set(channel_kinds or ())
    if youtube_url:
        kinds.add("youtube")
    else:
        kinds.discard("youtube")
    return tuple(kind for kind in ("zoom", "youtube") if kind in kinds)
