"""Import limits: upload size, an XLSX's declared unpacked size and packing ratio (checked before inflating), rows,
columns and cell length (checked while streaming), each naming the limit and the value found."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from openpyxl import Workbook

from campaigns.common.errors import ValidationError
from campaigns.common.upload_limits import ImportLimits, LimitExceeded, UploadTooLarge
from campaigns.directory.contact_import import import_contacts
from campaigns.directory.import_reports import ImportOutcome, rejected_csv
from campaigns.directory.tabular import read_rows
from campaigns.models import ImportReport

SMALL = ImportLimits(
    max_upload_bytes=200_000,
    max_unpacked_bytes=400_000,
    max_compression_ratio=100,
    max_rows=5,
    max_columns=4,
    max_cell_chars=50,
)


def xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def csv_bytes(rows: list[list[str]]) -> bytes:
    return "".join(",".join(row) + "\n" for row in rows).encode()


HEADER = ["姓名", "手机", "网格编码"]
ROW = ["才让", "13800000001", "623025101201"]


@pytest.mark.parametrize("make", [csv_bytes, xlsx], ids=["csv", "xlsx"])
def test_files_within_the_limits_are_read(make):
    assert read_rows(make([HEADER, ROW, ROW, ROW, ROW]), "f", SMALL)[-1] == (5, ROW)


@pytest.mark.parametrize("make", [csv_bytes, xlsx], ids=["csv", "xlsx"])
@pytest.mark.parametrize(
    ("rows", "limit", "value", "words"),
    [
        ([HEADER] + [ROW] * 5, "max_rows", 6, "more than 5 rows"),
        ([HEADER, [*ROW, "a", "b"]], "max_columns", 5, "row 2 has 5 columns"),
        ([HEADER, ROW, ["才让", "x" * 51, "623025101201"]], "max_cell_chars", 51, "cell B3 holds 51 characters"),
    ],
    ids=["rows", "columns", "cell"],
)
def test_a_limit_hit_while_streaming_names_the_limit_and_the_value(make, rows, limit, value, words):
    with pytest.raises(LimitExceeded) as caught:
        read_rows(make(rows), "f", SMALL)
    assert caught.value.limit == limit and caught.value.maximum == getattr(SMALL, limit)
    assert caught.value.value == value and words in caught.value.message and f"({limit})" in caught.value.message


def test_trailing_empty_cells_do_not_count_as_columns():
    assert read_rows(csv_bytes([HEADER, [*ROW, "", "", ""]]), "f", SMALL)[1] == (2, ROW)


def test_an_xlsx_row_far_beyond_the_last_column_stops_at_the_column_limit():
    data = xlsx([HEADER, {1: "才让", 16384: "far away"}])
    with pytest.raises(LimitExceeded, match="row 2 has 16,384 columns; the limit is 4"):
        read_rows(data, "f", SMALL)


def test_a_csv_cell_beyond_the_csv_modules_own_limit_is_named_as_the_cell_limit():
    data = csv_bytes([HEADER, ["才让", '"' + "x" * 140_000 + '"', "1"]])
    with pytest.raises(LimitExceeded, match="cell A2 holds more characters than that") as caught:
        read_rows(data, "f", ImportLimits(max_cell_chars=1000))
    assert caught.value.limit == "max_cell_chars"


def test_an_upload_over_the_size_limit_is_refused_before_it_is_read():
    with pytest.raises(UploadTooLarge, match=r"too large: 0.2 MB; the limit is 0.2 MB") as caught:
        read_rows(b"x" * 200_001, "f", SMALL)
    assert caught.value.limit == "max_upload_bytes" and caught.value.value == 200_001


def test_an_xlsx_whose_cells_unpack_past_the_limit_is_refused_from_its_directory():
    data = xlsx([HEADER, [f"{'x' * 30_000}{column}" for column in range(20)]])
    assert len(data) < 20_000
    with pytest.raises(LimitExceeded, match="unpacks to") as caught:
        read_rows(data, "f", SMALL)
    assert caught.value.limit == "max_unpacked_bytes" and caught.value.value > 500_000


def _zip_bomb_member(declared_sheet: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(xlsx([HEADER, ROW])))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = declared_sheet if member.filename == "xl/worksheets/sheet1.xml" else source.read(member)
            target.writestr(member.filename, data)
    return output.getvalue()


def test_an_xlsx_packed_like_a_zip_bomb_is_refused_by_its_ratio_before_inflating():
    sheet = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    data = _zip_bomb_member(sheet + b" " * 3_000_000 + b"<sheetData/></worksheet>")
    limits = ImportLimits(max_unpacked_bytes=10_000_000, max_compression_ratio=100)
    with pytest.raises(LimitExceeded, match=r"sheet1\.xml unpacks") as caught:
        read_rows(data, "f", limits)
    assert caught.value.limit == "max_compression_ratio" and caught.value.value > 100


def test_zipfile_never_inflates_a_member_past_its_declared_size():
    """The directory check relies on this: a member that declares fewer bytes than it holds fails to read."""
    data = bytearray(_zip_bomb_member(b"<worksheet>" + b" " * 100_000 + b"</worksheet>"))
    name = b"xl/worksheets/sheet1.xml"
    entry = data.find(b"PK\x01\x02")
    while data[entry + 46 : entry + 46 + len(name)] != name:
        entry = data.find(b"PK\x01\x02", entry + 1)
    data[entry + 24 : entry + 28] = (1000).to_bytes(4, "little")
    archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    assert archive.getinfo(name.decode()).file_size == 1000
    with pytest.raises(zipfile.BadZipFile):
        archive.read(name.decode())


def test_an_xlsx_with_a_lone_cell_a_million_rows_down_stops_at_the_row_limit():
    workbook = Workbook()
    workbook.active.append(HEADER)
    workbook.active.cell(row=1_000_000, column=1, value="才让")
    output = io.BytesIO()
    workbook.save(output)
    with pytest.raises(LimitExceeded, match="more than 5 rows") as caught:
        read_rows(output.getvalue(), "f", SMALL)
    assert caught.value.value == 6


def test_a_rejected_row_keeps_a_bounded_excerpt_marked_truncated_in_the_report_and_rejected_csv(session, tree, system):
    long_name = "长" * 900
    data = csv_bytes([HEADER, [long_name, "13800000001", "623025101201"], ["才让", "x", "623025101201"]])
    report = import_contacts(session, system, data, "long.csv", dry_run=True)
    first, second = report["rejected"]
    assert first["reason"] == "bad_name" and first["truncated"] is True
    assert first["values"][0] == "长" * 200 + "…" and first["values"][1:] == ["13800000001", "623025101201"]
    assert second["truncated"] is False and second["values"] == ["才让", "x", "623025101201"]
    stored = session.get(ImportReport, report["id"])
    assert len(json.dumps(stored.rejected, ensure_ascii=False)) < 1500  # cut cells, errors and each problem's details
    rejected = "".join(rejected_csv(session, system, report["id"]))
    assert "长" * 201 not in rejected and "(cells cut to 200 characters)" in rejected


def test_rejected_cells_beyond_the_reports_budget_are_left_out():
    outcome = ImportOutcome("contacts", HEADER, [], excerpt_budget=50)
    for row in range(2, 12):
        problem = ValidationError.coded("phone.empty", "phone is empty")
        outcome.reject(row, "bad_phone", [problem], [f"名字{row}", "x" * 10, "623025101201"])
    kept = [rejection for rejection in outcome.rejected if rejection.values]
    assert len(kept) == 2 and not any(rejection.truncated for rejection in kept)
    assert all(rejection.truncated for rejection in outcome.rejected[2:]) and len(outcome.rejected) == 10
