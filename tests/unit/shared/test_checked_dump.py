"""The one-pass dump of event payloads agrees with marshmallow's dump-then-load wherever it decides."""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from marshmallow import Schema, ValidationError, fields, validate
from marshmallow.utils import missing

from services.registration import payloads
from services.registration.models import Meeting, Registration
from shared.schemas.checked_dump import compile_dump
from shared.schemas.events import _INSTANCES, EVENT_SCHEMAS, dump_payload

_ZONES = st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=7)), dt.timezone(dt.timedelta(hours=-3, minutes=-30))])
_NAIVE = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2040, 1, 1))
# Every kind of value any field may meet: right, wrong, empty, and values the dump would convert.
_ANY_SCALAR = st.one_of(
    st.none(),
    st.text(max_size=8),
    st.sampled_from(["in_person", "online", "confirmed", "waitlisted", "id", "en", "zoom", "email", "sms", "scheduled"]),
    st.integers(min_value=-5, max_value=10**6),
    st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True),
    _NAIVE,
    _NAIVE.flatmap(lambda moment: _ZONES.map(lambda zone: moment.replace(tzinfo=zone))),
    st.dates(),
)


def _fitting(field: fields.Field) -> st.SearchStrategy:
    """A value of the field's own kind, as a producer would give it (often valid, not always)."""
    choices = [v.choices for v in field.validators if isinstance(v, validate.OneOf)]
    if choices:
        return st.sampled_from(list(choices[0]))
    if isinstance(field, fields.AwareDateTime):
        return _NAIVE.flatmap(lambda moment: _ZONES.map(lambda zone: moment.replace(tzinfo=zone)))
    if isinstance(field, fields.Date):
        return st.dates()
    if isinstance(field, fields.Boolean):
        return st.booleans()
    if isinstance(field, fields.Integer):
        return st.integers(min_value=0, max_value=500)
    if isinstance(field, fields.Float):
        return st.floats(min_value=-90, max_value=90)
    return st.text(max_size=12)


def _value_for(field: fields.Field, depth: int) -> st.SearchStrategy:
    if isinstance(field, fields.Nested) and depth < 3:
        fitting = _payload_for(field.schema, depth + 1)
    elif isinstance(field, fields.List) and depth < 3:
        fitting = st.lists(_value_for(field.inner, depth + 1), max_size=3)
    else:
        fitting = _fitting(field)
    # Mostly a fitting value, so that whole payloads pass often enough to compare their dumps.
    anything = st.one_of(st.just(missing), st.none(), _ANY_SCALAR)
    return st.integers(min_value=0, max_value=40).flatmap(lambda roll: anything if roll == 0 else fitting)


def _payload_for(schema: Schema, depth: int = 0) -> st.SearchStrategy:
    """Dicts with each declared field missing or holding some value, plus now and then a stray key."""
    entries = {name: _value_for(field, depth) for name, field in schema.fields.items()}
    return st.fixed_dictionaries(entries, optional={"stray": st.integers()}).map(
        lambda data: {key: value for key, value in data.items() if value is not missing}
    )


def _marshmallow(schema: Schema, data):
    """The reference: dump, then load to validate; the dump on success, None when it refuses."""
    try:
        dumped = schema.dump(data)
        schema.load(dumped)
    except (ValidationError, AttributeError, TypeError, ValueError):
        return None
    return dumped


@pytest.mark.parametrize("event_type", sorted(EVENT_SCHEMAS))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_a_decided_payload_is_exactly_what_marshmallow_dumps_and_accepts(event_type, data):
    schema = _INSTANCES[event_type]
    payload = data.draw(_payload_for(schema))
    fast = compile_dump(schema)(payload)
    reference = _marshmallow(schema, payload)
    if fast is None:
        return  # undecided: dump_payload asks marshmallow, nothing to compare
    assert reference is not None, "accepted a payload marshmallow refuses"
    # Same JSON text, key order included: the outbox stores the body as text.
    assert json.dumps(fast) == json.dumps(reference)


@pytest.mark.parametrize("event_type", sorted(set(EVENT_SCHEMAS) - {"agency.bulk_processed"}))
def test_the_strategy_above_reaches_payloads_it_decides(event_type):
    # Without decided payloads the property test would compare nothing.
    schema = _INSTANCES[event_type]
    checked = compile_dump(schema)
    payload = find(
        _payload_for(schema),
        lambda p: checked(p) is not None,
        settings=settings(max_examples=300, deadline=None, phases=[Phase.generate], database=None),
    )
    assert json.dumps(checked(payload)) == json.dumps(_marshmallow(schema, payload))


def test_values_the_dump_would_convert_or_load_would_refuse_are_left_to_marshmallow():
    class Probe(Schema):
        name = fields.String(required=True)
        at = fields.AwareDateTime(allow_none=True)
        share = fields.Float(validate=validate.Range(min=0, max=1))
        mode = fields.String(validate=validate.OneOf(("in_person", "online")))

    checked = compile_dump(Probe())
    assert checked({"name": "Rina", "at": dt.datetime(2031, 12, 1, 9, tzinfo=dt.UTC), "share": 1}) == {
        "name": "Rina",
        "at": "2031-12-01T09:00:00+00:00",
        "share": 1.0,
    }
    assert checked({"name": 42}) is None  # the dump would turn it into "42"
    assert checked({}) is None  # required
    assert checked({"name": None}) is None  # not nullable
    assert checked({"name": "Rina", "at": dt.datetime(2031, 12, 1, 9)}) is None  # naive
    assert checked({"name": "Rina", "share": math.nan}) is None
    assert checked({"name": "Rina", "share": 2}) is None  # validator
    assert checked({"name": "Rina", "mode": "hybrid"}) is None
    assert checked({"name": "Rina", "at": None}) == {"name": "Rina", "at": None}


def test_a_schema_with_a_field_kind_it_does_not_know_is_always_left_to_marshmallow():
    class Unknown(Schema):
        data = fields.Dict()

    assert compile_dump(Unknown())({"data": {}}) is None
    assert compile_dump(_INSTANCES["agency.bulk_processed"])({}) is None


def test_an_intake_event_built_from_the_tables_takes_the_one_pass_path():
    now = dt.datetime(2031, 11, 20, 3, tzinfo=dt.UTC)
    meeting = Meeting(
        id="0f6ad9c1-7d0b-4c5e-9d39-27e7a1b1c001",
        title="Rapat Koordinasi Pembinaan JF Pranata Humas",
        theme=None,
        starts_at=dt.datetime(2031, 12, 1, 2, tzinfo=dt.UTC),
        ends_at=dt.datetime(2031, 12, 1, 9, tzinfo=dt.UTC),
        timezone="Asia/Jakarta",
        venue_name="Hotel Aviary Bintaro",
        venue_address="Jl. Boulevard Bintaro Jaya Blok B7/A1",
        venue_city="Tangerang Selatan",
        venue_latitude=-6.27,
        venue_longitude=106.72,
        in_person_capacity=300,
        agency_in_person_quota=None,
        online=True,
        health_protocol="Masker dan hasil tes antigen negatif.",
        registration_closes_at=None,
        reminders=[{"before": "P1D", "at": "09:00"}, {"before": "PT1H", "at": None}],
        certificate_hours=None,
        min_online_minutes=None,
        channels="email,sms",
        organizer_name="Kementerian Komunikasi dan Informatika",
        organizer_unit="Biro Humas",
        organizer_signatory_name=None,
        organizer_signatory_title=None,
        sequence=0,
        status="scheduled",
    )
    registration = Registration(
        id="5b1e2c44-1f9f-4a53-8f0b-1d2c3b4a5e6f",
        event_id=meeting.id,
        agency_id="a9d1c7f0-0000-4000-8000-000000000001",
        full_name="Rina Wulandari",
        email="rina.wulandari@jabarprov.go.id",
        phone="+6281234567890",
        nip=None,
        position="Pranata Humas Ahli Muda",
        locale="id",
        attendance_mode="in_person",
        status="confirmed",
        check_in_code="7KQ2M9XA4B",
        waitlist_position=None,
        created_at=now,
        updated_at=now,
    )
    payload = payloads.registration_event(registration, meeting, "Diskominfo Provinsi Jawa Barat")
    fast = compile_dump(_INSTANCES["registration.confirmed"])(payload)
    assert fast is not None
    assert json.dumps(fast) == json.dumps(_marshmallow(_INSTANCES["registration.confirmed"], payload))
    assert dump_payload("registration.confirmed", payload) == fast
    # A wrong payload still fails with marshmallow's own messages.
    with pytest.raises(ValidationError) as refused:
        dump_payload("registration.confirmed", {**payload, "status": "maybe"})
    assert refused.value.messages == {"status": ["Must be one of: confirmed, waitlisted, cancelled."]}
