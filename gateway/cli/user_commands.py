"""`gridcast users create|list` and `gridcast tokens create|list|revoke`."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import click
from flask.cli import with_appcontext

from campaigns.common.db import unit_of_work
from campaigns.common.errors import DomainError
from campaigns.identity import accounts
from campaigns.identity.access import ROLES, Actor
from campaigns.models import StaffRole
from campaigns.models.base import utcnow
from gateway.console import local_time
from gateway.runtime import current_runtime


@click.group("users", help="Staff accounts.")
def users_group() -> None:
    pass


@users_group.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), default=StaffRole.ADMIN.value, show_default=True)
@click.option("--scope", "scope_grid_code", help="code of the grid whose subtree the user may see")
@click.option("--name", "display_name", default="", help="display name")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True, help="at least 10 characters")
@click.option("--token/--no-token", default=False, help="also issue an API token and print it once")
@with_appcontext
def create_user_command(username, role, scope_grid_code, display_name, password, token) -> None:
    """Create a staff account (the first admin is created this way)."""
    try:
        with unit_of_work(current_runtime().session_factory) as session:
            user = accounts.create_user(
                session,
                Actor.system(),
                username=username,
                role=role,
                password=password,
                scope_grid_code=scope_grid_code,
                display_name=display_name,
            )
            issued = accounts.create_token(session, Actor.system(), username=username, name="cli") if token else None
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"created {user['role']} {user['username']} (scope: {user['scope_grid_code'] or 'everything'})")
    if issued:
        click.echo(f"API token (shown once): {issued['token']}")


@users_group.command("list")
@with_appcontext
def list_users_command() -> None:
    """List staff accounts as JSON lines."""
    with unit_of_work(current_runtime().session_factory) as session:
        for user in accounts.list_users(session, Actor.system()):
            click.echo(json.dumps(user, ensure_ascii=False))


@click.group("tokens", help="API tokens.")
def tokens_group() -> None:
    pass


@tokens_group.command("create")
@click.argument("username")
@click.option("--name", default="api", show_default=True, help="what the token is for")
@with_appcontext
def create_token_command(username: str, name: str) -> None:
    """Issue an API token for USERNAME; it is printed once and only its hash is kept."""
    try:
        with unit_of_work(current_runtime().session_factory) as session:
            issued = accounts.create_token(session, Actor.system(), username=username, name=name)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(issued["token"])


@tokens_group.command("list")
@click.argument("username")
@click.option("--json", "as_json", is_flag=True, help="JSON lines with exact UTC times instead of one line per token")
@with_appcontext
def list_tokens_command(username: str, as_json: bool) -> None:
    """List USERNAME's API tokens (id, name, prefix, created, last used, revoked; never the token), times in
    GRIDCAST_TIMEZONE."""
    try:
        with unit_of_work(current_runtime().session_factory) as session:
            tokens = accounts.list_tokens(session, Actor.system(), username)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    zone, now = ZoneInfo(current_runtime().settings.timezone), utcnow()
    for token in tokens:
        click.echo(json.dumps(token, ensure_ascii=False) if as_json else _token_line(token, zone, now))


def _token_line(token: dict, zone: ZoneInfo, now: datetime) -> str:
    def when(value: str | None) -> str:
        return local_time.recent_or_short(value, zone, now, "en") if value else "never"

    state = f"revoked {when(token['revoked_at'])}" if token["revoked_at"] else "active"
    return (
        f"{token['id']:>4}  {token['name']}  {token['prefix']}...  created {when(token['created_at'])}  "
        f"last used {when(token['last_used_at'])}  {state}"
    )


@tokens_group.command("revoke")
@click.argument("username")
@click.argument("token_id", type=int)
@with_appcontext
def revoke_token_command(username: str, token_id: int) -> None:
    """Revoke USERNAME's token TOKEN_ID at once (the id from `gridcast tokens list`)."""
    try:
        with unit_of_work(current_runtime().session_factory) as session:
            revoked = accounts.revoke_token(session, Actor.system(), username, token_id)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"revoked token {revoked['id']} ({revoked['prefix']}...) of {revoked['username']}")
