"""Grid import: Chinese headers, any row order, bulk inserts per generation, updates and moves, every rejection."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import event, func, select

from campaigns.common.errors import PermissionDenied
from campaigns.directory.grid_import import import_grids
from campaigns.identity.access import Actor
from campaigns.models import Grid, ImportReport


def csv(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def grid(session, code: str) -> Grid:
    return session.scalar(select(Grid).where(Grid.code == code))


def scoped(session, code: str, role: str = "coordinator") -> Actor:
    return Actor(user_id=None, role=role, scope_path=grid(session, code).path, username=f"{role}-{code}")


def reasons(report) -> dict[int, str]:
    return {rejection["row"]: rejection["reason"] for rejection in report["rejected"]}


def assert_path_rule(session, code: str) -> None:
    node = grid(session, code)
    parent = session.get(Grid, node.parent_id)
    assert node.path == f"{parent.path}{node.id}/"
    assert node.depth == parent.depth + 1


def test_chinese_headers_gb18030_and_parents_after_children(session, tree, system):
    data = csv(
        "网格编码,名称,上级编码,层级\n"
        "6230251012030101,新村一组第一联户,62302510120301,联户\n"
        "62302510120301,新村一组,623025101203,组\n"
        "623025101203,新村,623025101,村\n",
        "gb18030",
    )
    report = import_grids(session, system, data, "网格.csv")
    assert report["counts"] == {"total": 3, "created": 3, "updated": 0, "unchanged": 0, "rejected": 0}
    for code in ("623025101203", "62302510120301", "6230251012030101"):
        assert_path_rule(session, code)
    assert grid(session, "6230251012030101").level.key == "unit"
    assert grid(session, "62302510120301").name == "新村一组"


def test_a_whole_tree_with_a_root_into_an_empty_database(session, system):
    data = csv("code,name,parent_code,level\nT1,镇,C1,township\nC1,县,,county\n")
    report = import_grids(session, system, data, "tree.csv")
    assert report["counts"]["created"] == 2
    root = grid(session, "C1")
    assert root.path == f"/{root.id}/" and root.depth == 0 and root.parent_id is None
    assert_path_rule(session, "T1")


def test_every_rejection_reason_is_reported_with_its_row(session, tree, system):
    data = csv(
        "code,name,parent_code,level\n"
        "X1,环一,X2,village\n"  # 2 cycle
        "X2,环二,X1,village\n"  # 3 cycle
        "623025101203,新村,623025101,village\n"  # 4 ok
        "623025101203,重复,623025101,village\n"  # 5 duplicate
        "Y1,无父,NOPE,village\n"  # 6 unknown parent
        "Y2,父被拒,X1,group\n"  # 7 parent rejected
        "Y3,省,623025101,province\n"  # 8 unknown level
        "Y4,倒置,623025101201,township\n"  # 9 level above its parent's
        "Y5,孙,Y2,unit\n"  # 10 parent rejected, two levels down
        "bad code!,坏编码,623025,village\n"  # 11 bad code
        "Y6,,623025,village\n"  # 12 bad name
        "623025101,齐哈玛镇,,township\n"  # 13 existing grid to the top
    )
    report = import_grids(session, system, data, "g.csv")
    assert reasons(report) == {
        2: "cycle",
        3: "cycle",
        5: "duplicate_code",
        6: "unknown_parent",
        7: "parent_rejected",
        8: "bad_level",
        9: "bad_level",
        10: "parent_rejected",
        11: "bad_code",
        12: "bad_name",
        13: "bad_parent",
    }
    assert report["counts"]["created"] == 1
    by_row = {rejection["row"]: rejection for rejection in report["rejected"]}
    assert "X1 -> X2 -> X1" in by_row[2]["error"]
    assert "row 4" in by_row[5]["error"]
    assert by_row[7]["values"] == ["Y2", "父被拒", "X1", "group"]
    assert session.scalar(select(func.count()).select_from(Grid).where(Grid.code.in_(["X1", "Y2", "Y5"]))) == 0


def test_a_cycle_through_stored_grids_is_rejected(session, tree, system):
    data = csv("code,name,parent_code,level\n623025101,齐哈玛镇,6230251012010101,township\n")
    report = import_grids(session, system, data, "g.csv")
    assert reasons(report) == {2: "cycle"}
    assert grid(session, "623025101").parent_id == tree["623025"]


def test_a_scoped_coordinator_only_touches_its_subtree(session, tree):
    actor = scoped(session, "623025101")
    data = csv(
        "code,name,parent_code,level\n"
        "623025102202,他乡新村,623025102,village\n"  # 2 parent in another township
        "623025102201,改名,623025102,village\n"  # 3 grid in another township
        "NEWROOT,新县,,county\n"  # 4 a root
        "623025101,齐哈玛镇（新）,623025,township\n"  # 5 own scope grid renamed in place
        "623025101203,新村,623025101,village\n"  # 6 ok
        "623025101202,萨合塘村,623025102,village\n"  # 7 move out of scope
        "623025101204,无名村,623025199,village\n"  # 8 a parent code nobody has
    )
    report = import_grids(session, actor, data, "g.csv")
    assert reasons(report) == {2: "unknown_parent", 3: "code_in_use", 4: "out_of_scope", 7: "unknown_parent",
                               8: "unknown_parent"}  # fmt: skip
    errors = {rejection["row"]: rejection["error"] for rejection in report["rejected"]}
    assert errors[2] == errors[7] == errors[8].replace("623025199", "623025102")
    assert errors[2] == "parent_code: unknown grid code 623025102"
    assert errors[3] == "code: grid code 623025102201 is already in use"
    assert "outside your scope" not in str(report)
    assert report["counts"]["created"] == 1 and report["counts"]["updated"] == 1
    assert grid(session, "623025102201").name == "达尔庆村"
    assert grid(session, "623025101").name == "齐哈玛镇（新）"


def test_known_codes_are_renamed_relevelled_and_moved_with_their_subtree(session, tree, system):
    data = csv(
        "code,name,parent_code,level\n"
        "623025101201,秀玛村,623025102,village\n"  # moved with its group and unit
        "623025101202,萨合塘社区,623025101,社区\n"  # renamed
        "623025102201,达尔庆村,623025102,village\n"  # unchanged
    )
    report = import_grids(session, system, data, "g.csv")
    assert report["counts"] == {"total": 3, "created": 0, "updated": 2, "unchanged": 1, "rejected": 0}
    session.expire_all()
    assert_path_rule(session, "623025101201")
    unit = grid(session, "6230251012010101")
    assert unit.path.startswith(grid(session, "623025102").path) and unit.depth == 4
    assert grid(session, "623025101202").name == "萨合塘社区"


def test_a_known_grid_moves_under_a_grid_created_by_the_same_file(session, tree, system):
    data = csv("code,name,parent_code,level\n623025101201,秀玛村,623025103,village\n623025103,新镇,623025,township\n")
    report = import_grids(session, system, data, "g.csv")
    assert report["counts"]["created"] == 1 and report["counts"]["updated"] == 1
    session.expire_all()
    assert_path_rule(session, "623025101201")
    assert grid(session, "6230251012010101").path.startswith(grid(session, "623025103").path)


def test_dry_run_writes_no_grid_but_saves_its_report(session, tree, system):
    data = csv(
        "code,name,parent_code,level\n623025101203,新村,623025101,village\n623025101201,改名,623025102,village\n"
    )
    report = import_grids(session, system, data, "g.csv", dry_run=True)
    assert report["dry_run"] is True
    assert report["counts"] == {"total": 2, "created": 1, "updated": 1, "unchanged": 0, "rejected": 0}
    assert grid(session, "623025101203") is None
    assert grid(session, "623025101201").parent_id == tree["623025101"]
    stored = session.get(ImportReport, report["id"])
    assert stored.kind == "grids" and stored.dry_run is True


def test_a_viewer_cannot_import(session, tree):
    with pytest.raises(PermissionDenied):
        import_grids(session, scoped(session, "623025101", "viewer"), csv("code,name,parent_code,level\n"), "g.csv")


def test_thousands_of_grids_go_in_with_a_few_bulk_statements(session, system):
    rows = [("C", "县", "", "county")]
    for t in range(4):
        rows.append((f"C-{t}", f"镇{t}", "C", "township"))
        for v in range(25):
            rows.append((f"C-{t}-{v}", f"村{v}", f"C-{t}", "village"))
            rows += [(f"C-{t}-{v}-{g}", f"组{g}", f"C-{t}-{v}", "group") for g in range(20)]
    random.Random(7).shuffle(rows)
    data = csv("code,name,parent_code,level\n" + "".join(",".join(row) + "\n" for row in rows))
    inserts = []

    def count_inserts(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO GRIDS"):
            inserts.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count_inserts)
    try:
        report = import_grids(session, system, data, "big.csv")
    finally:
        event.remove(engine, "before_cursor_execute", count_inserts)
    assert report["counts"]["created"] == len(rows) == 2105
    assert len(inserts) <= 10
    grids = {
        grid_id: (path, parent_id)
        for grid_id, path, parent_id in session.execute(select(Grid.id, Grid.path, Grid.parent_id))
    }
    wrong = [
        grid_id
        for grid_id, (path, parent_id) in grids.items()
        if path != (grids[parent_id][0] if parent_id else "/") + f"{grid_id}/"
    ]
    assert len(grids) == 2105 and wrong == []
