"""Least privilege on the bus: the RabbitMQ user of each service and what it may configure, write, read and publish.

Derived from the layout in topology.py, so a new subscription or event type needs no second list:
- configure: nothing (the operator's setup step declares the layout; services only check it);
- write: `rakor.events` (producers only) and the service's own requeue exchange (consumers: retries
  and dead letters), never the default exchange, which would reach every queue;
- read: the service's own queues;
- topic write on `rakor.events`: only the routing keys of the events the service produces, so a
  stolen streaming password cannot forge `registration.confirmed`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared.messaging.topology import EXCHANGE, PUBLISHES, SUBSCRIPTIONS, requeue_exchange_name

NOTHING = "^$"


@dataclass(frozen=True)
class BusPermissions:
    """One user's permissions in a vhost, as rabbitmqctl and the management API take them (regular expressions)."""

    user: str
    configure: str
    write: str
    read: str
    topic_exchange: str
    topic_write: str
    topic_read: str = NOTHING


def bus_user(service: str, prefix: str = "rakor-") -> str:
    return f"{prefix}{service}"


def _anchored(*names: str) -> str:
    return "|".join(f"^{re.escape(name)}$" for name in names) or NOTHING


def _routing_keys(patterns: tuple[str, ...]) -> str:
    # Topic-style "event.*" becomes the regular expression ^event\.[^.]+$ (one word after the dot).
    return "|".join("^" + re.escape(p).replace(r"\*", r"[^.]+") + "$" for p in patterns) or NOTHING


def bus_permissions(service: str, prefix: str = "rakor-") -> BusPermissions:
    """What the user of `service` may do; a service that neither publishes nor consumes may do nothing."""
    writes = []
    if PUBLISHES[service]:
        writes.append(EXCHANGE)
    if SUBSCRIPTIONS.get(service):
        writes.append(requeue_exchange_name(service))
    own_queues = f"^rakor\\.{re.escape(service)}(\\..+)?$" if SUBSCRIPTIONS.get(service) else NOTHING
    return BusPermissions(
        user=bus_user(service, prefix),
        configure=NOTHING,
        write=_anchored(*writes),
        read=own_queues,
        topic_exchange=EXCHANGE,
        topic_write=_routing_keys(PUBLISHES[service]),
    )
