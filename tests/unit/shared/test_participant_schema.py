"""ParticipantSchema: the strict API input for one person (phone, NIP, email, locale, unknown fields)."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError

from shared.schemas import ParticipantSchema
from shared.schemas.participant import ContactSchema


def make_participant(**overrides):
    """A valid participant as an agency posts it (a Pranata Humas of Ditjen IKP)."""
    data = {
        "full_name": "Rina Wulandari",
        "email": "rina.wulandari@kominfo.go.id",
        "phone": "0812-3456-7890",
        "nip": "198503122010012003",
        "position": "Pranata Humas Ahli Muda",
        "locale": "id",
    }
    data.update(overrides)
    return data


def load(**overrides):
    return ParticipantSchema().load(make_participant(**overrides))


def errors_of(data) -> dict:
    with pytest.raises(ValidationError) as caught:
        ParticipantSchema().load(data)
    return caught.value.messages


def test_a_valid_participant_loads_normalized():
    assert dict(load()) == {
        "full_name": "Rina Wulandari",
        "email": "rina.wulandari@kominfo.go.id",
        "phone": "+6281234567890",
        "nip": "198503122010012003",
        "position": "Pranata Humas Ahli Muda",
        "locale": "id",
    }


# --- phone ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, e164",
    [
        ("081234567890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
        ("+6281234567890", "+6281234567890"),
        ("+62 812-3456-7890", "+6281234567890"),
        ("0812 3456 7890", "+6281234567890"),
        ("0812-3456-7890", "+6281234567890"),
        ("62 812 3456 7890", "+6281234567890"),
        ("  0811-1234-567  ", "+628111234567"),
        ("0857 1234 5678", "+6285712345678"),
        # Foreign mobiles are valid numbers and can receive SMS: the code accepts them as they are.
        ("+44 7911 123456", "+447911123456"),
    ],
)
def test_mobile_numbers_are_normalized_to_e164(raw, e164):
    assert load(phone=raw)["phone"] == e164


@pytest.mark.parametrize(
    "raw, message",
    [
        ("021-3456789", "Must be a mobile number that can receive SMS."),
        ("(021) 3456789", "Must be a mobile number that can receive SMS."),
        ("+62 21 3456 7890", "Must be a mobile number that can receive SMS."),
        ("0812", "Not a valid phone number."),
        ("0812345", "Not a valid phone number."),
        ("08123456789012345", "Not a valid phone number."),
        ("08abc", "Not a phone number."),
        ("nomor HP", "Not a phone number."),
        ("", "Phone number is empty."),
        ("   ", "Phone number is empty."),
    ],
)
def test_landlines_and_nonsense_phone_numbers_are_refused(raw, message):
    assert errors_of(make_participant(phone=raw)) == {"phone": [message]}


@pytest.mark.parametrize("data", [make_participant(phone=None), {k: v for k, v in make_participant().items() if k != "phone"}])
def test_phone_is_optional(data):
    assert ParticipantSchema().load(data)["phone"] is None


def test_phone_must_be_a_string():
    assert errors_of(make_participant(phone=81234567890)) == {"phone": ["Not a valid string."]}


# --- NIP --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, nip",
    [
        ("198503122010012003", "198503122010012003"),
        ("197001011995031001", "197001011995031001"),
        ("19850312 201001 2 003", "198503122010012003"),  # the printed form, grouped by spaces
        ("200002292020121999", "200002292020121999"),  # 29 February of a leap year
    ],
)
def test_valid_nip_loads_without_spaces(raw, nip):
    assert load(nip=raw)["nip"] == nip


@pytest.mark.parametrize(
    "raw, message",
    [
        ("19850312201001200", "NIP must be exactly 18 digits."),
        ("1985031220100120031", "NIP must be exactly 18 digits."),
        ("19850312201001200A", "NIP must be exactly 18 digits."),
        ("1985-03-12-2010-01", "NIP must be exactly 18 digits."),
        ("198513022010012003", "NIP digits 1-8 must be a real birth date (YYYYMMDD)."),
        ("198502302010012003", "NIP digits 1-8 must be a real birth date (YYYYMMDD)."),
        ("190102292010012003", "NIP digits 1-8 must be a real birth date (YYYYMMDD)."),
        ("198503122010132003", "NIP digits 9-14 must be a real appointment month (YYYYMM)."),
        ("198503122010002003", "NIP digits 9-14 must be a real appointment month (YYYYMM)."),
        ("198503121899012003", "NIP digits 9-14 must be a real appointment month (YYYYMM)."),
        ("198503121980012003", "NIP appointment month must come after the birth date."),
        ("198503121985032003", "NIP appointment month must come after the birth date."),
        ("198503122010013003", "NIP digit 15 (gender) must be 1 or 2."),
        ("198503122010010003", "NIP digit 15 (gender) must be 1 or 2."),
        ("198503122010012000", "NIP digits 16-18 (serial number) cannot be 000."),
    ],
)
def test_invalid_nip_is_refused_saying_which_part_is_wrong(raw, message):
    assert errors_of(make_participant(nip=raw)) == {"nip": [message]}


def test_nip_is_optional():
    assert load(nip=None)["nip"] is None


# --- email ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, email",
    [
        ("rina.wulandari@kominfo.go.id", "rina.wulandari@kominfo.go.id"),
        ("Budi.Santoso@KOMINFO.GO.ID", "Budi.Santoso@kominfo.go.id"),
        ("  humas+rakor@jatengprov.go.id ", "humas+rakor@jatengprov.go.id"),
        ("rina@bücher.de", "rina@bücher.de"),
    ],
)
def test_valid_emails_load_with_the_domain_lowercased(raw, email):
    assert load(email=raw)["email"] == email


@pytest.mark.parametrize(
    "raw",
    [
        "rina.kominfo.go.id",
        "rina@",
        "@kominfo.go.id",
        "rina wulandari@kominfo.go.id",
        "rina@kominfo go.id",
        "rina@localhost",
        "rina@@kominfo.go.id",
        "",
    ],
)
def test_invalid_emails_are_refused(raw):
    errors = errors_of(make_participant(email=raw))
    assert list(errors) == ["email"]
    assert errors["email"][0]


# --- locale, names, unknown and missing fields --------------------------------------------------------


def test_locale_defaults_to_indonesian():
    data = make_participant()
    del data["locale"]
    assert ParticipantSchema().load(data)["locale"] == "id"


@pytest.mark.parametrize("locale", ["id", "en"])
def test_locale_id_or_en_is_kept(locale):
    assert load(locale=locale)["locale"] == locale


@pytest.mark.parametrize("locale", ["ID", "jv", "en-US", ""])
def test_other_locales_are_refused(locale):
    assert errors_of(make_participant(locale=locale)) == {"locale": ["Must be one of: id, en."]}


@pytest.mark.parametrize("name", ["R", "x" * 201])
def test_full_name_length_is_checked(name):
    assert list(errors_of(make_participant(full_name=name))) == ["full_name"]


def test_unknown_fields_are_refused_by_name():
    errors = errors_of(make_participant(jabatan="Pranata Humas", instansi="Kominfo"))
    assert errors == {"jabatan": ["Unknown field."], "instansi": ["Unknown field."]}


def test_required_fields_missing_are_named():
    assert errors_of({}) == {
        "full_name": ["Missing data for required field."],
        "email": ["Missing data for required field."],
    }


def test_contact_schema_on_the_bus_ignores_unknown_fields():
    contact = ContactSchema().load({**make_participant(phone="+6281234567890"), "agency": "Diskominfo Jateng"})
    assert "agency" not in contact
    assert contact["phone"] == "+6281234567890"
