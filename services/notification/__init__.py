"""Notification service: tells participants, by email and SMS, what happened to their registration and meeting."""

from pathlib import Path

# Found by every process of the service (API, relay, consumer, `rakor migrate`) without importing the API.
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
