"""Alembic environment: the app's metadata, the URL from settings (or the caller's engine)."""
from alembic import context
from sqlmodel import SQLModel

from config import settings
from server import models  # noqa: F401  (registers the tables)
from server.db import make_engine

config = context.config


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is None:
        url = config.get_main_option("sqlalchemy.url") or settings.load()["DATABASE_URL"]
        with make_engine(url).connect() as connection:
            _run(connection)
    else:
        _run(connectable)


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=SQLModel.metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
