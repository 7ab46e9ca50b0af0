"""The SMTP server unreachable for 30 s: mails wait in the retry tiers and all go out once it is back, none dead."""

from __future__ import annotations

import collections
import time

import pytest
from sqlalchemy import create_engine, text

from shared.messaging.outbox import build_envelope
from shared.messaging.topology import dead_letter_queue_name
from shared.schemas.events import load_payload
from tests.factories.notification import make_link_issued, make_participant, make_registration
from tests.reliability.conftest import mails_by_recipient, wait_until

pytestmark = pytest.mark.slow

OUTAGE_SECONDS = 30
MAILS = 20
# Attempts at 0, 1, 3, 7, 15, 23, 31, 39, 47, 55 s: the outage is covered with room to spare, and a
# mail waits at most 8 s after the server is back.
RETRY_DELAYS = (1, 2, 4, 8, 8, 8, 8, 8, 8)


def notification_statuses(database_url: str) -> collections.Counter:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return collections.Counter(
                dict(conn.execute(text("SELECT channel || ':' || status, count(*) FROM notifications GROUP BY 1")).all())
            )
    finally:
        engine.dispose()


def test_mails_due_while_smtp_is_down_for_30_s_are_retried_and_delivered_once_it_returns(rig, bus, tcp_proxy, smtp_server, sms_gateway):
    bus.declare_topology(RETRY_DELAYS)
    proxy = tcp_proxy(smtp_server.host, smtp_server.port)
    worker_env = {**smtp_server.env(), **sms_gateway.env(), "SMTP_PORT": str(proxy.port), "RETRY_DELAYS": ",".join(map(str, RETRY_DELAYS))}
    rig.background("notification", "worker", **worker_env)
    database_url = rig.service_env("notification")["DATABASE_URL"]
    proxy.cut()
    cut_at = time.monotonic()
    emails = []
    for n in range(MAILS):
        participant = make_participant(email=f"narasumber{n:02d}@humas.jatimprov.go.id")
        link = make_link_issued(make_registration(attendance_mode="online", participant=participant))
        bus.publish_raw("stream.link_issued", build_envelope("streaming", "stream.link_issued", load_payload("stream.link_issued", link)))
        emails.append(participant["email"])

    # SMS do not depend on the mail server: they go out during the outage.
    sms_gateway.wait_for(MAILS, timeout=30)
    assert smtp_server.messages == []
    wait_until(lambda: notification_statuses(database_url)["email:retrying"] == MAILS, 20, "every mail waiting for a retry")
    time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - cut_at)))
    assert smtp_server.messages == []
    proxy.restore()
    restored_at = time.monotonic()

    wait_until(lambda: set(emails) <= set(mails_by_recipient(smtp_server)), 30, f"a mail to each of {MAILS} participants")
    delivered_after = time.monotonic() - restored_at
    wait_until(lambda: notification_statuses(database_url)["email:sent"] == MAILS, 10, "every mail recorded sent")
    statuses = notification_statuses(database_url)
    mails = mails_by_recipient(smtp_server)
    duplicates = sum(count - 1 for count in mails.values())
    print(
        f"FAULTS smtp down {OUTAGE_SECONDS} s: {MAILS} mails + {MAILS} SMS, all mails {delivered_after:.1f} s after the server returned, "
        f"{sum(mails.values())} mails ({duplicates} duplicates), statuses {dict(statuses)}"
    )
    assert duplicates == 0
    assert statuses == {"email:sent": MAILS, "sms:sent": MAILS}
    assert bus.queue_depth(dead_letter_queue_name("notification")) == 0
