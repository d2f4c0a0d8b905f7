"""Grid services: create, rename, move a subtree, delete only when empty, and scope."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from campaigns.common.errors import Conflict, NotFound, PermissionDenied, ValidationError
from campaigns.directory import grids
from campaigns.directory.contacts import list_contacts
from campaigns.identity.access import Actor
from campaigns.models import Grid
from tests.factories import add_contact


def township_actor(session, tree, code="623025101", role="coordinator") -> Actor:
    return Actor(user_id=None, role=role, scope_path=session.get(Grid, tree[code]).path)


def test_create_grid_under_parent_sets_path_and_depth(session, tree, system):
    grid = grids.create_grid(session, system, code="623025101203", name="新村", level="村", parent_id=tree["623025101"])
    assert grid["path"] == f"/{tree['623025']}/{tree['623025101']}/{grid['id']}/"
    assert grid["depth"] == 2
    assert grid["level"] == "village"


def test_create_grid_rejects_taken_code_and_unknown_level(session, tree, system):
    with pytest.raises(Conflict):
        grids.create_grid(session, system, code="623025101", name="x", level="township", parent_id=tree["623025"])
    with pytest.raises(ValidationError, match="unknown level"):
        grids.create_grid(session, system, code="999", name="x", level="province", parent_id=tree["623025"])
    with pytest.raises(ValidationError, match="may only hold"):
        grids.create_grid(session, system, code="a/b", name="x", level="village", parent_id=tree["623025"])


def test_move_subtree_carries_descendants_and_contacts(session, tree, system):
    add_contact(session, tree["62302510120101"], "+8613800000001")
    grids.move_grid(session, system, tree["623025101201"], tree["623025102"])
    session.commit()
    moved = session.get(Grid, tree["6230251012010101"])
    assert moved.path.startswith(session.get(Grid, tree["623025102"]).path)
    assert moved.depth == 4
    under_new = list_contacts(session, system, grid_id=tree["623025102"])
    assert [c["phone"] for c in under_new.items] == ["+8613800000001"]
    assert list_contacts(session, system, grid_id=tree["623025101"]).total == 0


def test_a_grid_must_sit_below_its_parents_level(session, tree, system):
    with pytest.raises(ValidationError, match="a township cannot be under 623025101, a township"):
        grids.create_grid(session, system, code="X9", name="x", level="township", parent_id=tree["623025101"])
    with pytest.raises(ValidationError, match="a county cannot be under"):
        grids.create_grid(session, system, code="X8", name="x", level="county", parent_id=tree["623025101201"])
    with pytest.raises(ValidationError, match="a village cannot be under 623025101201, a village"):
        grids.move_grid(session, system, tree["623025101202"], tree["623025101201"])
    assert session.get(Grid, tree["623025101202"]).parent_id == tree["623025101"]


def test_move_under_own_subtree_is_refused(session, tree, system):
    with pytest.raises(ValidationError, match="under itself"):
        grids.move_grid(session, system, tree["623025101"], tree["623025101201"])


def test_delete_only_when_empty(session, tree, system):
    with pytest.raises(Conflict, match="child grids"):
        grids.delete_grid(session, system, tree["623025101201"])
    add_contact(session, tree["623025101202"], "+8613800000002")
    with pytest.raises(Conflict, match="1 contacts"):
        grids.delete_grid(session, system, tree["623025101202"])
    grids.delete_grid(session, system, tree["6230251012010101"])
    assert session.get(Grid, tree["6230251012010101"]) is None


def test_scoped_coordinator_sees_only_their_township(session, tree):
    actor = township_actor(session, tree)
    codes = {g["code"] for g in grids.list_grids(session, actor, per_page=500).items}
    assert "623025101201" in codes
    assert "623025102" not in codes and "623025" not in codes
    with pytest.raises(NotFound):
        grids.get_grid(session, actor, tree["623025102"])
    with pytest.raises(NotFound):
        grids.rename_grid(session, actor, tree["623025102201"], "x")
    with pytest.raises(NotFound):
        grids.move_grid(session, actor, tree["623025101201"], tree["623025102"])


def test_viewer_cannot_write(session, tree):
    viewer = township_actor(session, tree, role="viewer")
    with pytest.raises(PermissionDenied):
        grids.rename_grid(session, viewer, tree["623025101201"], "x")


def test_subtree_query_is_an_index_range_scan(session, tree):
    low, high = grids.subtree_bounds(session.get(Grid, tree["623025101"]).path)
    query = select(Grid.id).where(Grid.path >= low, Grid.path < high)
    sql = str(query.compile(session.bind, compile_kwargs={"literal_binds": True}))
    connection = session.connection()
    if session.bind.dialect.name == "sqlite":
        plan = str(connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql).all())
        assert "USING COVERING INDEX" in plan and "path>?" in plan, plan
    else:
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        plan = str(connection.exec_driver_sql("EXPLAIN " + sql).all())
        assert "uq_grids_path" in plan, plan
    assert len(session.scalars(query).all()) == 5
