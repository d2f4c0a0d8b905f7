"""Migrations: they build exactly the schema the models describe, and they go down and up again cleanly."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from campaigns.common import migrate
from campaigns.common.db import make_engine
from campaigns.models import Base
from tests.conftest import _create_postgres_database, _drop_postgres_database


def test_models_and_migrations_agree(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


@pytest.fixture
def scratch_engine(database_url, tmp_path):
    """An empty database of the same backend, apart from the suite's migrated one."""
    if database_url.startswith("sqlite"):
        engine = make_engine(f"sqlite:///{tmp_path / 'scratch.db'}")
        yield engine
        engine.dispose()
        return
    name, url = _create_postgres_database()
    engine = make_engine(url)
    yield engine
    engine.dispose()
    _drop_postgres_database(name)


def test_downgrade_to_base_and_back(scratch_engine):
    migrate.upgrade(scratch_engine)
    assert migrate.current_revision(scratch_engine) is not None
    migrate.downgrade(scratch_engine, "base")
    assert migrate.current_revision(scratch_engine) is None
    migrate.upgrade(scratch_engine)
    assert migrate.current_revision(scratch_engine) == migrate.head_revision()
