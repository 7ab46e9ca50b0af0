"""Who may watch online, and what a change of a registration means for that person's join link."""

from __future__ import annotations

import enum


class LinkAction(enum.Enum):
    """What must happen to a participant's personal link after their registration changed."""

    NONE = "none"
    ISSUE = "issue"
    REVOKE = "revoke"


def is_eligible(status: str, attendance_mode: str) -> bool:
    """Only a confirmed online participant watches online; waitlisted, cancelled or in-person people do not."""
    return status == "confirmed" and attendance_mode == "online"


def link_action(*, eligible: bool, has_active_link: bool, published: bool) -> LinkAction:
    """Issue a link to an eligible person once links are published; revoke it when eligibility is lost.

    A person who regains eligibility gets a fresh link (ISSUE), never the old revoked one back: a
    link that was forwarded while the person was cancelled must stay dead.
    """
    if eligible and not has_active_link and published:
        return LinkAction.ISSUE
    if not eligible and has_active_link:
        return LinkAction.REVOKE
    return LinkAction.NONE


def revoke_reason(status: str, attendance_mode: str) -> str:
    """A short reason carried by stream.link_revoked."""
    if status == "cancelled":
        return "cancelled"
    if attendance_mode == "in_person":
        return "in_person"
    return status
