"""The door link: what the organizer hands to door staff, and how the console reads it back."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlencode, urlsplit

_TOKEN = re.compile(r"^[A-Za-z0-9_.~-]{16,256}$")


# The meeting's title travels in the link, shortened: the door page has no right to read the meeting
# (a door token opens the door endpoints only) and a long link makes a denser QR.
TITLE_IN_LINK = 80


@dataclass(frozen=True)
class DoorLink:
    token: str
    event_id: str
    label: str = ""
    title: str = ""


def door_link(console_base_url: str, event_id: str, token: str, label: str = "", title: str = "") -> str:
    """`{console}/door/{token}?event={id}&label={label}&title={title}`: one URL to open, or to turn into a QR, on the phone."""
    title = title.strip()
    if len(title) > TITLE_IN_LINK:
        title = title[: TITLE_IN_LINK - 1].rstrip() + "…"
    query = {"event": event_id, **({"label": label} if label else {}), **({"title": title} if title else {})}
    return f"{console_base_url.rstrip('/')}/door/{quote(token, safe='')}?{urlencode(query)}"


def read_door_link(text: str) -> DoorLink | None:
    """The parts of a pasted door link; None when it is not one (a bare token lacks its meeting)."""
    parts = urlsplit(text.strip())
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) < 2 or segments[-2] != "door":
        return None
    query = parse_qs(parts.query)
    first = {name: (query.get(name) or [""])[0] for name in ("event", "label", "title")}
    return link_from_parts(segments[-1], first["event"], first["label"], first["title"])


def link_from_parts(token: str, event_id: str, label: str = "", title: str = "") -> DoorLink | None:
    if not _TOKEN.match(token) or not re.match(r"^[A-Za-z0-9-]{1,64}$", event_id or ""):
        return None
    return DoorLink(token, event_id, label.strip()[:60], title.strip()[:TITLE_IN_LINK])
