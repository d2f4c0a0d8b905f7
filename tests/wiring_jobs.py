"""A job for the tests that start workers: production never enqueues it (RQ imports it by its dotted name, so
every worker process the tests start must find `tests` on its path, see `tests.servers.subprocess_env`)."""

from __future__ import annotations

from campaigns.common.db import unit_of_work
from campaigns.directory.contacts import list_contacts
from campaigns.identity.access import Actor
from workers.composition import services


def count_contacts(grid_id: int | None = None) -> int:
    """Count the contacts in the subtree of `grid_id` (every contact when None): a read-only job that proves the
    wiring end to end (queue, worker, composition root, database)."""
    with unit_of_work(services().session_factory) as session:
        return list_contacts(session, Actor.system(), grid_id=grid_id, per_page=1).total
