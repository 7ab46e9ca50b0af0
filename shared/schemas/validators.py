"""Field types shared by every API: Indonesian-friendly phone numbers (E.164), NIP, email, safe text, time zones."""

from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from marshmallow import RAISE, Schema, ValidationError, fields, pre_load

DEFAULT_REGION = "ID"
MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


def normalize_phone(raw: str, *, mobile_only: bool = True) -> str:
    """Return `raw` in E.164; accept 0812…, 62812…, +62 812-…; refuse landlines (they cannot get SMS) and nonsense."""
    text = (raw or "").strip()
    if not text:
        raise ValidationError("Phone number is empty.")
    if text.startswith("62") and not text.startswith("+"):
        text = "+" + text
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise ValidationError("Not a phone number.") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError("Not a valid phone number.")
    if mobile_only and phonenumbers.number_type(number) not in MOBILE_TYPES:
        raise ValidationError("Must be a mobile number that can receive SMS.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_nip(raw: str) -> str:
    """Check an 18-digit NIP (Nomor Induk Pegawai): birth date YYYYMMDD, appointment YYYYMM, gender 1|2, serial."""
    nip = (raw or "").replace(" ", "")
    if len(nip) != 18 or not nip.isdigit():
        raise ValidationError("NIP must be exactly 18 digits.")
    try:
        birth = dt.date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        raise ValidationError("NIP digits 1-8 must be a real birth date (YYYYMMDD).") from None
    appointed_year, appointed_month = int(nip[8:12]), int(nip[12:14])
    if not 1 <= appointed_month <= 12 or appointed_year < 1900:
        raise ValidationError("NIP digits 9-14 must be a real appointment month (YYYYMM).")
    if (appointed_year, appointed_month) <= (birth.year, birth.month):
        raise ValidationError("NIP appointment month must come after the birth date.")
    if nip[14] not in "12":
        raise ValidationError("NIP digit 15 (gender) must be 1 or 2.")
    if nip[15:18] == "000":
        raise ValidationError("NIP digits 16-18 (serial number) cannot be 000.")
    return nip


def normalize_email(raw: str) -> str:
    """Return a syntactically valid address with its domain lowercased; no DNS look-up (we never leave the host)."""
    try:
        result = validate_email((raw or "").strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationError(str(exc)) from None
    return result.normalized


class PhoneField(fields.String):
    """A mobile number, loaded as E.164."""

    def _deserialize(self, value, attr, data, **kwargs):
        return normalize_phone(super()._deserialize(value, attr, data, **kwargs))


class NipField(fields.String):
    """An 18-digit NIP with real embedded dates."""

    def _deserialize(self, value, attr, data, **kwargs):
        return validate_nip(super()._deserialize(value, attr, data, **kwargs))


class EmailField(fields.String):
    """An email address checked by email-validator."""

    def _deserialize(self, value, attr, data, **kwargs):
        return normalize_email(super()._deserialize(value, attr, data, **kwargs))


# ----- text that can be stored, mailed and shown -------------------------------------------------
# A lone UTF-16 surrogate (JSON "\ud800") is a Python str that no UTF-8 encoder accepts: SQLite,
# PostgreSQL and SMTP all fail on it after the input was accepted. NUL cannot be stored in PostgreSQL.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# A name, position or title is one line: CR/LF in a name ends up in a mail header, other C0/C1
# characters are invisible. Free text (a theme, a health protocol) may keep tabs and line breaks.
_CONTROL_IN_LINE = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def text_problem(value: str, *, single_line: bool) -> str | None:
    """The message for a string a field must refuse, or None when it is fine."""
    if _UNSTORABLE.search(value):
        return "Must not contain NUL characters or unpaired UTF-16 surrogates."
    if (_CONTROL_IN_LINE if single_line else _CONTROL_IN_TEXT).search(value):
        return "Must not contain line breaks or control characters." if single_line else "Must not contain control characters."
    return None


def unstorable_fields(data: dict) -> dict[str, list[str]]:
    """The keys of `data` whose value holds, at any depth, a string with NUL or an unpaired surrogate."""
    return {
        key: ["Must not contain NUL characters or unpaired UTF-16 surrogates."] for key, value in data.items() if _holds_unstorable(value)
    }


def _holds_unstorable(value) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _UNSTORABLE.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


class RejectsUnstorableText:
    """Schema mix-in: any field whose value holds NUL or an unpaired surrogate, at any depth, is refused."""

    @pre_load
    def _reject_unstorable(self, data, **_kwargs):
        if isinstance(data, dict):
            bad = unstorable_fields(data)
            if bad:
                raise ValidationError(bad)
        return data


class StrictSchema(RejectsUnstorableText, Schema):
    """The base of every request schema of the services: an unknown field is refused, like unstorable text."""

    class Meta:
        unknown = RAISE


class Line(fields.String):
    """One line of text: a name, a position, a title (no CR, LF or other C0/C1 control characters)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        problem = text_problem(text, single_line=True)
        if problem:
            raise ValidationError(problem)
        return text


class Text(fields.String):
    """Free text that may span lines (tabs, CR and LF allowed; other control characters not)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        problem = text_problem(text, single_line=False)
        if problem:
            raise ValidationError(problem)
        return text


@functools.cache
def _known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(name: str) -> None:
    """An IANA zone name such as Asia/Jakarta; a folder of the database ("America") or a path is not one."""
    if name not in _known_zones():
        raise ValidationError("Not a known IANA time zone (e.g. Asia/Jakarta).")
