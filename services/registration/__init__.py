"""Registration service: meetings, agencies, registrations, in-person seats, waitlist, check-in and attendance."""

from pathlib import Path

# Found by every process of the service (API, relay, consumer, `rakor migrate`) without importing the API.
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
