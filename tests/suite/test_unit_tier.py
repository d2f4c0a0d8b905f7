"""The unit tier: tests/conftest.py marks `unit` every test that needs no database, Redis or app and is not slow."""

from __future__ import annotations

import pytest


def test_a_test_without_services_is_in_the_unit_tier(request):
    assert request.node.get_closest_marker("unit") is not None


@pytest.mark.slow
def test_a_slow_test_stays_out_of_the_unit_tier(request):
    assert request.node.get_closest_marker("unit") is None


def test_a_test_with_a_database_session_stays_out_of_the_unit_tier(request, session):
    assert request.node.get_closest_marker("unit") is None


@pytest.fixture
def contacts_of_a_grid(session_factory):
    return []


def test_a_fixture_that_needs_the_database_keeps_its_test_out_of_the_unit_tier(request, contacts_of_a_grid):
    assert request.node.get_closest_marker("unit") is None
