"""Helpers for console tests: staff users with passwords, logging a test client in, reading CSRF tokens."""

from __future__ import annotations

import re

from campaigns.identity import accounts
from campaigns.identity.access import Actor

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def add_user(session_factory, username: str, role: str = "admin", scope_code: str | None = None) -> int:
    with session_factory.begin() as session:
        return accounts.create_user(session, Actor.system(), username=username, role=role, password=PASSWORD,
                                    scope_grid_code=scope_code)["id"]  # fmt: skip


def csrf_of(response) -> str:
    match = CSRF.search(response.get_data(as_text=True))
    assert match, "no CSRF token on the page"
    return match.group(1)


def log_in(client, username: str, password: str = PASSWORD, **kwargs):
    """Post the login form (with the login page's own CSRF token); returns the response."""
    token = csrf_of(client.get("/console/login", **kwargs))
    return client.post("/console/login", data={"username": username, "password": password, "csrf_token": token},
                       **kwargs)  # fmt: skip


def logged_in(client, session_factory, username: str, role: str = "admin", scope_code: str | None = None) -> str:
    """Create the user, log the client in, and return the session's CSRF token (from the dashboard)."""
    add_user(session_factory, username, role, scope_code)
    response = log_in(client, username)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return csrf_of(client.get("/console/"))
