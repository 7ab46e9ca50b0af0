"""What a check-in answer means at the door: a colour, a headline and the person, in pure functions."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from services.console.domain.timefmt import format_time
from services.console.i18n import translate

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


def mode_name(mode: str | None, locale: str) -> str:
    return translate(f"door.mode_{mode}", locale) if mode in ("in_person", "online") else (mode or "")


def status_name(status: str | None, locale: str) -> str:
    return translate(f"door.status_{status}", locale) if status in ("confirmed", "waitlisted", "cancelled") else (status or "")


def checked_in(answer: dict, *, timezone: str, locale: str) -> Outcome:
    """The registration service's 200: green when this scan checked the person in, amber when an earlier one did."""
    person = [
        part for part in (answer.get("full_name"), answer.get("agency_name"), mode_name(answer.get("attendance_mode"), locale)) if part
    ]
    name = answer.get("full_name")
    if answer.get("already_checked_in"):
        when = format_time(answer["checked_in_at"], timezone, locale)
        return Outcome("amber", translate("door.amber", locale, time=when), person, undo_id=answer["registration_id"], person=name)
    return Outcome("green", translate("door.green", locale), person, undo_id=answer["registration_id"], person=name)


def refused(reason: str | None, *, locale: str) -> Outcome:
    """A 409 with its reason, or (reason None) an unknown code: red, with the reason as people say it."""
    return Outcome("red", translate(f"door.red_{reason}" if reason in REFUSALS else "door.red_unknown", locale))


def undone(full_name: str | None, *, locale: str) -> Outcome:
    """After an undo: amber, so it is not mistaken for a check-in nor for a refusal."""
    return Outcome("amber", translate("door.undone", locale), [full_name] if full_name else [])
