"""MIGRATE_ON_START=0 leaves migrations to a separate `rakor migrate` job."""

from __future__ import annotations

from sqlalchemy import inspect

from services.registration.app import MIGRATIONS
from shared.db import make_engine, migrate_at_start
from shared.settings import load_settings


def test_a_process_migrates_at_start_unless_told_not_to(sqlite_url_factory):
    for value, expected in (("0", False), ("", True)):
        url = sqlite_url_factory()
        settings = load_settings("registration", environ={"DATABASE_URL": url, "MIGRATE_ON_START": value}, require_admin_token=False)
        engine = make_engine(url)
        try:
            migrate_at_start(engine, MIGRATIONS, settings)
            assert inspect(engine).has_table("registrations") is expected
        finally:
            engine.dispose()
