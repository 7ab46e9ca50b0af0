"""`rakor`: the operator's command line for every service (settings check, migrations, agencies, dead letters, purges).

    rakor check-config                 every service's settings from the environment, one line per problem
    rakor migrate [--service NAME]     each service's Alembic upgrade to head (with MIGRATE_ON_START=0 in the processes)
    rakor agencies create --name … --kind … --contact-email …
    rakor agencies rotate-key AGENCY_ID [--grace-seconds N]   a new key; the old ones stop after N s (0: at once)
    rakor agencies revoke AGENCY_ID                           every key of the agency stops at once
    rakor redrive SERVICE [--limit N] [--list]
    rakor purge [--service NAME]       records past their retention, now (the workers also purge every 10 minutes)

It reads the same environment as the processes (DATABASE_URL or <SERVICE>_DATABASE_URL, RABBITMQ_URL …).
It lives above the three services because it is the one place that drives all of them.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

import click
from marshmallow import ValidationError

from shared import db
from shared.logs import configure_logging
from shared.settings import SERVICES, Settings, SettingsError, load_settings, settings_problems

# Where each service keeps its migrations and its purge, imported only when a command needs them.
_PURGES = {
    "registration": "services.registration.operations.retention",
    "notification": "services.notification.retention",
    "streaming": "services.streaming.retention",
}


def _settings(service: str) -> Settings:
    try:
        return load_settings(service, require_admin_token=False)
    except SettingsError as exc:
        raise click.ClickException(f"{service}: {exc}") from None


def _migrations_of(service: str) -> Path:
    return importlib.import_module(f"services.{service}").MIGRATIONS


def _purge_of(service: str) -> Callable[..., dict[str, int]]:
    return importlib.import_module(_PURGES[service]).purge_expired


def _chosen(service: str | None) -> tuple[str, ...]:
    return (service,) if service else SERVICES


service_option = click.option("--service", type=click.Choice(SERVICES), default=None, help="Only this service (default: all three).")


@click.group(help=__doc__.split("\n\n")[0])
def main() -> None:
    # Warnings and errors only, masked like every process's log; the commands print their own results.
    configure_logging("rakor", "WARNING")


@main.command("check-config")
@service_option
def check_config(service: str | None) -> None:
    """Validate each service's settings from the environment; exit 1 when any is wrong."""
    problems = [f"{name}: {problem}" for name in _chosen(service) for problem in settings_problems(name, os.environ)]
    for line in problems:
        click.echo(line, err=True)
    if problems:
        raise SystemExit(1)
    for name in _chosen(service):
        click.echo(f"{name}: ok")


@main.command()
@service_option
def migrate(service: str | None) -> None:
    """Bring each service's database to the head revision."""
    for name in _chosen(service):
        settings = _settings(name)
        engine = db.make_service_engine(settings)
        try:
            db.migrate(engine, _migrations_of(name))
        finally:
            engine.dispose()
        click.echo(f"{name}: migrated ({engine.url.render_as_string(hide_password=True)})")


@main.group()
def agencies() -> None:
    """Agencies of the registration service and their API keys."""


@agencies.command("create")
@click.option("--name", required=True, help="e.g. Dinas Kominfo Provinsi Jawa Barat")
@click.option("--kind", required=True, help="ministry, agency, province, regency, city or other")
@click.option("--contact-email", required=True)
def create_agency(name: str, kind: str, contact_email: str) -> None:
    """Create an agency; its API key is printed once and stored only as a hash."""
    from services.registration import operations
    from services.registration.schemas import AgencyCreateSchema

    try:
        data = AgencyCreateSchema().load({"name": name, "kind": kind, "contact_email": contact_email})
    except ValidationError as exc:
        for field, messages in exc.normalized_messages().items():
            click.echo(f"{field}: {' '.join(messages) if isinstance(messages, list) else messages}", err=True)
        raise SystemExit(1) from None
    agency, api_key = _with_registration(lambda sessions: operations.create_agency(sessions, data))
    click.echo(json.dumps({"id": agency.id, "name": agency.name, "kind": agency.kind, "api_key": api_key}))


@agencies.command("rotate-key")
@click.argument("agency_id")
@click.option(
    "--grace-seconds", type=click.IntRange(0, 30 * 24 * 3600), default=0, show_default=True, help="How long the old keys keep working."
)
def rotate_key(agency_id: str, grace_seconds: int) -> None:
    """Give the agency a new API key (printed once); its old keys stop after the grace period."""
    from services.registration import operations

    api_key = _with_registration(lambda sessions: operations.rotate_agency_key(sessions, agency_id, grace_seconds))
    click.echo(json.dumps({"id": agency_id, "api_key": api_key, "old_keys_stop_in_seconds": grace_seconds}))


@agencies.command("revoke")
@click.argument("agency_id")
def revoke_keys(agency_id: str) -> None:
    """Stop every API key of the agency at once (the agency stays; rotate-key gives it a new one)."""
    from services.registration import operations

    revoked = _with_registration(lambda sessions: operations.revoke_agency_keys(sessions, agency_id))
    click.echo(json.dumps({"id": agency_id, "revoked_keys": revoked}))


def _with_registration(work):
    """Run `work(session_factory)` on the registration database; a domain refusal (unknown agency) is one line, exit 1."""
    from services.registration.domain.errors import DomainError

    settings = _settings("registration")
    engine = db.make_service_engine(settings)
    try:
        db.migrate_at_start(engine, _migrations_of("registration"), settings)
        return work(db.make_session_factory(engine))
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    finally:
        engine.dispose()


@main.command()
@click.argument("service", type=click.Choice(SERVICES))
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most this many messages.")
@click.option("--list", "list_only", is_flag=True, help="Only show the dead letters; move nothing.")
def redrive(service: str, limit: int | None, list_only: bool) -> None:
    """Move a service's dead-lettered messages back to its queue once the cause is fixed."""
    from shared.messaging.redrive import redrive as move

    count = move(_settings(service).rabbitmq_url, service, limit=limit, list_only=list_only)
    click.echo(f"{'listed' if list_only else 're-driven'}: {count}")


@main.command()
@service_option
def purge(service: str | None) -> None:
    """Delete what is past its retention now: idempotent replies, processed marks, sent outbox rows, old personal data."""
    for name in _chosen(service):
        settings = _settings(name)
        engine = db.make_service_engine(settings)
        try:
            counts = _purge_of(name)(db.make_session_factory(engine), settings.retention_days)
        finally:
            engine.dispose()
        click.echo(f"{name}: " + ", ".join(f"{what} {count}" for what, count in counts.items()))


if __name__ == "__main__":
    sys.exit(main())
