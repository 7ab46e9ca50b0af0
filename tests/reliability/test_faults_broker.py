"""The broker goes away for 20 s while agencies keep registering: the API never waits on it, nothing is lost."""

from __future__ import annotations

import time

import pytest
import requests

from tests.reliability.conftest import RegistrationClient, mails_by_recipient, sms_by_recipient, wait_until

pytestmark = pytest.mark.slow

OUTAGE_SECONDS = 20
REQUEST_TIMEOUT = 5.0


def test_registrations_accepted_while_the_broker_is_unreachable_are_delivered_and_mailed_after_it_returns(
    rig, bus, tcp_proxy, smtp_server, sms_gateway, amqp_url
):
    proxy = tcp_proxy("127.0.0.1", 5672)
    rig.env["RABBITMQ_URL"] = proxy.url_for(amqp_url)
    base = rig.api("registration")
    rig.background("registration", "relay")
    rig.background("notification", "worker", **smtp_server.env(), **sms_gateway.env())
    confirmed = bus.tap("registration.confirmed")
    client = RegistrationClient(base, timeout=REQUEST_TIMEOUT)
    client.make_agency()
    meeting = client.make_event()

    accepted: dict[str, dict] = {}  # registration id -> the participant sent
    refused: list[int] = []
    slowest = 0.0
    readiness_during_outage: list[int] = []
    broker_during_outage: list[str] = []

    def register_one() -> None:
        nonlocal slowest
        started = time.monotonic()
        response = client.register(meeting["id"])  # a requests Timeout here fails the test: nothing may hang
        slowest = max(slowest, time.monotonic() - started)
        if 200 <= response.status_code < 300:
            accepted[response.json()["id"]] = response.json()["participant"]
        else:
            refused.append(response.status_code)

    for _ in range(5):
        register_one()
    proxy.cut()
    outage_ends = time.monotonic() + OUTAGE_SECONDS
    next_probe = time.monotonic() + 6
    while time.monotonic() < outage_ends:
        register_one()
        # Once a second after the first 6 s: the broker check runs in the background every few seconds.
        if time.monotonic() > next_probe:
            next_probe += 1
            readiness_during_outage.append(requests.get(f"{base}/readyz", timeout=REQUEST_TIMEOUT).status_code)
            broker_during_outage.append(requests.get(f"{base}/healthz", timeout=REQUEST_TIMEOUT).json()["details"]["broker"])
        time.sleep(0.1)
    proxy.restore()
    for _ in range(5):
        register_one()

    assert refused == [], f"the API refused registrations during the outage: {refused}"
    assert slowest < REQUEST_TIMEOUT
    # The API stays in its load balancer (it takes registrations into its outbox); /healthz tells why it is degraded.
    assert readiness_during_outage and set(readiness_during_outage) == {200}, readiness_during_outage
    assert any(state.startswith("down") for state in broker_during_outage), broker_during_outage
    ids = set(accepted)
    events = confirmed.wait_for(len(ids), timeout=90, where=lambda e: e["data"]["registration_id"] in ids)
    assert {e["data"]["registration_id"] for e in events} == ids
    emails = {p["email"] for p in accepted.values()}
    wait_until(lambda: emails <= set(mails_by_recipient(smtp_server)), 90, f"a mail to each of {len(emails)} participants")
    phones = {p["phone"] for p in accepted.values()}
    wait_until(lambda: phones <= set(sms_by_recipient(sms_gateway)), 30, "an SMS to each participant")
    mails = mails_by_recipient(smtp_server)
    duplicates = sum(count - 1 for count in mails.values())
    print(
        f"FAULTS broker outage {OUTAGE_SECONDS} s: {len(ids)} accepted, {len(events)} events on the wire, "
        f"{sum(mails.values())} mails ({duplicates} duplicates), {len(sms_gateway.messages)} SMS, slowest request {slowest:.2f} s, "
        f"/readyz during the outage {readiness_during_outage}"
    )
    assert duplicates == 0
