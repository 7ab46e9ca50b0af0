"""Check-in codes: short enough to type at the door, random enough not to be guessed."""

from __future__ import annotations

import secrets

# No 0/O, 1/I/L: a code read aloud or typed from a phone screen is read once, correctly.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 8  # 31**8 ≈ 8.5e11 codes: guessing one of a few hundred at a door is hopeless


def new_check_in_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize_code(raw: str) -> str:
    """Upper-case and strip spaces/dashes, so 'abcd-2345' typed at the door matches ABCD2345."""
    return "".join(ch for ch in raw.upper() if ch not in " -")
