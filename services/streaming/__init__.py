"""Streaming service: Zoom and YouTube channels per meeting, personal join links, online joins."""

from pathlib import Path

# Found by every process of the service (API, relay, consumer, `rakor migrate`) without importing the API.
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
