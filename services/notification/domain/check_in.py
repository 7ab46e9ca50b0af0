"""The contact's check-in as the door's events move it: a check-in noted, and an undo that may arrive first.

Handlers run in parallel, so registration.check_in_reverted can overtake the check-in it undoes,
and a new scan after an undo can overtake the undo.
"""

from __future__ import annotations

import datetime as dt

# What to do with an undo of the check-in made at `reverted`:
WAIT = "wait"  # the check-in it undoes is not on the contact yet: try again shortly
KEEP = "keep"  # nothing to clear, or the check-in on the contact is a later scan that stays
CLEAR = "clear"  # clear the contact's check-in


def on_check_in_reverted(checked_in_at: dt.datetime | None, reverted: dt.datetime | None) -> str:
    """WAIT, KEEP or CLEAR for an undo of the check-in made at `reverted` (None: an undo that names no check-in time)."""
    if checked_in_at is None:
        return WAIT if reverted is not None else KEEP
    if reverted is None or checked_in_at <= reverted:
        return CLEAR
    return KEEP
