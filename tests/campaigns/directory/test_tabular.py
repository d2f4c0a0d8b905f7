"""Reading CSV/XLSX uploads (encodings, numbering, header aliases) and writing formula-safe CSV/XLSX."""

from __future__ import annotations

import codecs
import io

import pytest
from openpyxl import Workbook, load_workbook

from campaigns.common.errors import ValidationError
from campaigns.directory.tabular import csv_chunks, decode_text, defuse, read_rows, read_table, undefuse, xlsx_bytes

ALIASES = {"name": ("姓名",), "phone": ("手机", "手机号"), "tags": ("标签",)}
REQUIRED = ("name", "phone")


def xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        "姓名,手机\n才让,13800000001\n".encode(),
        codecs.BOM_UTF8 + "姓名,手机\n才让,13800000001\n".encode(),
        "姓名,手机\n才让,13800000001\n".encode("gb18030"),
        "姓名\t手机\r\n才让\t13800000001\r\n".encode("utf-16"),
    ],
    ids=["utf8", "utf8-bom", "gb18030", "utf16-tabs"],
)
def test_csv_encodings_read_to_the_same_rows(data):
    assert read_rows(data, "x.csv") == [(1, ["姓名", "手机"]), (2, ["才让", "13800000001"])]


def test_gb18030_bytes_are_not_valid_utf8_and_still_decode():
    data = "卓玛".encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert decode_text(data) == "卓玛"


def test_xlsx_numbers_become_plain_digits_and_rows_keep_spreadsheet_numbers():
    title, header = ["齐哈玛镇联系人名单"], ["姓名", "手机号(必填)"]
    data = xlsx([title, [], header, ["才让", 13800000001.0], [], ["卓玛", 13800000002]])
    table = read_table(data, "list.xlsx", ALIASES, REQUIRED)
    assert table.headers == ["姓名", "手机号(必填)"]
    assert table.rows == [(4, ["才让", "13800000001"]), (6, ["卓玛", "13800000002"])]
    assert table.columns == {"name": 0, "phone": 1}


def test_header_aliases_ignore_case_spaces_and_marks_and_report_unknown_columns():
    table = read_table(" Name* ,PHONE,序号,error\na,1,2,old\n".encode(), "x.csv", ALIASES, REQUIRED)
    assert table.columns == {"name": 0, "phone": 1}
    assert table.ignored == ["序号", "error"]
    assert table.get(table.rows[0][1], "tags") is None


def test_missing_columns_are_named_with_the_known_ones():
    with pytest.raises(ValidationError) as caught:
        read_table("姓名,电话号\n才让,1\n".encode(), "x.csv", ALIASES, REQUIRED)
    message = caught.value.message
    assert "missing columns: phone" in message
    assert "姓名, 电话号" in message
    assert "phone (手机/手机号)" in message


def test_two_columns_for_one_field_are_refused():
    with pytest.raises(ValidationError, match="both hold phone"):
        read_table("name,手机,phone\n".encode(), "x.csv", ALIASES, REQUIRED)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "old Excel .xls"),
        (b"PK\x03\x04not really a zip", "cannot be read as an Excel"),
        (b"\xff\xfe\x00\x00\x81", "neither UTF-8"),
        (b"name\x00,phone\n", "neither UTF-8"),
    ],
)
def test_unreadable_files_raise_a_clear_validation_error(data, message):
    with pytest.raises(ValidationError, match=message):
        read_rows(data, "x")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("+8613800000001", "+8613800000001"),
        ("+86 138 0000 0001", "'+86 138 0000 0001"),
        ("+12345", "'+12345"),
        ("才让", "才让"),
        (";=1+2", "';=1+2"),
        ("'=1+2", "''=1+2"),
        ("'才让", "''才让"),
        ("", ""),
    ],
)
def test_defuse_prefixes_formula_starts_except_e164_phones(value, expected):
    assert defuse(value) == expected
    assert undefuse(defuse(value)) == value


def test_csv_chunks_write_a_bom_and_defused_cells():
    text = "".join(csv_chunks([["name", "phone"], ["=1+1", "+8613800000001"], ["才让", "-"]], rows_per_chunk=1))
    assert text == "\ufeffname,phone\r\n'=1+1,+8613800000001\r\n才让,'-\r\n"


def test_xlsx_cells_are_all_strings_never_formulas():
    data = xlsx_bytes([["name", "households"], ["=1+1", "3"], ["@cmd", "+8613800000001"]])
    sheet = load_workbook(io.BytesIO(data)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert {cell.data_type for cell in cells} == {"s"}, "text cells only: no formula (f) and no number (n)"
    assert [cell.value for cell in cells] == ["name", "households", "'=1+1", "3", "'@cmd", "+8613800000001"]
