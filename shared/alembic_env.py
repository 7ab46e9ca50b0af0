"""The body of every service's Alembic env.py: migrate on the connection handed over by shared.db.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import MetaData, create_engine


def run_migrations(target_metadata: MetaData) -> None:
    config = context.config
    connection = config.attributes.get("connection")
    if connection is None:
        # `alembic` on the command line (e.g. `alembic revision --autogenerate`): open our own.
        engine = create_engine(config.get_main_option("sqlalchemy.url"))
        with engine.connect() as connection:
            _run(connection, target_metadata)
            connection.commit()
        return
    _run(connection, target_metadata)


def _run(connection, target_metadata: MetaData) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
