"""mask_personal_data: emails and phone numbers masked in log lines, other numbers left readable."""

from __future__ import annotations

import logging

import pytest

from shared.logs import MaskingFormatter, mask_personal_data


@pytest.mark.parametrize(
    "text, masked",
    [
        ("sent to rina.wulandari@kominfo.go.id", "sent to r***@k***.go.id"),
        ("to=Budi.Santoso@jatengprov.go.id,", "to=B***@j***.go.id,"),
        ("<humas+rakor@kominfo.go.id>", "<h***@k***.go.id>"),
        ("rina@bücher.de", "r***@b***.de"),
        ("a@b.co and c.d@e.org", "a***@b***.co and c***@e***.org"),
    ],
)
def test_email_addresses_are_masked(text, masked):
    assert mask_personal_data(text) == masked


@pytest.mark.parametrize(
    "text, masked",
    [
        ("sms to +6281234567890", "sms to +62******890"),
        ("sms to 081234567890", "sms to 081******890"),
        ("sms to 6281234567890.", "sms to 628******890."),
        ("sms 0812-3456-7890 ok", "sms 081******890 ok"),
        ("sms 0812 3456 7890 ok", "sms 081******890 ok"),
        ("sms +62 812-3456-7890 ok", "sms +62******890 ok"),
        ('{"phone": "+6285712345678"}', '{"phone": "+62******678"}'),
        ("phone=0811-1234-567,", "phone=081******567,"),
        ("sms to +447911123456", "sms to +44******456"),
    ],
)
def test_phone_numbers_are_masked(text, masked):
    assert mask_personal_data(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "meeting on 2021-12-01 at 09:00",
        "2021-12-01 09:00:00,123 INFO registration [-] app: started",
        "starts_at=2021-12-01T09:00:00+07:00",
        "connected to 127.0.0.1 port 5672",
        "ports 5672 15672 25672",
        "event 3f2b1c9e-8d7a-4b6c-9e1f-0a2b3c4d5e6f acked",
        "correlation 0812abcdef0123456789abcdef",
        "occurred 1638316800 retried 1638320400",
        "relay published 10000 events in 123456789 ns",
        "registration 12345678901 seat 42",
        "count 1 2 3 4 5 6 7 8 9",
        "amqp://guest:guest@localhost:5672/%2F",
        "year 2008123456789",
    ],
)
def test_dates_ports_ids_and_timestamps_are_not_mangled(text):
    assert mask_personal_data(text) == text


def test_formatter_masks_arguments_but_keeps_the_timestamp():
    record = logging.LogRecord("rakor", logging.INFO, __file__, 1, "sms to %s via %s", ("081234567890", "rina@kominfo.go.id"), None)
    record.created = 1638324000.123  # 2021-12-01 02:00:00 UTC
    line = MaskingFormatter("notification").format(record)
    assert line.endswith("rakor: sms to 081******890 via r***@k***.go.id")
    asctime = line.split(" INFO ")[0]
    assert "*" not in asctime and asctime[:4] == "2021"


def test_api_keys_bearer_credentials_and_join_tokens_are_masked():
    from shared.logs import mask_personal_data

    text = "key rk_Zq3VtW9yBx2Lk8Hs Authorization: Bearer organizer-token-2021 link https://rakor.go.id/j/Xy7pQ2rT9vLm3Ns"
    masked = mask_personal_data(text)
    assert "Zq3VtW9yBx2Lk8Hs" not in masked and "organizer-token-2021" not in masked and "Xy7pQ2rT9vLm3Ns" not in masked
    assert "rk_***" in masked and "Bearer ***" in masked and "/j/<token>" in masked


def test_json_lines_carry_service_and_correlation_id_and_are_masked_in_every_field():
    import json
    import logging

    from shared.correlation import reset_correlation_id, set_correlation_id
    from shared.logs import make_formatter

    record = logging.LogRecord("rakor.test", logging.WARNING, __file__, 1, "gagal kirim ke %s", ("zoë.wulandari@bücher.de",), None)
    record.phone = "0812-3456-7890"
    token = set_correlation_id("cid-42")
    try:
        line = make_formatter("notification", "json").format(record)
    finally:
        reset_correlation_id(token)
    data = json.loads(line)
    assert (data["service"], data["level"], data["logger"], data["correlation_id"]) == ("notification", "WARNING", "rakor.test", "cid-42")
    assert "bücher" not in line and "wulandari" not in line and "3456" not in line
    assert data["message"].startswith("gagal kirim ke z***@b***")
