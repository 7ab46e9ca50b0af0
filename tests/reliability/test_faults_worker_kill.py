"""The notification worker SIGKILLed in the middle of 2,000 mails and started again: everyone gets their mail.

The mails are fed as 2,000 `stream.link_issued` events published straight into the vhost, one mail
each (no phone number, so no SMS): the fault under test is the consumer's crash between sending and
committing, and feeding the queue directly puts all 2,000 in it at once, so the kill lands with a
full prefetch window in hand. The producer side (API, outbox, relay) has its own fault tests.
"""

from __future__ import annotations

import time

import pytest

from shared.messaging.outbox import build_envelope
from shared.messaging.topology import dead_letter_queue_name
from shared.schemas.events import load_payload
from tests.factories.notification import make_link_issued, make_participant, make_registration
from tests.reliability.conftest import mails_by_recipient, wait_until

pytestmark = pytest.mark.slow

MAILS = 2000
PREFETCH = 32
# A crash leaves the mails in hand claimed under a 60 s lease (the channel's minimum); their
# redeliveries must keep retrying past it, so the delays add up to more than the lease.
RETRY_DELAYS = (5, 10, 10, 10, 10, 10, 10, 10)


def test_worker_killed_mid_fan_out_and_restarted_mails_everyone_with_at_most_a_prefetch_of_duplicates(rig, bus, smtp_server):
    bus.declare_topology(RETRY_DELAYS)
    env = {**smtp_server.env(), "RETRY_DELAYS": ",".join(map(str, RETRY_DELAYS)), "CONSUMER_PREFETCH": str(PREFETCH)}
    emails = []
    for n in range(MAILS):
        participant = make_participant(phone=None, email=f"peserta{n:04d}.daring@humas.go.id", full_name=f"Peserta Daring {n}")
        link = make_link_issued(make_registration(attendance_mode="online", participant=participant))
        bus.publish_raw("stream.link_issued", build_envelope("streaming", "stream.link_issued", load_payload("stream.link_issued", link)))
        emails.append(participant["email"])

    worker = rig.background("notification", "worker", **env)
    wait_until(lambda: len(smtp_server.messages) >= 300, 120, "the first 300 mails")
    worker.kill()
    sent_before_kill = len(smtp_server.messages)
    started = time.monotonic()
    rig.background("notification", "worker", **env)

    wait_until(lambda: set(emails) <= set(mails_by_recipient(smtp_server)), 240, f"a mail to each of {MAILS} participants", every=1)
    mails = mails_by_recipient(smtp_server)
    duplicates = sum(count - 1 for count in mails.values())
    print(
        f"FAULTS worker SIGKILL: {MAILS} mails due, killed after {sent_before_kill}, all {len(mails)} recipients mailed "
        f"{time.monotonic() - started:.0f} s after the restart, {sum(mails.values())} mails, {duplicates} duplicates"
    )
    assert set(mails) == set(emails)
    assert duplicates <= PREFETCH
    assert bus.queue_depth(dead_letter_queue_name("notification")) == 0
