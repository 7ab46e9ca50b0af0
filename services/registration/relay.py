"""`python -m services.registration.relay`: migrate, then publish the outbox to the bus until SIGTERM."""

from __future__ import annotations

from services.registration import MIGRATIONS
from shared.messaging.relay import run_relay
from shared.startup import start_worker


def main() -> None:
    """Run the registration outbox relay."""
    run_relay("registration", *start_worker("registration", MIGRATIONS))


if __name__ == "__main__":
    main()
