"""Alembic environment of the notification service."""

from services.notification.models import Base
from shared.alembic_env import run_migrations

run_migrations(Base.metadata)
