"""Move dead-lettered messages back to their service's queue once the cause is fixed.

    rakor redrive notification [--limit N] [--list]
    (python -m shared.messaging.redrive notification … is the same command, kept for existing scripts)

Each message is republished with a confirm, then removed from the dead-letter queue, so a crash
in between duplicates a message (absorbed by the consumers' dedup) but never loses one.
"""

from __future__ import annotations

import argparse
import sys

from shared.messaging.connection import node_parameters, open_blocking
from shared.messaging.consumer import ATTEMPT_HEADER, persistent_copy
from shared.messaging.topology import SUBSCRIPTIONS, dead_letter_queue_name, queue_name
from shared.settings import settings_or_exit


def redrive(amqp_url: str, service: str, *, limit: int | None = None, list_only: bool = False, out=sys.stdout) -> int:
    """Re-drive (or with list_only, show) up to `limit` dead letters of `service`; return how many."""
    connection = open_blocking(node_parameters(amqp_url, name=f"{service}-redrive"))
    moved = 0
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        while limit is None or moved < limit:
            method, properties, body = channel.basic_get(dead_letter_queue_name(service), auto_ack=False)
            if method is None:
                break
            headers = dict(properties.headers or {})
            # Dead-lettered by the consumer: x-rakor-*; by the broker (delivery limit: a message that
            # kept killing its consumer): only x-death and x-first-death-*.
            reason = headers.get("x-rakor-reason") or headers.get("x-first-death-reason", "-")
            routing_key = headers.get("x-rakor-routing-key") or _first_death_routing_key(headers)
            error = headers.get("x-rakor-error") or ("its consumer died holding it on every delivery" if reason == "delivery_limit" else "")
            print(f"{properties.message_id or '-'} {routing_key} {reason}: {error}", file=out)
            if list_only:
                moved += 1
                continue
            headers[ATTEMPT_HEADER] = 1
            headers["x-rakor-redriven"] = True
            channel.basic_publish(
                "",
                queue_name(service),
                body,
                persistent_copy(properties, headers),
                mandatory=True,
            )
            channel.basic_ack(method.delivery_tag)
            moved += 1
    finally:
        connection.close()  # unacked messages of a listing go back to the dead-letter queue
    return moved


def _first_death_routing_key(headers: dict) -> str:
    deaths = headers.get("x-death") or [{}]
    keys = deaths[-1].get("routing-keys") or ["-"]
    return keys[0].decode() if isinstance(keys[0], bytes) else str(keys[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("service", choices=sorted(SUBSCRIPTIONS))
    parser.add_argument("--limit", type=int, default=None, help="at most this many messages")
    parser.add_argument("--list", action="store_true", help="only show the dead letters, move nothing")
    args = parser.parse_args(argv)
    settings = settings_or_exit(args.service, require_admin_token=False)
    count = redrive(settings.rabbitmq_url, args.service, limit=args.limit, list_only=args.list)
    print(f"{'listed' if args.list else 're-driven'}: {count}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
