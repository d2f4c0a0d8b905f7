"""The request's database session, committed after a successful response (rolled back otherwise), and callbacks
run once that commit is done."""

from __future__ import annotations

from flask import g
from sqlalchemy.orm import Session

from gateway.runtime import current_runtime


def db() -> Session:
    """The request's session; committed after a successful response, rolled back otherwise."""
    if "db_session" not in g:
        g.db_session = current_runtime().session_factory()
    return g.db_session


def finish_session(response_ok: bool) -> None:
    session = g.pop("db_session", None)
    callbacks = g.pop("after_commit", [])
    if session is None:
        return
    try:
        if response_ok:
            session.commit()
        else:
            session.rollback()
            callbacks = []
    finally:
        session.close()
    for callback in callbacks:
        callback()


def after_commit(callback) -> None:
    """Run `callback` once the request's transaction has committed (to enqueue jobs that read its rows)."""
    g.setdefault("after_commit", []).append(callback)
