"""`python -m services.streaming.relay`: publish the outbox (link issued/revoked, joins) to the bus."""

from __future__ import annotations

from services.streaming import MIGRATIONS
from shared.startup import start_worker


def main() -> None:
    """Migrate, then relay outbox rows with publisher confirms until SIGTERM."""
    from shared.messaging.relay import run_relay

    run_relay("streaming", *start_worker("streaming", MIGRATIONS))


if __name__ == "__main__":
    main()
