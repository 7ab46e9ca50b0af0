"""The registration relay SIGKILLed and restarted twice while agencies register: no event lost, each takes effect once."""

from __future__ import annotations

import collections
import threading
import time

import pytest

from tests.reliability.conftest import RegistrationClient, mails_by_recipient, wait_until

pytestmark = pytest.mark.slow

LOAD_SECONDS = 9
KILL_AT = (2.5, 5.5)


def test_relay_killed_twice_under_load_loses_no_event_and_each_is_mailed_once(rig, bus, smtp_server):
    base = rig.api("registration")
    # A killed relay's claimed rows are taken over once its lease runs out.
    relay_env = {"RELAY_LEASE_SECONDS": "2"}
    relay = rig.background("registration", "relay", **relay_env)
    rig.background("notification", "worker", **smtp_server.env())
    wire = bus.tap("registration.confirmed")
    client = RegistrationClient(base)
    client.make_agency()
    meeting = client.make_event()

    accepted: dict[str, str] = {}  # registration id -> email
    failures: list[str] = []
    stop = threading.Event()

    def agency_hr_system() -> None:
        while not stop.is_set():
            response = client.register(meeting["id"])
            if response.status_code == 201:
                accepted[response.json()["id"]] = response.json()["participant"]["email"]
            else:
                failures.append(f"{response.status_code} {response.text[:200]}")

    senders = [threading.Thread(target=agency_hr_system) for _ in range(2)]
    started = time.monotonic()
    for sender in senders:
        sender.start()
    kills = []
    try:
        for at in KILL_AT:
            time.sleep(max(0.0, started + at - time.monotonic()))
            relay.kill()
            kills.append(len(accepted))
            time.sleep(0.5)
            relay = rig.background("registration", "relay", **relay_env)
        time.sleep(max(0.0, started + LOAD_SECONDS - time.monotonic()))
    finally:
        stop.set()
        for sender in senders:
            sender.join()

    assert failures == []
    ids = set(accepted)
    assert len(ids) > 100
    wire.wait_for(len(ids), timeout=60, where=lambda e: e["data"]["registration_id"] in ids)
    wire.drain(2)  # late duplicates, if any, are counted too
    on_wire = collections.Counter(e["data"]["registration_id"] for e in wire.messages)
    assert set(on_wire) == ids
    emails = set(accepted.values())
    wait_until(lambda: emails <= set(mails_by_recipient(smtp_server)), 90, f"a mail to each of {len(emails)} participants")
    time.sleep(1)  # a duplicate effect would show up right behind the first
    mails = mails_by_recipient(smtp_server)
    wire_duplicates = sum(count - 1 for count in on_wire.values())
    mail_duplicates = sum(count - 1 for count in mails.values())
    print(
        f"FAULTS relay SIGKILL x2: {len(ids)} registrations (kills after {kills[0]} and {kills[1]}), "
        f"{sum(on_wire.values())} messages on the wire ({wire_duplicates} raw duplicates), "
        f"{sum(mails.values())} mails ({mail_duplicates} duplicates)"
    )
    assert mail_duplicates == 0
