"""The shared guards against input Python, the databases or SMTP would choke on."""

import json

import pytest
from marshmallow import ValidationError

from shared.schemas.validators import text_problem, validate_timezone
from shared.web.json_body import MAX_DEPTH, BodyRefused, parse_json_body


@pytest.mark.parametrize("value", ["a\x00b", "\ud800", "x\udfff", "\udbff\udc00"])
def test_nul_and_surrogates_are_refused_even_in_free_text(value):
    assert text_problem(value, single_line=False) and text_problem(value, single_line=True)


@pytest.mark.parametrize("value", ["a\rb", "a\nb", "a\tb", "\x1f", "\x7f", "\x80", "\x9f", "\u0085"])
def test_control_characters_are_refused_in_one_line(value):
    assert text_problem(value, single_line=True)


@pytest.mark.parametrize("value", ["Baris 1\r\nBaris 2", "Kolom\tdua", "Rina Wulandari, S.Sos., M.Si.", "Zoë 😀 Ñ"])
def test_line_breaks_are_free_texts_business_and_letters_pass(value):
    assert text_problem(value, single_line=False) is None


def test_a_normal_name_passes_as_one_line():
    assert text_problem("Drs. I Gusti Ngurah Rai, M.Si. — Kepala Biro", single_line=True) is None


@pytest.mark.parametrize("zone", ["America", "Asia/", "Etc", "posixrules/x", "../UTC", ""])
def test_folders_and_paths_are_not_time_zones(zone):
    with pytest.raises(ValidationError):
        validate_timezone(zone)


@pytest.mark.parametrize("zone", ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura", "UTC"])
def test_real_zones_pass(zone):
    validate_timezone(zone)


def test_nesting_up_to_the_limit_parses_and_one_more_level_is_refused():
    assert parse_json_body("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
    with pytest.raises(BodyRefused):
        parse_json_body("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    with pytest.raises(BodyRefused):
        parse_json_body(b'{"a": ' + b"[" * 200_000 + b"]" * 200_000 + b"}")


def test_long_integers_are_refused_and_ordinary_ones_kept():
    assert parse_json_body('{"n": -9223372036854775808, "f": 1.5}') == {"n": -9223372036854775808, "f": 1.5}
    with pytest.raises(BodyRefused):
        parse_json_body('{"n": ' + "1" * 4301 + "}")


def test_broken_json_stays_a_decode_error():
    with pytest.raises(json.JSONDecodeError):
        parse_json_body(b"\xff{")
    with pytest.raises(json.JSONDecodeError):
        parse_json_body("{")
