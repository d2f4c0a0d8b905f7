"""Browser sessions of staff: password login with a back-off per username and address, idle expiry, logout.

The cookie holds a random token; the database keeps only its SHA-256, so a leaked table opens no session. Every
login makes a new session (a new token: no fixation), and each session has its own CSRF token. A session ends at
logout, after `idle` without a request, `lifetime` after login, or when its user is disabled. Failed attempts are
counted per username and address (those since the last success, within `window`). Once `max_failures` is reached,
each further try must wait after the latest failure: `first_delay`, doubling with every failure up to `max_delay`
(1 s, 2 s, 4 s ... 60 s by default). A try during the wait is refused without checking the password and is not
counted, so the wait never grows by itself: the right password works as soon as it has passed. Guessing is held
to one try per `max_delay`, and a village behind one NAT address can delay a user from that address by at most
`max_delay`, never from any other address. Unknown usernames cost the same password check.
"""

from __future__ import annotations

import functools
import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from campaigns.common.errors import AuthenticationFailed
from campaigns.identity import audit
from campaigns.identity.access import Actor
from campaigns.identity.accounts import actor_for
from campaigns.identity.passwords import hash_password, needs_rehash, verify_password
from campaigns.models import LoginAttempt, StaffSession, User


@functools.cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


class TooManyAttempts(AuthenticationFailed):
    """Too many failed logins for this username from this address: try again in `retry_after` seconds."""

    code = "rate_limited"

    def __init__(self, retry_after: int):
        super().__init__(f"too many failed logins: try again in {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class LoginPolicy:
    """The login limits from the settings: failures before the back-off, how long failures are remembered, the
    back-off's first and longest delay, and the idle timeout and lifetime of a session."""

    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)
    first_delay: timedelta = timedelta(seconds=1)
    max_delay: timedelta = timedelta(seconds=60)
    idle: timedelta = timedelta(minutes=30)
    lifetime: timedelta = timedelta(hours=12)

    def delay(self, failures: int) -> timedelta:
        """How long a try must wait after the latest of `failures` remembered failures."""
        if failures < self.max_failures:
            return timedelta(0)
        return min(self.first_delay * 2 ** min(failures - self.max_failures, 32), self.max_delay)


@dataclass(frozen=True)
class StartedSession:
    """A session just opened: the cookie token (never stored) and the session's CSRF token."""

    token: str
    csrf_token: str
    actor: Actor


@dataclass(frozen=True)
class LiveSession:
    """A session found by its cookie: who is logged in and the CSRF token forms must echo."""

    id: int
    actor: Actor
    csrf_token: str
    display_name: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _failures(session: Session, username: str, ip: str, since: datetime) -> tuple[int, datetime | None]:
    """The failures of `username` from `ip` since `since` and since the last success: how many, and the latest."""
    same = (LoginAttempt.username == username, LoginAttempt.ip == ip, LoginAttempt.attempted_at >= since)
    last_success = session.scalar(select(func.max(LoginAttempt.attempted_at)).where(*same, LoginAttempt.succeeded))
    query = select(func.count(), func.max(LoginAttempt.attempted_at)).where(*same, LoginAttempt.succeeded.is_(False))
    if last_success is not None:
        query = query.where(LoginAttempt.attempted_at > last_success)
    count, latest = session.execute(query).one()
    return count, latest


def log_in(
    session: Session, username: str, password: str, ip: str, now: datetime, policy: LoginPolicy = LoginPolicy()
) -> StartedSession:
    """Check the password and open a new session; AuthenticationFailed (TooManyAttempts during a back-off).

    The attempt is recorded either way; the caller must commit even when this raises, so failures count. A hash made
    at an older cost is replaced by one at today's cost.
    """
    username = (username or "").strip()[:64]
    ip = (ip or "")[:64]
    failures, latest = _failures(session, username, ip, now - policy.window)
    wait = (latest + policy.delay(failures) - now) if latest is not None else timedelta(0)
    if wait > timedelta(0):
        raise TooManyAttempts(math.ceil(wait.total_seconds()))
    user = session.scalar(select(User).where(User.username == username)) if username else None
    stored = user.password_hash if user is not None else _dummy_hash()  # the same work whether the user exists or not
    ok = verify_password(password or "", stored) and user is not None and user.disabled_at is None
    session.add(LoginAttempt(username=username, ip=ip, attempted_at=now, succeeded=ok))
    session.flush()
    if not ok:
        _audit_failure(session, user, username, ip, now, failures + 1, policy)
        raise AuthenticationFailed.coded("auth.wrong_password", "wrong username or password")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(
        StaffSession(token_hash=_hash(token), user_id=user.id, csrf_token=csrf, ip=ip, created_at=now, last_seen_at=now)
    )
    session.flush()
    return StartedSession(token, csrf, actor_for(user))


def _audit_failure(
    session: Session, user: User | None, username: str, ip: str, now: datetime, failures: int, policy: LoginPolicy
) -> None:
    """Write the failed login to the audit log (never the password), and a lockout once it starts a back-off."""
    reason = "unknown_user" if user is None else ("disabled" if user.disabled_at is not None else "wrong_password")
    who = {"username": username or "?", "user_id": user.id if user else None,
           "grid_id": user.scope_grid_id if user else None, "target": username}  # fmt: skip
    audit.record_event(session, "session.login_failed", now, **who, detail={"ip": ip, "reason": reason,
                                                                             "failures": failures})  # fmt: skip
    wait = policy.delay(failures)
    if wait > timedelta(0):
        detail = {"ip": ip, "failures": failures, "wait_seconds": math.ceil(wait.total_seconds())}
        audit.record_event(session, "session.lockout", now, **who, detail=detail)


def resume(
    session: Session, token: str | None, now: datetime, policy: LoginPolicy = LoginPolicy()
) -> LiveSession | None:
    """The live session behind a cookie token, its activity refreshed; None when unknown, ended or idle too long."""
    if not token:
        return None
    row = session.scalar(select(StaffSession).where(StaffSession.token_hash == _hash(token)))
    if row is None or row.ended_at is not None:
        return None
    if now - row.last_seen_at > policy.idle or now - row.created_at > policy.lifetime:
        row.ended_at = now
        return None
    user = session.get(User, row.user_id)
    if user is None or user.disabled_at is not None:
        row.ended_at = now
        return None
    row.last_seen_at = now
    return LiveSession(row.id, actor_for(user), row.csrf_token, user.display_name or user.username)


def log_out(session: Session, token: str | None, now: datetime, reason: str = "logout") -> None:
    """End the live session behind the token and write `session.logout` to the audit log (`reason`: "logout", or
    "new_login" when a login replaces the browser's session); nothing happens for an unknown or ended one."""
    if not token:
        return
    row = session.scalar(
        select(StaffSession).where(StaffSession.token_hash == _hash(token), StaffSession.ended_at.is_(None))
    )
    if row is None:
        return
    row.ended_at = now
    user = session.get(User, row.user_id)
    if user is not None:
        audit.record_event(session, "session.logout", now, username=user.username, user_id=user.id,
                           grid_id=user.scope_grid_id, target=user.username, detail={"reason": reason})  # fmt: skip


def end_user_sessions(session: Session, user_id: int, now: datetime) -> None:
    """End every session of a user (after their password, role or scope changed, or they were disabled)."""
    session.execute(
        update(StaffSession)
        .where(StaffSession.user_id == user_id, StaffSession.ended_at.is_(None))
        .values(ended_at=now)
    )
