"""Checks a process makes once before it serves (and before gunicorn forks): settings, then the database.

Each failure is one line naming what is wrong, with any password in a URL masked, and a non-zero
exit: an operator reads the cause in `docker compose logs` at once, and gunicorn never starts a loop
of workers that each die with a traceback. `check_service` is also what a `check-config` command calls.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from shared.settings import Settings, SettingsError, load_settings, mask_url_passwords

DATABASE_TIMEOUT_SECONDS = 5


class StartupError(Exception):
    """The process cannot start; the message is the one line to print."""


def check_database(url: str, timeout: float = DATABASE_TIMEOUT_SECONDS) -> None:
    """Open one connection and run SELECT 1; StartupError with the masked URL and the driver's first line if not."""
    connect_args = {} if url.startswith("sqlite") else {"connect_timeout": int(timeout)}
    engine = create_engine(url, connect_args=connect_args)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        cause = getattr(exc, "orig", None) or exc
        first_line = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
        raise StartupError(f"database unreachable at {mask_url_passwords(url)}: {mask_url_passwords(first_line)}") from None
    finally:
        engine.dispose()


def check_service(
    service: str, environ: Mapping[str, str] | None = None, *, require_admin_token: bool = True, database: bool = True
) -> Settings:
    """Settings of `service` from the environment, and its database answering; StartupError on the first problem."""
    try:
        settings = load_settings(service, environ, require_admin_token=require_admin_token)
    except SettingsError as exc:
        raise StartupError(f"configuration error: {mask_url_passwords(str(exc))}") from None
    if database and not settings.database_url.startswith("sqlite"):
        check_database(settings.database_url)
    return settings


def start_or_exit(service: str, *, require_admin_token: bool = True) -> Settings:
    """check_service for an entry point: one line on stderr and exit status 2 when the process cannot start."""
    try:
        return check_service(service, require_admin_token=require_admin_token)
    except StartupError as exc:
        print(f"rakor-{service}: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def start_worker(
    service: str,
    migrations: Path,
    *,
    log_name: str | None = None,
    adjust: Callable[[Settings], Settings] | None = None,
    pool_size: Callable[[Settings], int] | None = None,
) -> tuple[Settings, Engine]:
    """What every relay and consumer does first: settings (or exit 2), logging, the engine, migrations at start.

    `adjust` changes the settings before use (notification's sender threads), `pool_size` sizes
    the engine's pool from them.
    """
    from shared.db import make_service_engine, migrate_at_start
    from shared.logs import configure_logging

    settings = start_or_exit(service, require_admin_token=False)
    if adjust is not None:
        settings = adjust(settings)
    configure_logging(log_name or service, settings.log_level, settings.log_format)
    engine = make_service_engine(settings, pool_size=pool_size(settings) if pool_size else 10)
    migrate_at_start(engine, migrations, settings)
    return settings, engine
