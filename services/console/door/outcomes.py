"""What a check-in answer means at the door: a colour, a headline and the person, in pure functions."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from services.console.door.texts import texts_for

# The short names Indonesians read on a clock; other zones show their UTC offset.
ZONE_NAMES = {
    "Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT",
}
REFUSALS = ("cancelled", "waitlisted", "online", "not_this_meeting")
SIGNALS = {"green": "ok", "amber": "again", "red": "refused"}


@dataclass(frozen=True)
class Outcome:
    """One result panel: `colour` is green, amber or red; `undo_id` names the check-in the panel may undo."""

    colour: str
    headline: str
    lines: list[str] = field(default_factory=list)
    undo_id: str | None = None
    person: str | None = None

    def as_json(self) -> dict:
        return {**asdict(self), "signal": SIGNALS[self.colour]}


def local_time(iso: str, timezone: str, language: str) -> str:
    """'08.42 WIB' (Indonesian dot) or '08:42 WIB' for an ISO 8601 instant, in the meeting's zone."""
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(ZoneInfo(timezone))
    clock = moment.strftime("%H.%M" if language == "id" else "%H:%M")
    return f"{clock} {ZONE_NAMES.get(timezone) or moment.strftime('UTC%z')}"


def mode_name(mode: str | None, language: str) -> str:
    return texts_for(language).get(f"mode_{mode}", mode or "")


def checked_in(answer: dict, *, timezone: str, language: str) -> Outcome:
    """The registration service's 200: green when this scan checked the person in, amber when an earlier one did."""
    texts = texts_for(language)
    person = [answer.get("full_name") or "", answer.get("agency_name") or "", mode_name(answer.get("attendance_mode"), language)]
    person = [part for part in person if part]
    if answer.get("already_checked_in"):
        when = local_time(answer["checked_in_at"], timezone, language)
        return Outcome("amber", texts["amber"].format(time=when), person, undo_id=answer["registration_id"], person=answer.get("full_name"))
    return Outcome("green", texts["green"], person, undo_id=answer["registration_id"], person=answer.get("full_name"))


def refused(reason: str | None, *, language: str) -> Outcome:
    """A 409 with its reason, or (reason None) an unknown code: red, with the reason as people say it."""
    texts = texts_for(language)
    key = f"red_{reason}" if reason in REFUSALS else "red_unknown"
    return Outcome("red", texts[key])


def undone(full_name: str | None, *, language: str) -> Outcome:
    """After an undo: amber, so it is not mistaken for a check-in nor for a refusal."""
    return Outcome("amber", texts_for(language)["undone"], [full_name] if full_name else [])
