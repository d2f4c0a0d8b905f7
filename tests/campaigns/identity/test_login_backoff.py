"""Console login: after a few failures each try waits a short, doubling delay; the right password works again once
it has passed, and another address is never slowed down (both backends, an explicit clock: no timing)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from campaigns.common.errors import AuthenticationFailed
from campaigns.identity.staff_sessions import LoginPolicy, TooManyAttempts, log_in
from tests.console_helpers import PASSWORD, add_user
from tests.factories import NOW

POLICY = LoginPolicy(max_failures=3, first_delay=timedelta(seconds=1), max_delay=timedelta(seconds=8))
SECOND = timedelta(seconds=1)


def attempt(session_factory, password: str, at, ip: str = "10.0.0.1"):
    """Try a login at `at`; returns "ok", "wrong" or the TooManyAttempts raised."""
    with session_factory() as session:
        try:
            log_in(session, "zhuoma", password, ip, at, POLICY)
            return "ok"
        except TooManyAttempts as exc:
            return exc
        except AuthenticationFailed:
            return "wrong"
        finally:
            session.commit()


@pytest.fixture
def user(session_factory, tree):
    add_user(session_factory, "zhuoma")


def test_the_delay_starts_after_a_few_failures_and_doubles_to_a_cap():
    assert [POLICY.delay(failures).total_seconds() for failures in range(9)] == [0, 0, 0, 1, 2, 4, 8, 8, 8]
    assert LoginPolicy().delay(10_000) == LoginPolicy().max_delay


def test_the_right_password_works_again_after_the_back_off(session_factory, user):
    at = NOW
    for _ in range(3):
        assert attempt(session_factory, "wrong", at) == "wrong"
    refused = attempt(session_factory, PASSWORD, at + SECOND / 2)  # throttling engages...
    assert isinstance(refused, TooManyAttempts) and refused.retry_after == 1
    assert attempt(session_factory, PASSWORD, at + SECOND) == "ok"  # ...for one second only


def test_repeated_failures_wait_longer_each_time_up_to_the_cap(session_factory, user):
    at = NOW
    for _ in range(3):
        assert attempt(session_factory, "wrong", at) == "wrong"
    for delay in (1, 2, 4, 8, 8):
        refused = attempt(session_factory, PASSWORD, at + timedelta(seconds=delay) - SECOND / 2)
        assert isinstance(refused, TooManyAttempts) and refused.retry_after == 1
        at += timedelta(seconds=delay)
        assert attempt(session_factory, "wrong", at) == "wrong"
    assert isinstance(attempt(session_factory, PASSWORD, at + timedelta(seconds=7)), TooManyAttempts)
    assert attempt(session_factory, PASSWORD, at + timedelta(seconds=8)) == "ok"


def test_refused_tries_during_the_wait_do_not_lengthen_it(session_factory, user):
    for _ in range(3):
        attempt(session_factory, "wrong", NOW)
    for tenth in range(1, 10):
        assert isinstance(attempt(session_factory, "wrong", NOW + SECOND * tenth / 10), TooManyAttempts)
    assert attempt(session_factory, PASSWORD, NOW + SECOND) == "ok"


def test_a_success_forgets_the_failures_before_it(session_factory, user):
    for _ in range(3):
        attempt(session_factory, "wrong", NOW)
    assert attempt(session_factory, PASSWORD, NOW + SECOND) == "ok"
    assert attempt(session_factory, "wrong", NOW + 2 * SECOND) == "wrong"
    assert attempt(session_factory, PASSWORD, NOW + 2 * SECOND) == "ok"


def test_failures_from_one_address_never_slow_down_another(session_factory, user):
    at = NOW
    for _ in range(12):
        at += timedelta(seconds=8)
        assert attempt(session_factory, "wrong", at, ip="10.0.0.66") == "wrong"
    assert isinstance(attempt(session_factory, PASSWORD, at + SECOND, ip="10.0.0.66"), TooManyAttempts)
    assert attempt(session_factory, PASSWORD, at + SECOND, ip="10.0.0.1") == "ok"
