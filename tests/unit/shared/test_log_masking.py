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
