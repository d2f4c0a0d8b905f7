"""Staff accounts and API tokens: create users with a role and a scope, issue and check bearer tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.common.errors import AuthenticationFailed, Conflict, NotFound, ValidationError
from campaigns.common.text import clean_text
from campaigns.identity.access import ROLES, Actor, find_grid_by_code, require_admin, scope_condition
from campaigns.identity.passwords import hash_password
from campaigns.models import ApiToken, Grid, User
from campaigns.models.base import utcnow

TOKEN_PREFIX = "gc_"
USERNAME_PATTERN = re.compile(r"[A-Za-z0-9_.@\-]{2,64}")
MIN_PASSWORD_LENGTH = 10


def actor_for(user: User) -> Actor:
    return Actor(
        user_id=user.id,
        role=user.role,
        scope_path=user.scope_grid.path if user.scope_grid else None,
        username=user.username,
    )


def user_to_dict(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "scope_grid_code": user.scope_grid.code if user.scope_grid else None,
        "disabled": user.disabled_at is not None,
    }


def create_user(
    session: Session,
    actor: Actor,
    *,
    username: str,
    role: str,
    password: str | None = None,
    scope_grid_code: str | None = None,
    display_name: str = "",
) -> dict[str, Any]:
    """Create a staff account. Only admins create users, and only inside their own scope.

    Coordinators and viewers must have a scope grid; an admin without one sees the whole deployment.
    """
    require_admin(actor)
    username = clean_username(username)
    if role not in ROLES:
        raise ValidationError.coded(
            "user.bad_role", "role must be one of %(roles)s", fields={"role": "unknown"}, roles=ROLES
        )
    if password is not None and (not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH):
        raise ValidationError.coded(
            "user.password_too_short",
            "password must be text of at least %(min_password_length)s characters",
            fields={"password": "too short"},
            min_password_length=MIN_PASSWORD_LENGTH,
        )
    display_name = clean_text(display_name, "display_name", max_length=100, required=False)
    scope = _scope_grid(session, actor, scope_grid_code)
    if scope is None and (role != "admin" or actor.scope_path is not None):
        raise ValidationError.coded(
            "user.scope_required", "this user needs a scope grid", fields={"scope_grid_code": "required"}
        )
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict.coded(
            "user.username_taken", "username '%(username)s' is taken", fields={"username": "taken"}, username=username
        )
    user = User(
        username=username,
        display_name=display_name,
        role=role,
        scope_grid=scope,
        password_hash=hash_password(password) if password else None,
    )
    session.add(user)
    session.flush()
    return user_to_dict(user)


def clean_username(raw: Any) -> str:
    username = raw.strip() if isinstance(raw, str) else ""
    if not USERNAME_PATTERN.fullmatch(username):
        raise ValidationError.coded(
            "user.bad_username", "username: 2-64 letters, digits, '_', '.', '@' or '-'", fields={"username": "invalid"}
        )
    return username


def _scope_grid(session: Session, actor: Actor, code: Any) -> Grid | None:
    """The scope grid named by `code`, which must lie in the actor's own scope (else it reads as unknown)."""
    if code is None or code == "":
        return None
    try:
        return find_grid_by_code(session, actor, code)
    except (NotFound, ValidationError) as exc:
        raise ValidationError.coded(
            "field.scope_grid_code",
            "scope_grid_code: %(message)s",
            fields={"scope_grid_code": "not found"},
            message=exc,
        ) from exc


def list_users(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """Staff accounts the actor may see: those scoped inside the actor's scope (unscoped ones only for unscoped)."""
    query = select(User).outerjoin(Grid, User.scope_grid_id == Grid.id).order_by(User.username)
    if actor.scope_path is not None:
        query = query.where(scope_condition(actor, Grid.path))
    return [user_to_dict(user) for user in session.scalars(query).unique()]


def whoami(session: Session, actor: Actor) -> dict[str, Any]:
    """The caller's own account, role, scope grid and what the role allows."""
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    scope = user.scope_grid if user else None
    return {
        "username": actor.username,
        "display_name": user.display_name if user else "",
        "role": actor.role,
        "can_write": actor.can_write,
        "is_admin": actor.is_admin,
        "scope": {"id": scope.id, "code": scope.code, "name": scope.name, "level": scope.level.key, "path": scope.path}
        if scope
        else None,
    }


def _sees(actor: Actor, user: User) -> bool:
    if user.scope_grid is None:
        return actor.scope_path is None
    return actor.sees_path(user.scope_grid.path)


def _token_owner(session: Session, actor: Actor, username: Any) -> User:
    require_admin(actor)
    user = session.scalar(select(User).where(User.username == username)) if isinstance(username, str) else None
    if user is None or not _sees(actor, user):
        raise NotFound.coded("user.not_found_named", "user '%(username)s' not found", username=username)
    return user


def token_to_dict(row: ApiToken) -> dict[str, Any]:
    """A token as staff may see it later: never the token itself, only its first characters."""
    return {
        "id": row.id,
        "name": row.name,
        "username": row.user.username,
        "prefix": row.prefix,
        "created_at": row.created_at.isoformat(),
        "last_used_at": row.last_used_at.isoformat() if row.last_used_at else None,
        "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None,
    }


def list_tokens(session: Session, actor: Actor, username: Any) -> list[dict[str, Any]]:
    """The API tokens of an account in the admin's scope, newest first, revoked ones included."""
    user = _token_owner(session, actor, username)
    rows = session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc()))
    return [token_to_dict(row) for row in rows]


def revoke_token(session: Session, actor: Actor, username: Any, token_id: int) -> dict[str, Any]:
    """Revoke one token of an account in the admin's scope at once; revoking it again changes nothing."""
    user = _token_owner(session, actor, username)
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise NotFound.coded(
            "token.not_found",
            "token %(token_id)s of '%(username)s' not found",
            token_id=token_id,
            username=user.username,
        )
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.flush()
    return token_to_dict(row)


def create_token(session: Session, actor: Actor, *, username: str, name: str) -> dict[str, Any]:
    """Issue an API token for a user; the plain token is in the result once and never stored."""
    user = _token_owner(session, actor, username)
    name = clean_text(name, "name", max_length=100, required=False) or "api"
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user=user, name=name, token_hash=hash_token(token), prefix=token[:10])
    session.add(row)
    session.flush()
    return {
        "id": row.id,
        "name": row.name,
        "username": user.username,
        "prefix": row.prefix,
        "created_at": row.created_at.isoformat(),
        "token": token,
    }


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def authenticate_token(session: Session, token: str) -> Actor:
    """The actor behind a bearer token; AuthenticationFailed for unknown, revoked or disabled."""
    if not token or not token.startswith(TOKEN_PREFIX):
        raise AuthenticationFailed.coded("auth.token_malformed", "missing or malformed API token")
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None or row.user.disabled_at is not None:
        raise AuthenticationFailed.coded("auth.token_unknown", "unknown or revoked API token")
    row.last_used_at = utcnow()
    return actor_for(row.user)


def update_user(session: Session, actor: Actor, username: str, data: dict[str, Any]) -> dict[str, Any]:
    """Change a user's role, scope, display name or password, or disable/enable them (admins, in their scope).

    An admin cannot change their own role, scope or disabled flag (so nobody locks themselves out by mistake).
    Returns the user; `changed_access` tells the caller to end the user's sessions.
    """
    require_admin(actor)
    user = session.scalar(select(User).where(User.username == username)) if isinstance(username, str) else None
    if user is None or not _sees(actor, user):
        raise NotFound.coded("user.not_found_named", "user '%(username)s' not found", username=username)
    unknown = sorted(set(data) - {"role", "scope_grid_code", "display_name", "password", "disabled"})
    if unknown:
        raise ValidationError.coded(
            "input.unknown_fields",
            "unknown fields: %(unknown)s",
            fields={name: "unknown" for name in unknown},
            unknown=unknown,
        )
    own_access = {"role", "scope_grid_code", "disabled"} & set(data)
    if user.id == actor.user_id and own_access:
        raise ValidationError.coded(
            "user.own_access", "you cannot change your own role, scope or access", fields={"role": "your own"}
        )
    role = data.get("role", user.role)
    if role not in ROLES:
        raise ValidationError.coded(
            "user.bad_role", "role must be one of %(roles)s", fields={"role": "unknown"}, roles=ROLES
        )
    scope = _scope_grid(session, actor, data["scope_grid_code"]) if "scope_grid_code" in data else user.scope_grid
    if scope is None and (role != "admin" or actor.scope_path is not None):
        raise ValidationError.coded(
            "user.scope_required", "this user needs a scope grid", fields={"scope_grid_code": "required"}
        )
    password = data.get("password")
    if password is not None and (not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH):
        raise ValidationError.coded(
            "user.password_too_short",
            "password must be text of at least %(min_password_length)s characters",
            fields={"password": "too short"},
            min_password_length=MIN_PASSWORD_LENGTH,
        )
    changed_access = role != user.role or scope is not user.scope_grid or password is not None
    user.role, user.scope_grid = role, scope
    if "display_name" in data:
        user.display_name = clean_text(data["display_name"], "display_name", max_length=100, required=False)
    if password is not None:
        user.password_hash = hash_password(password)
    if "disabled" in data:
        disabled = bool(data["disabled"])
        changed_access = changed_access or disabled != (user.disabled_at is not None)
        user.disabled_at = (user.disabled_at or utcnow()) if disabled else None
    session.flush()
    return {**user_to_dict(user), "changed_access": changed_access}
