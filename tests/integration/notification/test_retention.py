"""Notification purges contacts and rendered contexts RETENTION_DAYS after the meeting's end."""

from __future__ import annotations

import datetime as dt
import json

from services.notification.retention import PURGED, purge_expired
from tests.factories.notification import make_link_issued, make_meeting, make_registration

ENDS_AT = dt.datetime.fromisoformat(make_meeting()["ends_at"])


def test_contacts_and_rendered_contexts_go_after_the_retention_and_the_delivery_record_stays(harness, smtp_server):
    registration = make_registration()
    harness.deliver("registration.confirmed", registration)
    harness.deliver("stream.link_issued", make_link_issued(registration))
    before = harness.notifications()
    assert before and harness.contact(registration["registration_id"]).join_url
    assert any("rina.wulandari" in n.recipient for n in before)

    counts = purge_expired(harness.session_factory, 90, now=ENDS_AT + dt.timedelta(days=89))
    assert (counts["contacts"], counts["notifications"]) == (0, 0) and harness.contact(registration["registration_id"]) is not None

    counts = purge_expired(harness.session_factory, 90, now=ENDS_AT + dt.timedelta(days=91))
    assert (counts["contacts"], counts["notifications"], counts["digest_items"]) == (1, len(before), 1)
    assert harness.contact(registration["registration_id"]) is None
    after = harness.notifications()
    assert [(n.id, n.kind, n.channel, n.status) for n in after] == [(n.id, n.kind, n.channel, n.status) for n in before]
    assert all(n.recipient == PURGED and json.loads(n.context) == {} for n in after)
    again = purge_expired(harness.session_factory, 90, now=ENDS_AT + dt.timedelta(days=91))
    assert (again["contacts"], again["notifications"], again["digest_items"]) == (0, 0, 0)
