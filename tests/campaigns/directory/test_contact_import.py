"""Contact import: encodings, XLSX, Chinese headers, every rejection reason, updates, dry runs, scope, rejects file."""

from __future__ import annotations

import codecs
import io

import pytest
from openpyxl import Workbook
from sqlalchemy import event, func, select

from campaigns.common.errors import PermissionDenied
from campaigns.directory.contact_import import import_contacts
from campaigns.directory.import_reports import rejected_csv
from campaigns.identity.access import Actor
from campaigns.models import Contact, Grid, ImportReport
from tests.factories import add_contact

CHINESE = (
    "姓名,手机,网格编码,角色,语言,渠道,户数,标签\n"
    "才让,138 0000 0001,623025101201,网格长,藏语,短信,3,牧民;稳定户\n"
    "卓玛,+86 13800000002,623025101202,,,,,\n"
)


def contact(session, phone: str) -> Contact | None:
    return session.scalar(select(Contact).where(Contact.phone == phone))


def count(session) -> int:
    return session.scalar(select(func.count()).select_from(Contact))


def scoped(session, code: str, role: str = "coordinator") -> Actor:
    path = session.scalar(select(Grid.path).where(Grid.code == code))
    return Actor(user_id=None, role=role, scope_path=path, username=f"{role}-{code}")


def reasons(report) -> dict[int, str]:
    return {rejection["row"]: rejection["reason"] for rejection in report["rejected"]}


@pytest.mark.parametrize(
    "data",
    [CHINESE.encode(), codecs.BOM_UTF8 + CHINESE.encode(), CHINESE.encode("gb18030")],
    ids=["utf8", "utf8-bom", "gb18030"],
)
def test_chinese_headers_in_every_encoding(session, tree, system, data):
    report = import_contacts(session, system, data, "名单.csv")
    assert report["counts"] == {"total": 2, "created": 2, "updated": 0, "unchanged": 0, "rejected": 0}
    leader = contact(session, "+8613800000001")
    assert (leader.name, leader.role, leader.language, leader.channels, leader.households) == (
        "才让",
        "grid_leader",
        "bo",
        ["sms"],
        3,
    )
    assert leader.tags == ["牧民", "稳定户"]
    assert leader.grid_id == tree["623025101201"]
    other = contact(session, "+8613800000002")
    assert (other.role, other.language, other.channels, other.households, other.tags) == (
        "household_head",
        "zh",
        ["sms", "voice"],
        1,
        [],
    )


def test_xlsx_with_numeric_phone_cells(session, tree, system):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["name", "phone", "grid_code", "households"])
    sheet.append(["才让", 13800000001.0, 623025101201, 2.0])
    sheet.append(["卓玛", 13800000002, "623025101202", None])
    output = io.BytesIO()
    workbook.save(output)
    report = import_contacts(session, system, output.getvalue(), "list.xlsx")
    assert report["counts"]["created"] == 2, report["rejected"]
    assert contact(session, "+8613800000001").households == 2
    assert contact(session, "+8613800000002").grid_id == tree["623025101202"]


def test_every_rejection_reason_with_its_spreadsheet_row(session, tree, system):
    data = (
        "name,phone,grid_code,role,language,households\n"
        "好,13800000001,623025101201,,,\n"  # 2 ok
        "坏号,1380000,623025101201,,,\n"  # 3 bad phone
        "无网格,13800000003,623025999,,,\n"  # 4 unknown grid
        "火星,13800000004,623025101201,,火星语,\n"  # 5 unknown language
        "角色,13800000005,623025101201,村长,,\n"  # 6 unknown role
        "重复,138-0000-0001,623025101201,,,\n"  # 7 duplicate phone
        "户数,13800000007,623025101201,,,many\n"  # 8 bad households
        "科学,1.38E+10,623025101201,,,\n"  # 9 Excel scientific notation
        ",13800000009,623025101201,,,\n"  # 10 empty name
        "坏码,13800000010,a b,,,\n"  # 11 bad grid code
        "多错,1380000,623025999,,火星语,\n"  # 12 several problems
    ).encode()
    report = import_contacts(session, system, data, "c.csv")
    assert reasons(report) == {
        3: "bad_phone",
        4: "unknown_grid",
        5: "bad_language",
        6: "bad_role",
        7: "duplicate_phone",
        8: "bad_households",
        9: "bad_phone",
        10: "bad_name",
        11: "bad_grid_code",
        12: "bad_phone",
    }
    errors = {rejection["row"]: rejection["error"] for rejection in report["rejected"]}
    assert "row 2" in errors[7]
    assert "format the column as text" in errors[9]
    assert "phone:" in errors[12] and "grid_code:" in errors[12] and "language:" in errors[12]
    assert report["counts"]["created"] == 1 and count(session) == 1


def test_a_township_coordinator_cannot_reach_another_township(session, tree):
    add_contact(session, tree["623025102201"], "+8613800000099", name="欧拉的人", language="bo")
    actor = scoped(session, "623025101")
    data = (
        "name,phone,grid_code\n"
        "他乡,13800000001,623025102201\n"  # 2 grid in 欧拉镇
        "改名,13800000099,623025101201\n"  # 3 phone of a contact in 欧拉镇
        "本乡,13800000003,623025101201\n"  # 4 ok
        "无乡,13800000004,623025102299\n"  # 5 a grid code nobody has
    ).encode()
    report = import_contacts(session, actor, data, "c.csv")
    assert reasons(report) == {2: "unknown_grid", 3: "phone_in_use", 5: "unknown_grid"}
    by_row = {rejection["row"]: rejection["error"] for rejection in report["rejected"]}
    assert by_row[2] == "grid_code: unknown grid code 623025102201"
    assert by_row[2] == by_row[5].replace("623025102299", "623025102201")
    assert by_row[3] == "phone: this phone number is already in use"
    assert "scope" not in str(report)
    session.expire_all()
    stranger = contact(session, "+8613800000099")
    assert (stranger.name, stranger.grid_id) == ("欧拉的人", tree["623025102201"])
    assert contact(session, "+8613800000001") is None


@pytest.mark.parametrize("few_values", [2000, 0], ids=["in-query", "table-scan"])
def test_reimport_updates_by_phone_and_empty_cells_keep_values(session, tree, system, monkeypatch, few_values):
    monkeypatch.setattr("campaigns.directory.import_reports.FEW_VALUES", few_values)
    add_contact(session, tree["623025101201"], "+8613800000001", name="才让", language="bo", households=4)
    add_contact(session, tree["623025101201"], "+8613800000002", name="卓玛")
    data = (
        "name,phone,grid_code,language,households,tags\n"
        "才让吉,13800000001,623025101202,,,牧民\n"
        "卓玛,13800000002,623025101201,,,\n"
        "新人,13800000003,623025101201,zh,,\n"
    ).encode()
    report = import_contacts(session, system, data, "c.csv")
    assert report["counts"] == {"total": 3, "created": 1, "updated": 1, "unchanged": 1, "rejected": 0}
    session.expire_all()
    updated = contact(session, "+8613800000001")
    assert (updated.name, updated.grid_id, updated.language, updated.households, updated.tags) == (
        "才让吉",
        tree["623025101202"],
        "bo",
        4,
        ["牧民"],
    )
    again = import_contacts(session, system, data, "c.csv")
    assert again["counts"] == {"total": 3, "created": 0, "updated": 0, "unchanged": 3, "rejected": 0}


def test_dry_run_writes_no_contact_but_saves_the_report(session, tree, system):
    add_contact(session, tree["623025101201"], "+8613800000001", name="旧名")
    data = "name,phone,grid_code\n新名,13800000001,623025101201\n新人,13800000002,623025101201\n坏,1,x\n".encode()
    report = import_contacts(session, system, data, "c.csv", dry_run=True)
    assert report["dry_run"] is True
    assert report["counts"] == {"total": 3, "created": 1, "updated": 1, "unchanged": 0, "rejected": 1}
    session.expire_all()
    assert count(session) == 1 and contact(session, "+8613800000001").name == "旧名"
    stored = session.get(ImportReport, report["id"])
    assert (stored.kind, stored.dry_run, stored.counts["rejected"]) == ("contacts", True, 1)


def test_rejected_rows_download_keeps_the_columns_and_imports_back_once_fixed(session, tree, system):
    data = "姓名,手机,网格编码,备注\n才让,1380000,623025101201,村口\n卓玛,13800000002,623025101201,\n".encode()
    report = import_contacts(session, system, data, "c.csv")
    assert report["ignored_columns"] == ["备注"]
    text = "".join(rejected_csv(session, system, report["id"]))
    assert text.startswith("\ufeff姓名,手机,网格编码,备注,error\r\n才让,1380000,623025101201,村口,row 2: phone:")
    fixed = text.replace("1380000,", "13800000001,").encode()
    again = import_contacts(session, system, fixed, "rejects.csv")
    assert again["counts"]["created"] == 1 and again["rejected"] == []
    assert again["ignored_columns"] == ["备注", "error"]
    assert contact(session, "+8613800000001").name == "才让"


def test_a_viewer_cannot_import(session, tree):
    with pytest.raises(PermissionDenied):
        import_contacts(session, scoped(session, "623025101", "viewer"), b"name,phone,grid_code\n", "c.csv")


def test_thousands_of_rows_go_in_with_a_few_bulk_statements(session, tree, system):
    lines = ["name,phone,grid_code,tags"]
    lines += [f"人{n},1380000{n:04d},623025101201,a;b" for n in range(3000)]
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("INSERT INTO CONTACTS", "INSERT INTO CONTACT_TAGS")):
            statements.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        report = import_contacts(session, system, "\n".join(lines).encode(), "big.csv")
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert report["counts"]["created"] == 3000
    assert len(statements) <= 20
    assert contact(session, "+8613800002999").tags == ["a", "b"]
