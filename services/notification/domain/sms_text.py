"""SMS text: kept within the GSM-7 alphabet where possible (160 characters a segment), else UCS-2, and segments counted."""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Characters of the extension table cost two septets (an escape plus the character).
GSM7_EXTENDED = set("^{}\\[~]|€\f")
# Typographic characters that templates and names bring in, with their nearest GSM-7 spelling.
REPLACEMENTS = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    "\u2026": "...",
    "\u00a0": " ",
    "\u2009": " ",
    "\u202f": " ",
    "\u2022": "-",
    "\u00b7": "-",
    "\t": " ",
    "`": "'",
}


@dataclass(frozen=True)
class SmsText:
    """The text to send, its encoding (gsm7 or ucs2) and how many segments a phone will bill."""

    text: str
    encoding: str
    segments: int


def to_gsm7(text: str) -> str:
    """Replace typographic and accented characters by GSM-7 ones; characters without a GSM-7 form are kept."""
    out = []
    for char in text:
        char = REPLACEMENTS.get(char, char)
        if all(c in GSM7_BASIC or c in GSM7_EXTENDED for c in char):
            out.append(char)
            continue
        # 'ê' -> 'e': drop the accent when the base letter is GSM-7 (names like "Désirée" stay readable).
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        out.append(base if base and all(c in GSM7_BASIC for c in base) else char)
    return "".join(out)


def is_gsm7(text: str) -> bool:
    return all(c in GSM7_BASIC or c in GSM7_EXTENDED for c in text)


def count_segments(text: str) -> tuple[str, int]:
    """(encoding, segments): 160/153 septets a segment in GSM-7, 70/67 UTF-16 units in UCS-2."""
    if is_gsm7(text):
        septets = sum(2 if c in GSM7_EXTENDED else 1 for c in text)
        return "gsm7", 1 if septets <= 160 else math.ceil(septets / 153)
    units = len(text.encode("utf-16-le")) // 2
    return "ucs2", 1 if units <= 70 else math.ceil(units / 67)


def prepare_sms(text: str) -> SmsText:
    """Normalize whitespace, move to GSM-7 where possible, and count segments."""
    cleaned = " ".join(to_gsm7(text).split())
    encoding, segments = count_segments(cleaned)
    return SmsText(cleaned, encoding, segments)
