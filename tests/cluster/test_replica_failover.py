"""Two of every process against a three-node RabbitMQ cluster and PostgreSQL, under registration load, through node and process kills.

Two gunicorn instances of each API (registration, notification, streaming) on their own ports, two
outbox relays of each producer and two consumers of each service, all given the cluster as a node
list in RABBITMQ_URL. While two agency threads register in-person participants (more than there
are seats) through both registration APIs in turn:

1. the node leading the quorum queue `rakor.notification` is killed with SIGKILL,
2. brought back on its own data,
3. one registration relay and one notification worker are killed with SIGKILL.

Then: every accepted registration is in the database and its event on the wire (no registration or
event lost), no more seats confirmed than the meeting has, every participant mailed; raw duplicates
on the wire and in the mailbox are counted and printed, with the publish pause (the longest time no
outbox row was confirmed by the broker while registrations kept coming) and the longest time no
mail went out.
"""

from __future__ import annotations

import collections
import json
import threading
import time
import uuid

import pytest
from sqlalchemy import create_engine, text

from shared.messaging.connection import node_parameters, open_blocking
from shared.messaging.topology import EXCHANGE, declare_topology, queue_name
from tests.fixtures.cluster import vhost_of
from tests.fixtures.processes import free_port, gunicorn_argv
from tests.reliability.conftest import ADMIN_TOKEN, RegistrationClient, mails_by_recipient, wait_until

pytestmark = [pytest.mark.cluster, pytest.mark.slow, pytest.mark.postgres, pytest.mark.timeout(900)]

SERVICES = ("registration", "notification", "streaming")
WORKERS = {"registration": ("relay", "worker"), "notification": ("worker",), "streaming": ("relay", "worker")}
SEATS = 60
# A killed notification worker's messages stay leased for 60 s (the lease keeps two deliveries of
# one event from mailing at once); their redeliveries must keep retrying past it.
RETRY_DELAYS = (2, 5, 10, 10, 10, 10, 10, 10)
# Each agency thread registers at most this many participants a second: enough load to have
# registrations in flight at every fault, few enough that the mails are sent within minutes.
PACE = 15
# Load before the first fault, between the faults, and after the last.
WARM_UP, BETWEEN, COOL_DOWN = 3.0, 3.0, 4.0


class ClusterTap:
    """A quorum queue bound to every routing key of rakor.events: it survives any one node's death."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.queue = f"rakor.test.tap.{uuid.uuid4().hex[:8]}"
        connection = open_blocking(node_parameters(url))
        channel = connection.channel()
        channel.queue_declare(self.queue, durable=True, arguments={"x-queue-type": "quorum"})
        channel.queue_bind(self.queue, EXCHANGE, routing_key="#")
        connection.close()

    def read_all(self) -> list[dict]:
        connection = open_blocking(node_parameters(self.url))
        try:
            channel = connection.channel()
            envelopes = []
            while True:
                method, _properties, body = channel.basic_get(self.queue, auto_ack=True)
                if method is None:
                    return envelopes
                envelopes.append(json.loads(body))
        finally:
            connection.close()


class Sampler(threading.Thread):
    """Samples a counter every 50 ms; `longest_stall()` is the longest time it did not grow while work was due."""

    def __init__(self, count) -> None:
        super().__init__(daemon=True)
        self.count, self.samples, self.stopping = count, [], threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            self.samples.append((time.monotonic(), self.count()))
            self.stopping.wait(0.05)

    def longest_stall(self, until_count: int) -> float:
        longest, last_change, last_value = 0.0, None, None
        for at, value in self.samples:
            if value >= until_count:
                break
            if value != last_value:
                if last_change is not None:
                    longest = max(longest, at - last_change)
                last_change, last_value = at, value
        return longest


def test_two_of_everything_survive_the_queue_leader_node_killed_and_a_relay_and_worker_killed(
    rabbitmq_cluster, pg_url_factory, start_process, tmp_path, smtp_server
):
    cluster = rabbitmq_cluster
    url = cluster.new_vhost_url()
    vhost = vhost_of(url)
    connection = open_blocking(node_parameters(url))
    declare_topology(connection.channel(), RETRY_DELAYS)
    connection.close()
    tap = ClusterTap(url)
    databases = {service: pg_url_factory() for service in SERVICES}
    base_env = {
        "RAKOR_ADMIN_TOKEN": ADMIN_TOKEN,
        "RABBITMQ_URL": url,
        "LOG_LEVEL": "WARNING",
        "AGENCY_RATE_LIMIT": "1000000",
        "PUBLIC_BASE_URL": "https://rakor.example.go.id",
        "SMTP_FROM": "Panitia Rakor <rakor@kominfo.go.id>",
        "RETRY_DELAYS": ",".join(map(str, RETRY_DELAYS)),
        "RELAY_LEASE_SECONDS": "2",
    }

    def env(service: str, replica: int, **extra: str) -> dict[str, str]:
        directory = tmp_path / f"{service}-{replica}"
        directory.mkdir(exist_ok=True)
        own = smtp_server.env() if service == "notification" else {}
        return {**base_env, **own, "DATA_DIR": str(directory), f"{service.upper()}_DATABASE_URL": databases[service], **extra}

    # Everything starts at once (migrations take a database lock, so two replicas never race).
    apis: dict[str, list[str]] = collections.defaultdict(list)
    processes = {}
    for replica in (1, 2):
        for service in SERVICES:
            port = free_port()
            processes[f"{service}-api-{replica}"] = start_process(
                gunicorn_argv(f"services.{service}.app:create_app()", port, workers=1),
                env=env(service, replica, **{f"{service.upper()}_PORT": str(port)}),
            )
            apis[service].append(f"http://127.0.0.1:{port}")
            for role in WORKERS[service]:
                processes[f"{service}-{role}-{replica}"] = start_process(
                    ["python", "-m", f"services.{service}.{role}"], env=env(service, replica)
                )
    for service in SERVICES:
        for replica, base in enumerate(apis[service], 1):
            processes[f"{service}-api-{replica}"].wait_healthy(f"{base}/healthz", timeout=120)

    clients = [RegistrationClient(base) for base in apis["registration"]]
    clients[0].make_agency()
    clients[1].agency_headers = clients[0].agency_headers
    meeting = clients[0].make_event(in_person_capacity=SEATS)

    accepted: dict[str, str] = {}  # registration id -> email
    failures: list[str] = []
    stop = threading.Event()

    def agency_hr_system(first: int) -> None:
        n = first
        while not stop.wait(1 / PACE):
            client = clients[n % 2]  # both API instances, in turn
            n += 1
            try:
                response = client.register(meeting["id"], attendance_mode="in_person")
            except Exception as exc:  # noqa: BLE001 - a timeout is a failure to report, not a crash of the load
                failures.append(f"{client.base_url}: {type(exc).__name__}")
                continue
            if response.status_code == 201:
                accepted[response.json()["id"]] = response.json()["participant"]["email"]
            else:
                failures.append(f"{client.base_url}: {response.status_code} {response.text[:200]}")

    mails = Sampler(lambda: len(smtp_server.messages))
    mails.start()
    senders = [threading.Thread(target=agency_hr_system, args=(i,)) for i in range(2)]
    for sender in senders:
        sender.start()
    timeline = {}
    try:
        time.sleep(WARM_UP)  # load before the fault
        leader = cluster.leader_of(queue_name("notification"), vhost)
        timeline["node killed"] = (time.monotonic(), len(accepted))
        cluster.kill(leader)
        new_leader = wait_until(lambda: _other_leader(cluster, vhost, leader), 60, "a new leader of rakor.notification")
        timeline["new leader"] = (time.monotonic(), len(accepted))
        time.sleep(BETWEEN)
        timeline["node started"] = (time.monotonic(), len(accepted))
        cluster.start(leader)
        timeline["node back"] = (time.monotonic(), len(accepted))
        time.sleep(BETWEEN)
        processes["registration-relay-1"].kill()
        processes["notification-worker-1"].kill()
        timeline["relay and worker killed"] = (time.monotonic(), len(accepted))
        time.sleep(COOL_DOWN)
    finally:
        stop.set()
        for sender in senders:
            sender.join()

    assert failures == []
    ids = set(accepted)
    emails = set(accepted.values())
    assert len(ids) > SEATS  # more participants than seats: some are waitlisted

    # Every participant mailed (confirmed or waitlisted), through the surviving relay and worker.
    wait_until(lambda: emails <= set(mails_by_recipient(smtp_server)), 180, f"a mail to each of {len(emails)} participants", every=1)
    time.sleep(2)  # a duplicate effect would show up right behind the first
    mails.stopping.set()
    mailed = mails_by_recipient(smtp_server)
    assert set(mailed) == emails

    # No registration lost, no seat oversold.
    engine = create_engine(databases["registration"])
    try:
        with engine.connect() as conn:
            rows = dict(conn.execute(text("SELECT id, status FROM registrations WHERE event_id = :e"), {"e": meeting["id"]}).all())
            outbox = conn.execute(text("SELECT created_at, sent_at FROM outbox ORDER BY sent_at")).all()
    finally:
        engine.dispose()
    assert set(rows) == ids
    statuses = collections.Counter(rows.values())
    assert statuses["confirmed"] == SEATS and statuses["waitlisted"] == len(ids) - SEATS, statuses
    assert all(sent is not None for _created, sent in outbox)

    # No event lost: each registration's event is on the wire; raw duplicates counted.
    on_wire = collections.Counter(
        e["data"]["registration_id"] for e in tap.read_all() if e["type"] in ("registration.confirmed", "registration.waitlisted")
    )
    assert set(on_wire) == ids
    wire_duplicates = sum(count - 1 for count in on_wire.values())
    mail_duplicates = sum(count - 1 for count in mailed.values())

    sent = [row.sent_at for row in outbox]
    publish_pause = max((b - a).total_seconds() for a, b in zip(sent, sent[1:], strict=False))
    slowest = max((s - c).total_seconds() for c, s in outbox)
    mail_stall = mails.longest_stall(len(ids))
    # Relays and consumers whose connection was on the killed node say so in their log, then reconnect.
    bus_processes = {name: handle for name, handle in processes.items() if "-api-" not in name}
    cut = sorted(
        name for name, handle in bus_processes.items() if "connection lost" in handle.output() or "connection closed" in handle.output()
    )
    killed_at = timeline["node killed"][0]
    print(
        f"CLUSTER failover: {len(ids)} registrations ({statuses['confirmed']} confirmed = {SEATS} seats, {statuses['waitlisted']} waitlisted), "
        f"0 lost, 0 failed requests; leader {leader.name} of rakor.notification SIGKILLed, new leader {new_leader.name} seen after "
        f"{timeline['new leader'][0] - killed_at:.1f} s, node restarted in {timeline['node back'][0] - timeline['node started'][0]:.1f} s; "
        f"{len(cut)} of {len(bus_processes)} relays and consumers lost their connection with the node and reconnected ({', '.join(cut)}); "
        f"then a registration relay and a notification worker SIGKILLed. "
        f"Publish pause (longest time with no outbox row confirmed): {publish_pause:.2f} s; slowest row outbox->confirmed {slowest:.2f} s; "
        f"longest time with no mail sent while mails were due: {mail_stall:.2f} s. "
        f"On the wire {sum(on_wire.values())} registration events ({wire_duplicates} raw duplicates); "
        f"{sum(mailed.values())} mails to {len(mailed)} participants ({mail_duplicates} duplicates)"
    )
    assert all(node.running for node in cluster.nodes)
    # Exactly once in effect: notification absorbs the wire's duplicates; a mail is sent twice only
    # when a worker dies between the SMTP answer and its commit (at most its prefetch window).
    assert mail_duplicates <= 32


def _other_leader(cluster, vhost, old):
    try:
        leader = cluster.leader_of(queue_name("notification"), vhost)
    except Exception:  # noqa: BLE001 - the queue is unavailable while its members elect a leader
        return None
    return leader if leader is not old else None
