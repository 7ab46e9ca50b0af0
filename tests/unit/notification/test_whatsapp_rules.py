"""Pure rules of WhatsApp and receipts: phone format, templates, parameters, error classes, receipt order, signatures."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import itertools
import json

import pytest

from services.notification.content.rendering import template_variables
from services.notification.domain.messages import PlannedMessage, Recipient, build_context, plan_messages
from services.notification.domain.receipts import DeliveryState, Receipt, apply_receipt, signature_valid
from services.notification.domain.whatsapp import (
    BadWebhook,
    TemplateConfigError,
    body_parameters,
    classify_error,
    link_suffix,
    parse_status_webhook,
    parse_templates,
    wa_phone,
)
from tests.factories.notification import make_meeting

T0 = dt.datetime(2021, 12, 1, 2, 0, tzinfo=dt.UTC)


def _recipient(**overrides) -> Recipient:
    values = dict(
        registration_id="reg-1",
        full_name="Dewi Lestari",
        email="Dewi.Lestari@bkn.go.id",
        phone="+6281234567890",
        locale="id",
        attendance_mode="in_person",
        status="confirmed",
        check_in_code="K7Q2XP",
    )
    values.update(overrides)
    return Recipient(**values)


@pytest.mark.parametrize(
    "phone, expected",
    [
        ("+62 812-3456-7890", "6281234567890"),
        ("0812 3456 7890", "6281234567890"),
        ("6281234567890", "6281234567890"),
        ("+1 (555) 010-0000", "15550100000"),
    ],
)
def test_phone_numbers_become_e164_digits(phone, expected):
    assert wa_phone(phone) == expected


@pytest.mark.parametrize(
    "status, code, outcome",
    [
        (429, None, "transient"),
        (400, 4, "transient"),
        (400, 80007, "transient"),
        (400, 130429, "transient"),
        (400, 131048, "transient"),
        (400, 131056, "transient"),
        (503, 2, "transient"),
        (400, 131026, "permanent"),
        (400, 131030, "permanent"),
        (400, 1013, "permanent"),
        (400, 132000, "permanent"),
        (400, 132069, "permanent"),
        (400, 100, "permanent"),
        (401, 190, "permanent"),
    ],
)
def test_errors_are_classified_as_the_api_documents_them(status, code, outcome):
    body = {"error": {"code": code, "message": "x"}} if code is not None else {}
    assert classify_error(status, body)[0] == outcome


def test_template_and_recipient_errors_say_why():
    assert classify_error(400, {"error": {"code": 132001, "message": "Template name does not exist"}})[1].startswith(
        "template refused: WhatsApp error 132001"
    )
    assert classify_error(400, {"error": {"code": 131026, "message": "Message undeliverable"}})[1].startswith(
        "number cannot receive WhatsApp"
    )


def test_templates_setting_accepts_names_and_button_templates_and_refuses_the_rest():
    parsed = parse_templates(
        json.dumps({"confirmed": {"id": "rakor_konfirmasi"}, "link_issued": {"en": {"name": "rakor_link", "url_button": True}}})
    )
    assert parsed["confirmed"]["id"].name == "rakor_konfirmasi" and not parsed["confirmed"]["id"].url_button
    assert parsed["link_issued"]["en"].url_button
    assert parse_templates("") == {}
    for bad in ("[", "[]", '{"confirmed": "x"}', '{"confirmed": {"id": ""}}', '{"confirmed": {"id": {"url_button": true}}}'):
        with pytest.raises(TemplateConfigError):
            parse_templates(bad)


def test_body_parameters_come_from_the_mail_data_without_newlines_or_blanks():
    recipient = _recipient(full_name="Dewi\nLestari")
    context = build_context(PlannedMessage("confirmed", "whatsapp", recipient.phone, recipient, None), make_meeting())
    params = body_parameters(template_variables(context))
    assert params[0] == "Dewi Lestari" and params[3] == "Hotel Aviary, Tangerang Selatan" and params[4] == "K7Q2XP"
    online = _recipient(attendance_mode="online", check_in_code=None)
    context = build_context(
        PlannedMessage("waitlisted", "whatsapp", online.phone, online, None), make_meeting(), extra={"waitlist_position": 3}
    )
    assert body_parameters(template_variables(context))[3:] == ["online", "3"]
    assert all(p and "\n" not in p for p in params)


def test_the_url_button_takes_the_links_path():
    assert link_suffix("https://rakor.example.go.id/j/abc?x=1") == "j/abc?x=1"
    assert link_suffix(None) is None


def test_channels_of_the_meeting_decide_the_plan():
    people = [_recipient(), _recipient(registration_id="reg-2", phone=None)]
    assert [m.channel for m in plan_messages("confirmed", people)] == ["email", "sms", "email"]
    assert [m.channel for m in plan_messages("confirmed", people, ["email", "whatsapp", "sms_fallback"])] == ["email", "whatsapp", "email"]
    assert [m.channel for m in plan_messages("confirmed", people, ["whatsapp", "sms"])] == ["whatsapp", "sms"]


RECEIPTS = [
    Receipt("wamid.1", "sent", T0),
    Receipt("wamid.1", "delivered", T0 + dt.timedelta(seconds=5)),
    Receipt("wamid.1", "read", T0 + dt.timedelta(seconds=60)),
]


@pytest.mark.parametrize("order", list(itertools.permutations(RECEIPTS)))
def test_receipts_in_any_order_and_replayed_end_read_with_their_times(order):
    state = DeliveryState("sent")
    for receipt in order + order:
        state = apply_receipt(state, receipt)
    assert state.status == "read" and state.read_at == T0 + dt.timedelta(seconds=60)
    # A read arriving before its delivered stands in for it; a later delivered does not rewrite the time.
    assert state.delivered_at in (T0 + dt.timedelta(seconds=5), T0 + dt.timedelta(seconds=60))


def test_failed_only_from_sent():
    failed = Receipt("wamid.1", "failed", T0, "WhatsApp error 131026 Message undeliverable")
    after = apply_receipt(DeliveryState("sent"), failed)
    assert after.status == "failed" and "131026" in after.last_error
    for status in ("delivered", "read", "retrying", "sending", "dead"):
        assert apply_receipt(DeliveryState(status), failed).status == status
    assert apply_receipt(after, RECEIPTS[1]) == after  # nothing after a failure
    assert apply_receipt(DeliveryState("retrying"), RECEIPTS[2]).status == "retrying"


def test_signatures():
    body = b'{"entry": []}'
    good = hmac.new(b"rahasia", body, hashlib.sha256).hexdigest()
    assert signature_valid("rahasia", body, f"sha256={good}") and signature_valid("rahasia", body, good)
    assert not signature_valid("rahasia", body + b" ", f"sha256={good}")
    assert (
        not signature_valid("rahasia", body, None)
        and not signature_valid("", body, good)
        and not signature_valid("rahasia", body, "sha256=")
    )


def test_status_webhook_parsing():
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "changes": [
                    {"field": "messages", "value": {"messages": [{"from": "628", "text": {"body": "halo"}}]}},
                    {
                        "field": "messages",
                        "value": {
                            "statuses": [
                                {
                                    "id": "wamid.1",
                                    "status": "failed",
                                    "timestamp": "1638324000",
                                    "errors": [{"code": 131026, "title": "Message undeliverable"}],
                                }
                            ]
                        },
                    },
                ]
            }
        ],
    }
    [receipt] = parse_status_webhook(payload)
    assert receipt.status == "failed" and receipt.at == dt.datetime(2021, 12, 1, 2, 0, tzinfo=dt.UTC)
    assert receipt.reason.startswith("WhatsApp error 131026 Message undeliverable")
    for bad in (
        [],
        {"entry": {}},
        {"entry": [{"changes": {}}]},
        {"entry": [{"changes": [{"value": {"statuses": [{"id": "w", "status": "x", "timestamp": "1"}]}}]}]},
        {"entry": [{"changes": [{"value": {"statuses": [{"id": "w", "status": "read", "timestamp": "kemarin"}]}}]}]},
    ):
        with pytest.raises(BadWebhook):
            parse_status_webhook(bad)
