"""`gridcast db upgrade|downgrade|current`."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from campaigns.common import migrate
from gateway.runtime import current_runtime


@click.group("db", help="Database migrations.")
def db_group() -> None:
    pass


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def upgrade_command(revision: str) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    migrate.upgrade(current_runtime().engine, revision)
    click.echo(f"database at revision {migrate.current_revision(current_runtime().engine)}")


@db_group.command("downgrade")
@click.argument("revision")
@with_appcontext
def downgrade_command(revision: str) -> None:
    """Undo migrations down to REVISION ("base" empties the database)."""
    migrate.downgrade(current_runtime().engine, revision)
    click.echo(f"database at revision {migrate.current_revision(current_runtime().engine)}")


@db_group.command("current")
@with_appcontext
def current_command() -> None:
    """Print the database's current revision."""
    click.echo(migrate.current_revision(current_runtime().engine) or "empty (run: gridcast db upgrade)")
