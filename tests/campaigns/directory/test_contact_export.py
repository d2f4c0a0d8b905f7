"""Contact export: columns, scope and filters, formula injection defused (CSV and XLSX), and round trips."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, select

from campaigns.directory.contact_export import EXPORT_HEADERS, export_csv, export_xlsx
from campaigns.directory.contact_import import import_contacts
from campaigns.directory.contacts import contact_to_dict, set_opted_out
from campaigns.identity.access import Actor
from campaigns.models import Contact, ContactTag, Grid
from tests.factories import add_contact

EVIL_NAME = '=HYPERLINK("http://evil.example","点我")'


def rows_of(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def scoped(session, code: str, role: str = "viewer") -> Actor:
    path = session.scalar(select(Grid.path).where(Grid.code == code))
    return Actor(user_id=None, role=role, scope_path=path)


def fill(session, tree) -> None:
    leader = add_contact(
        session, tree["623025101201"], "+8613800000001", name="才让", role="grid_leader", language="bo"
    )
    leader.tag_rows = [ContactTag(tag="牧民"), ContactTag(tag="@tag")]
    add_contact(session, tree["623025101202"], "+8613800000002", name=EVIL_NAME, channels=["sms"], households=3)
    add_contact(session, tree["623025102201"], "+8613800000003", name="-欧拉", language="bo")
    session.flush()


def snapshot(session) -> list[dict]:
    session.expire_all()
    contacts = session.scalars(select(Contact).order_by(Contact.phone)).all()
    return [{k: v for k, v in contact_to_dict(c).items() if k != "id"} for c in contacts]


def test_csv_export_has_the_import_columns_and_defused_cells(session, tree, system):
    fill(session, tree)
    set_opted_out(session, system, session.scalar(select(Contact.id).where(Contact.name == "-欧拉")), True)
    rows = rows_of("".join(export_csv(session, system)))
    assert rows[0] == EXPORT_HEADERS
    assert rows[1:] == [
        ["才让", "+8613800000001", "623025101201", "秀玛村", "grid_leader", "bo", "sms,voice", "1", "'@tag,牧民", ""],
        ["'" + EVIL_NAME, "+8613800000002", "623025101202", "萨合塘村", "household_head", "zh", "sms", "3", "", ""],
        ["'-欧拉", "+8613800000003", "623025102201", "达尔庆村", "household_head", "bo", "sms,voice", "1", "", "yes"],
    ]


def test_export_only_holds_the_callers_subtree_and_honours_filters(session, tree, system):
    fill(session, tree)
    township = scoped(session, "623025101")
    phones = [row[1] for row in rows_of("".join(export_csv(session, township)))[1:]]
    assert phones == ["+8613800000001", "+8613800000002"]
    by_language = rows_of("".join(export_csv(session, system, language="藏语")))[1:]
    assert [row[1] for row in by_language] == ["+8613800000001", "+8613800000003"]
    by_grid = rows_of("".join(export_csv(session, system, grid_id=tree["623025101202"], role="household_head")))
    assert [row[1] for row in by_grid[1:]] == ["+8613800000002"]
    assert len(rows_of("".join(export_csv(session, system, tag="牧民")))) == 2


def test_xlsx_export_writes_every_value_as_a_defused_string(session, tree, system):
    fill(session, tree)
    data = export_xlsx(session, system)
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert xml.count("<c ") == xml.count('t="inlineStr"') == 4 * len(EXPORT_HEADERS)
    assert "<f>" not in xml and "<v>" not in xml
    sheet = load_workbook(io.BytesIO(data)).active
    values = [[cell.value or "" for cell in row] for row in sheet.iter_rows()]
    assert values[0] == EXPORT_HEADERS
    assert values[2][:2] == ["'" + EVIL_NAME, "+8613800000002"]
    assert values[1][7:9] == ["1", "'@tag,牧民"]


def test_csv_round_trip_reimports_unchanged_and_rebuilds_the_same_contacts(session, tree, system):
    fill(session, tree)
    before = snapshot(session)
    exported = "".join(export_csv(session, system)).encode("utf-8")
    report = import_contacts(session, system, exported, "export.csv")
    assert report["counts"] == {"total": 3, "created": 0, "updated": 0, "unchanged": 3, "rejected": 0}
    assert report["ignored_columns"] == ["grid_name", "opted_out"]
    session.execute(delete(Contact))
    report = import_contacts(session, system, exported, "export.csv")
    assert report["counts"]["created"] == 3
    assert snapshot(session) == before


def test_xlsx_round_trip_reimports_unchanged(session, tree, system):
    fill(session, tree)
    report = import_contacts(session, system, export_xlsx(session, system), "export.xlsx")
    assert report["counts"] == {"total": 3, "created": 0, "updated": 0, "unchanged": 3, "rejected": 0}


@pytest.mark.parametrize("name", [";=1+2", "'=1+2", "''=cmd", "'才让"])
@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_names_starting_with_a_quote_or_separator_round_trip_unchanged_and_defused(
    session, tree, system, name, export_format
):
    add_contact(session, tree["623025101201"], "+8613800000009", name=name)
    session.flush()
    if export_format == "csv":
        data = "".join(export_csv(session, system)).encode("utf-8")
        exported_name = rows_of(data.decode("utf-8"))[1][0]
    else:
        data = export_xlsx(session, system)
        exported_name = load_workbook(io.BytesIO(data)).active.cell(row=2, column=1).value
    assert exported_name == "'" + name, "the exported cell starts with an apostrophe: never a formula, never split"
    session.execute(delete(ContactTag))
    session.execute(delete(Contact))
    report = import_contacts(session, system, data, f"export.{export_format}")
    assert report["counts"]["created"] == 1, report["rejected"]
    assert session.scalar(select(Contact.name)) == name
