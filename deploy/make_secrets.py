"""`make secrets`: write a .env for docker compose with a fresh random value for every credential; never overwrite one.

Every password, token and key of the stack comes from this file and nowhere else (docker-compose.yml
names them only as ${VARIABLE:?…}). Values are URL-safe, so they can stand inside connection URLs.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Every secret the stack reads, with what it protects.
SECRETS = {
    "RAKOR_ADMIN_TOKEN": "the organizer's bearer token",
    "RABBITMQ_ADMIN_PASSWORD": "RabbitMQ administrator (management UI, bus-setup); no service uses it",
    "RABBITMQ_REGISTRATION_PASSWORD": "RabbitMQ user rakor-registration",
    "RABBITMQ_NOTIFICATION_PASSWORD": "RabbitMQ user rakor-notification",
    "RABBITMQ_STREAMING_PASSWORD": "RabbitMQ user rakor-streaming",
    "POSTGRES_PASSWORD": "PostgreSQL superuser (runs the init script only)",
    "POSTGRES_REGISTRATION_PASSWORD": "PostgreSQL role registration",
    "POSTGRES_NOTIFICATION_PASSWORD": "PostgreSQL role notification",
    "POSTGRES_STREAMING_PASSWORD": "PostgreSQL role streaming",
    "REDIS_PASSWORD": "Redis holding the shared rate-limit budgets",
    "SMS_WEBHOOK_SECRET": "HMAC key of SMS delivery receipts (X-Rakor-Signature)",
    "WHATSAPP_APP_SECRET": "WhatsApp Cloud API app secret (X-Hub-Signature-256)",
    "CONSOLE_SECRET_KEY": "the web console's session signing key",
}

SETTINGS = """
# Production refuses to send mail without a real relay (over STARTTLS or SMTPS) and SMS without a gateway.
RAKOR_ENV=production
# SMTP_HOST=smtp.example.go.id
# SMTP_PORT=587
# SMTP_TLS=starttls
# SMTP_USERNAME=
# SMTP_PASSWORD=
# SMTP_FROM=Rakor <no-reply@example.go.id>
# SMS_GATEWAY_URL=https://sms-gateway.example.go.id/send
# SMS_API_KEY=
# Address participants open their personal join links at, as they reach the streaming API.
# PUBLIC_BASE_URL=https://rakor.example.go.id
# Behind one TLS proxy that sets X-Forwarded-For:
# TRUSTED_PROXIES=1

# For a stack on one machine with Mailpit instead (docker compose --profile dev up):
# RAKOR_ENV=dev
# SMTP_HOST=mailpit
# SMTP_PORT=1025
# SMTP_TLS=none
"""


def render() -> str:
    lines = ["# Written by `make secrets`. Keep this file private (chmod 600) and never commit it.", ""]
    for name, purpose in SECRETS.items():
        lines.append(f"# {purpose}")
        lines.append(f"{name}={secrets.token_urlsafe(32)}")
    return "\n".join(lines) + "\n" + SETTINGS


def write_env(path: Path) -> None:
    """Create `path` readable by its owner only; FileExistsError when it is already there."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as env_file:
        env_file.write(render())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", type=Path, default=ROOT / ".env")
    args = parser.parse_args(argv)
    try:
        write_env(args.path)
    except FileExistsError:
        print(f"make secrets: {args.path} exists already; not overwriting it (move it away first to start over)", file=sys.stderr)
        return 1
    print(f"make secrets: wrote {args.path} with {len(SECRETS)} random secrets; add SMTP_HOST and an SMS gateway for production")
    return 0


if __name__ == "__main__":
    sys.exit(main())
