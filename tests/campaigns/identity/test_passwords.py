"""Password hashes: scrypt at OWASP's cost for new hashes; older hashes still verify and are upgraded at login."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime

import pytest

from campaigns.common.errors import AuthenticationFailed
from campaigns.identity import accounts, passwords, staff_sessions
from campaigns.identity.access import Actor
from campaigns.models import User

NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def owasp_cost(monkeypatch):
    """The production cost (the rest of the suite hashes at a lower one, see tests/conftest.py)."""
    monkeypatch.setattr(passwords, "SCRYPT_N", passwords.OWASP_SCRYPT_N)


def _old_hash(password: str) -> str:
    """A hash as stored before: scrypt at n=2**14 (16 MiB)."""
    salt = b"0123456789abcdef"
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    encode = base64.urlsafe_b64encode
    return f"scrypt${2**14}$8$1${encode(salt).decode()}${encode(digest).decode()}"


def test_a_new_hash_is_scrypt_at_owasps_cost_and_verifies():
    stored = passwords.hash_password("correct horse battery")

    assert passwords.OWASP_SCRYPT_N == 2**17
    assert stored.startswith(f"scrypt${2**17}$8$1$")
    assert passwords.verify_password("correct horse battery", stored)
    assert not passwords.verify_password("correct horse batterz", stored)
    assert not passwords.needs_rehash(stored)


def test_an_older_hash_still_verifies_and_needs_a_rehash():
    stored = _old_hash("correct horse battery")

    assert passwords.verify_password("correct horse battery", stored)
    assert passwords.needs_rehash(stored)


def test_an_older_hash_is_replaced_at_the_next_successful_login(session, tree):
    accounts.create_user(session, Actor.system(), username="dolma", role="admin")
    user = session.query(User).filter_by(username="dolma").one()
    user.password_hash = old = _old_hash("correct horse battery")
    session.flush()

    with pytest.raises(AuthenticationFailed):
        staff_sessions.log_in(session, "dolma", "wrong password!", "127.0.0.1", NOW)
    assert user.password_hash == old

    staff_sessions.log_in(session, "dolma", "correct horse battery", "127.0.0.1", NOW)
    session.refresh(user)
    assert user.password_hash != old and not passwords.needs_rehash(user.password_hash)
    assert passwords.verify_password("correct horse battery", user.password_hash)
    staff_sessions.log_in(session, "dolma", "correct horse battery", "127.0.0.1", NOW)
