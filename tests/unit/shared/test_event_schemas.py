"""Event payload schemas and the envelope: the contract between the services on the bus."""

from __future__ import annotations

import copy
import datetime as dt
import json
import uuid

import pytest
from marshmallow import ValidationError

from shared.schemas import EVENT_SCHEMAS, EVENT_TYPES, SCHEMA_VERSION, EnvelopeSchema, dump_payload, load_payload

WIB = dt.timezone(dt.timedelta(hours=7))
STARTS_AT = dt.datetime(2021, 12, 1, 9, 0, tzinfo=WIB)


def make_contact(**overrides):
    contact = {
        "full_name": "Rina Wulandari",
        "email": "rina.wulandari@kominfo.go.id",
        "phone": "+6281234567890",
        "locale": "id",
        "nip": "198503122010012003",
        "position": "Pranata Humas Ahli Muda",
    }
    contact.update(overrides)
    return contact


def make_meeting(**overrides):
    """The model meeting: Rakor Pembinaan Jabatan Fungsional Pranata Humas, Hotel Aviary, 1 Desember 2021."""
    meeting = {
        "id": "evt-rakor-humas-2021",
        "title": "Rapat Koordinasi Pembinaan Jabatan Fungsional Pranata Humas",
        "theme": "Penguatan Peran Pranata Humas dalam Komunikasi Publik",
        "starts_at": STARTS_AT,
        "ends_at": STARTS_AT + dt.timedelta(hours=7),
        "timezone": "Asia/Jakarta",
        "venue": {
            "name": "Hotel Aviary",
            "address": "Jl. Sutera Utama No. 1, Alam Sutera",
            "city": "Tangerang Selatan",
            "latitude": -6.2410,
            "longitude": 106.6520,
        },
        "health_protocol": "Wajib masker dan sertifikat vaksin",
        "online": True,
        "sequence": 0,
        "status": "scheduled",
        "reminders": [{"before": "P1D", "at": "09:00"}, {"before": "PT1H", "at": None}],
        "channels": ["email", "whatsapp", "sms_fallback"],
        "organizer": {
            "name": "Kementerian Komunikasi dan Informatika",
            "unit": "Direktorat Jenderal Informasi dan Komunikasi Publik",
            "signatory_name": "Usman Kansong",
            "signatory_title": "Direktur Jenderal Informasi dan Komunikasi Publik",
        },
    }
    meeting.update(overrides)
    return meeting


def make_registration(**overrides):
    data = {
        "registration_id": "reg-0001",
        "event_id": "evt-rakor-humas-2021",
        "agency_id": "agc-diskominfo-jateng",
        "agency_name": "Diskominfo Provinsi Jawa Tengah",
        "participant": make_contact(),
        "attendance_mode": "in_person",
        "status": "confirmed",
        "check_in_code": "RKR-7Q4M",
        "waitlist_position": None,
        "meeting": make_meeting(),
    }
    data.update(overrides)
    return data


# A complete payload of every event type: every optional field set, so a round trip shows them all.
SAMPLES = {
    "event.created": {**make_meeting(), "changed_fields": []},
    "event.updated": {**make_meeting(sequence=1), "changed_fields": ["starts_at", "venue"]},
    "registration.confirmed": make_registration(),
    "registration.waitlisted": make_registration(status="waitlisted", check_in_code=None, waitlist_position=3),
    "registration.promoted": make_registration(),
    "registration.cancelled": {
        "registration_id": "reg-0001",
        "event_id": "evt-rakor-humas-2021",
        "agency_id": "agc-diskominfo-jateng",
        "participant": make_contact(),
        "attendance_mode": "online",
        "previous_status": "confirmed",
        "meeting": make_meeting(),
    },
    "registration.mode_changed": make_registration(attendance_mode="online", previous_mode="in_person"),
    "registration.checked_in": {
        "registration_id": "reg-0001",
        "event_id": "evt-rakor-humas-2021",
        "at": STARTS_AT,
        "agency_id": "agc-diskominfo-jateng",
    },
    "registration.check_in_reverted": {
        "registration_id": "reg-0001",
        "event_id": "evt-rakor-humas-2021",
        "at": STARTS_AT + dt.timedelta(minutes=2),
        "checked_in_at": STARTS_AT,
    },
    "event.cancelled": {
        **make_meeting(sequence=2, status="cancelled"),
        "reason": "Rapat ditunda karena kebijakan PPKM.",
        "cancelled_at": STARTS_AT - dt.timedelta(days=2),
    },
    "stream.link_issued": {
        "registration_id": "reg-0001",
        "event_id": "evt-rakor-humas-2021",
        "participant": make_contact(locale="en"),
        "join_url": "http://localhost:8003/j/tok_abc123",
        "youtube_url": "https://youtube.com/watch?v=rakorhumas",
        "zoom_meeting_id": "81234567890",
        "channel_kinds": ["zoom", "youtube"],
        "meeting": make_meeting(),
    },
    "stream.link_revoked": {"registration_id": "reg-0001", "event_id": "evt-rakor-humas-2021", "reason": "cancelled"},
    "stream.joined": {
        "registration_id": "reg-0001",
        "event_id": "evt-rakor-humas-2021",
        "at": STARTS_AT + dt.timedelta(minutes=3),
        "channel_kind": "zoom",
    },
    "stream.presence_recorded": {
        "registration_id": "reg-0001",
        "event_id": "evt-rakor-humas-2021",
        "minutes": 95,
        "source": "zoom_csv",
        "first_join_at": STARTS_AT + dt.timedelta(minutes=1),
    },
    "certificate.issued": {
        "certificate_id": "q8Hx3kPZ0bT1vW9yA2cD4e",
        "registration_id": "reg-0001",
        "event_id": "evt-rakor-humas-2021",
        "agency_id": "agc-diskominfo-jateng",
        "number": "001/SERT/DJIKP/2021",
        "agency_name": "Dinas Kominfo Provinsi Jawa Tengah",
        "meeting_title": "Rapat Koordinasi Pembinaan Jabatan Fungsional Pranata Humas",
        "meeting_date": dt.date(2021, 12, 1),
        "hours": 8,
        "verify_url": "http://localhost:8001/c/q8Hx3kPZ0bT1vW9yA2cD4e",
        "issued_at": STARTS_AT + dt.timedelta(hours=9),
        "participant": make_contact(),
        "meeting": make_meeting(),
    },
    "agency.updated": {
        "agency_id": "agc-diskominfo-jateng",
        "name": "Dinas Kominfo Provinsi Jawa Tengah",
        "contact_email": "humas@jatengprov.go.id",
        "digest_enabled": True,
        "locale": "id",
        "updated_at": STARTS_AT,
    },
    "agency.bulk_processed": {
        "request_id": "blk-7f3e2a",
        "agency_id": "agc-diskominfo-jateng",
        "event_id": "evt-rakor-humas-2021",
        "created": 2,
        "duplicates": 1,
        "invalid": [{"row": 3, "errors": {"email": ["Not a valid email address."]}}],
        "agency": {
            "agency_id": "agc-diskominfo-jateng",
            "name": "Dinas Kominfo Provinsi Jawa Tengah",
            "contact_email": "humas@jatengprov.go.id",
            "digest_enabled": True,
            "locale": "en",
            "updated_at": STARTS_AT,
        },
        "meeting": make_meeting(),
    },
}

# One field each type cannot do without.
REQUIRED = {
    "event.created": "starts_at",
    "event.updated": "title",
    "registration.confirmed": "participant",
    "registration.waitlisted": "waitlist_position",
    "registration.promoted": "meeting",
    "registration.cancelled": "previous_status",
    "registration.mode_changed": "previous_mode",
    "registration.checked_in": "at",
    "registration.check_in_reverted": "at",
    "event.cancelled": "cancelled_at",
    "stream.link_issued": "join_url",
    "stream.link_revoked": "registration_id",
    "stream.joined": "event_id",
    "stream.presence_recorded": "minutes",
    "certificate.issued": "number",
    "agency.updated": "contact_email",
    "agency.bulk_processed": "invalid",
}


def test_every_event_type_has_a_sample_and_a_required_field():
    assert set(SAMPLES) == set(EVENT_SCHEMAS) == set(EVENT_TYPES) == set(REQUIRED)


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_payload_round_trips_through_json(event_type):
    dumped = dump_payload(event_type, SAMPLES[event_type])
    on_the_wire = json.loads(json.dumps(dumped))
    assert load_payload(event_type, on_the_wire) == SAMPLES[event_type]


@pytest.mark.parametrize("event_type", [t for t in EVENT_TYPES if t != "stream.link_revoked"])
def test_dumped_datetimes_are_iso_strings_with_offset(event_type):
    dumped = json.dumps(dump_payload(event_type, SAMPLES[event_type]))
    assert "2021-12-01T09:" in dumped and "+07:00" in dumped


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_load_ignores_unknown_fields_at_every_level(event_type):
    wire = json.loads(json.dumps(dump_payload(event_type, SAMPLES[event_type])))
    wire["added_in_a_later_release"] = {"x": 1}
    if "participant" in wire:
        wire["participant"]["telegram"] = "@rinawulan"
    if isinstance(wire.get("meeting"), dict):
        wire["meeting"]["zoom_room"] = "ruang-1"
        wire["meeting"]["venue"]["floor"] = "Lantai 3"
    loaded = load_payload(event_type, wire)
    assert loaded == SAMPLES[event_type]


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_missing_required_field_is_refused(event_type):
    field = REQUIRED[event_type]
    wire = json.loads(json.dumps(dump_payload(event_type, SAMPLES[event_type])))
    del wire[field]
    with pytest.raises(ValidationError) as caught:
        load_payload(event_type, wire)
    assert caught.value.messages == {field: ["Missing data for required field."]}


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_dump_refuses_a_payload_missing_a_required_field(event_type):
    data = copy.deepcopy(SAMPLES[event_type])
    del data[REQUIRED[event_type]]
    with pytest.raises(ValidationError):
        dump_payload(event_type, data)


@pytest.mark.parametrize(
    "event_type, field, value",
    [
        ("registration.confirmed", "attendance_mode", "hybrid"),
        ("registration.confirmed", "status", "pending"),
        ("registration.waitlisted", "waitlist_position", 0),
        ("registration.cancelled", "previous_status", "unknown"),
        ("stream.link_issued", "channel_kinds", ["teams"]),
    ],
)
def test_dump_refuses_values_outside_the_contract(event_type, field, value):
    with pytest.raises(ValidationError) as caught:
        dump_payload(event_type, {**SAMPLES[event_type], field: value})
    assert field in caught.value.messages


@pytest.mark.parametrize("event_type", ["registration.checked_in", "stream.joined"])
def test_naive_datetimes_are_refused(event_type):
    with pytest.raises(ValidationError) as caught:
        dump_payload(event_type, {**SAMPLES[event_type], "at": dt.datetime(2021, 12, 1, 9, 0)})
    assert caught.value.messages == {"at": ["Not a valid aware datetime."]}


def test_a_datetime_given_as_text_is_a_validation_error_not_a_crash():
    # The docstring promises ValidationError for a wrong payload; a string where a datetime
    # belongs must not escape as AttributeError from the serializer.
    with pytest.raises(ValidationError):
        dump_payload("registration.checked_in", {**SAMPLES["registration.checked_in"], "at": "2021-12-01T09:00:00+07:00"})


def test_optional_fields_get_their_defaults_on_load():
    minimal = {"registration_id": "reg-0001", "event_id": "evt-1", "reason": None}
    assert load_payload("stream.link_revoked", {"registration_id": "reg-0001", "event_id": "evt-1"}) == minimal
    meeting = json.loads(json.dumps(dump_payload("event.created", make_meeting())))
    for optional in ("theme", "health_protocol", "online", "sequence"):
        del meeting[optional]
    loaded = load_payload("event.created", meeting)
    assert (loaded["theme"], loaded["health_protocol"], loaded["online"], loaded["sequence"], loaded["changed_fields"]) == (
        None,
        None,
        True,
        0,
        [],
    )


# --- envelope ---------------------------------------------------------------------------------------


def make_envelope(**overrides):
    envelope = {
        "id": str(uuid.uuid4()),
        "type": "registration.confirmed",
        "version": SCHEMA_VERSION,
        "occurred_at": "2021-11-24T10:15:00+07:00",
        "producer": "registration",
        "correlation_id": "9c2f1d0e3b4a",
        "data": {"registration_id": "reg-0001"},
    }
    envelope.update(overrides)
    return envelope


def test_valid_envelope_loads_with_typed_fields():
    envelope = make_envelope()
    loaded = EnvelopeSchema().load(envelope)
    assert loaded["id"] == uuid.UUID(envelope["id"])
    assert loaded["occurred_at"] == dt.datetime(2021, 11, 24, 10, 15, tzinfo=WIB)
    assert loaded["version"] == SCHEMA_VERSION


def test_envelope_ignores_unknown_fields_and_defaults_correlation_id():
    envelope = make_envelope(trace_parent="00-abc")
    del envelope["correlation_id"]
    loaded = EnvelopeSchema().load(envelope)
    assert "trace_parent" not in loaded
    assert loaded["correlation_id"] is None


@pytest.mark.parametrize("producer", ["registration", "notification", "streaming"])
def test_envelope_accepts_each_service_as_producer(producer):
    assert EnvelopeSchema().load(make_envelope(producer=producer))["producer"] == producer


@pytest.mark.parametrize(
    "field, value",
    [
        ("id", "not-a-uuid"),
        ("id", 42),
        ("occurred_at", "2021-11-24T10:15:00"),
        ("occurred_at", "kemarin"),
        ("producer", "billing"),
        ("version", 0),
        ("version", "satu"),
        ("type", ""),
        ("data", ["not", "an", "object"]),
        ("correlation_id", "x" * 201),
    ],
)
def test_envelope_refuses_a_bad_field(field, value):
    with pytest.raises(ValidationError) as caught:
        EnvelopeSchema().load(make_envelope(**{field: value}))
    assert list(caught.value.messages) == [field]


@pytest.mark.parametrize("field", ["id", "type", "version", "occurred_at", "producer", "data"])
def test_envelope_refuses_a_missing_field(field):
    envelope = make_envelope()
    del envelope[field]
    with pytest.raises(ValidationError) as caught:
        EnvelopeSchema().load(envelope)
    assert caught.value.messages == {field: ["Missing data for required field."]}


def test_a_meeting_from_an_older_producer_loads_without_organizer_or_coordinates():
    older = dump_payload("event.created", SAMPLES["event.created"])
    del older["organizer"]
    for name in ("latitude", "longitude"):
        del older["venue"][name]
    loaded = load_payload("event.created", older)
    assert loaded["organizer"] is None and loaded["venue"]["latitude"] is None
