"""Field types for participant data: Indonesian-friendly phone numbers (E.164), NIP and email."""
from __future__ import annotations

import datetime as dt

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from marshmallow import ValidationError, fields

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
