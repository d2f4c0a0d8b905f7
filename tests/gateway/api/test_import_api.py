"""Import/export over the API (multipart uploads, reports, rejected rows, export) and the `gridcast` CLI commands."""

from __future__ import annotations

import io
import json

from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from campaigns.identity import accounts
from campaigns.identity.access import Actor
from campaigns.models import Contact, Grid
from gateway.cli.import_commands import contacts_group, grids_group
from tests.factories import add_contact

CONTACTS = "姓名,手机,网格编码\n才让,13800000001,623025101201\n他乡,13800000002,623025102201\n".encode()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def upload(client, path: str, token: str, data: bytes, filename: str = "list.csv", **form):
    body = {"file": (io.BytesIO(data), filename), **form}
    return client.post(path, data=body, headers=bearer(token), content_type="multipart/form-data")


def phones(session_factory) -> list[str]:
    with session_factory() as session:
        return sorted(session.scalars(select(Contact.phone)))


def test_contact_upload_reports_rejected_rows_and_serves_them(client, make_token, session_factory):
    token = make_token("coordinator", "623025101")
    response = upload(client, "/api/v1/contacts/import", token, CONTACTS)
    assert response.status_code == 201, response.json
    report = response.json
    assert report["counts"] == {"total": 2, "created": 1, "updated": 0, "unchanged": 0, "rejected": 1}
    assert report["rejected"][0]["row"] == 3 and report["rejected"][0]["reason"] == "unknown_grid"
    assert report["rejected_url"] == f"/api/v1/imports/{report['id']}/rejected.csv"
    assert response.headers["Location"].endswith(f"/api/v1/imports/{report['id']}")
    assert phones(session_factory) == ["+8613800000001"]
    fetched = client.get(f"/api/v1/imports/{report['id']}", headers=bearer(token))
    assert fetched.status_code == 200 and fetched.json["counts"] == report["counts"]
    rejected = client.get(report["rejected_url"], headers=bearer(token))
    assert rejected.status_code == 200 and rejected.mimetype == "text/csv"
    assert rejected.get_data(as_text=True).startswith(
        "\ufeff姓名,手机,网格编码,error\r\n他乡,13800000002,623025102201,row 3:"
    )


def test_dry_run_upload_writes_nothing(client, make_token, session_factory):
    response = upload(client, "/api/v1/contacts/import", make_token("admin"), CONTACTS, dry_run="true")
    assert response.status_code == 201
    assert response.json["dry_run"] is True and response.json["counts"]["created"] == 2
    assert phones(session_factory) == []


def test_grid_upload_from_xlsx(client, make_token, session_factory):
    workbook = Workbook()
    workbook.active.append(["编码", "名称", "上级编码", "层级"])
    workbook.active.append(["62302510120301", "新村一组", 623025101203, "组"])
    workbook.active.append([623025101203, "新村", 623025101, "村"])
    data = io.BytesIO()
    workbook.save(data)
    response = upload(client, "/api/v1/grids/import", make_token("coordinator", "623025101"), data.getvalue(), "g.xlsx")
    assert response.status_code == 201, response.json
    assert response.json["kind"] == "grids" and response.json["counts"]["created"] == 2
    with session_factory() as session:
        assert session.scalar(select(Grid.name).where(Grid.code == "62302510120301")) == "新村一组"


def test_only_the_author_or_a_covering_admin_sees_a_report(client, make_token):
    author = make_token("coordinator", "623025101")
    report_id = upload(client, "/api/v1/contacts/import", author, CONTACTS).json["id"]
    allowed = [make_token("admin"), make_token("admin", "623025")]
    refused = [make_token("coordinator", "623025101"), make_token("admin", "623025102"), make_token("viewer", "623025")]
    for token in allowed:
        assert client.get(f"/api/v1/imports/{report_id}", headers=bearer(token)).status_code == 200
    for token in refused:
        assert client.get(f"/api/v1/imports/{report_id}", headers=bearer(token)).status_code == 404
        assert client.get(f"/api/v1/imports/{report_id}/rejected.csv", headers=bearer(token)).status_code == 404


def test_viewers_may_export_but_not_import(client, make_token, session_factory, tree):
    with session_factory.begin() as session:
        add_contact(session, tree["623025101201"], "+8613800000001", name="才让")
        add_contact(session, tree["623025102201"], "+8613800000002", name="=1+1")
    viewer = make_token("viewer", "623025101")
    assert upload(client, "/api/v1/contacts/import", viewer, CONTACTS).status_code == 403
    response = client.get("/api/v1/contacts/export", headers=bearer(viewer))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    lines = response.get_data(as_text=True).splitlines()
    assert len(lines) == 2 and lines[1].startswith("才让,+8613800000001,")
    admin = make_token("admin")
    everything = client.get("/api/v1/contacts/export?format=csv", headers=bearer(admin)).get_data(as_text=True)
    assert "'=1+1,+8613800000002" in everything
    xlsx = client.get(f"/api/v1/contacts/export?format=xlsx&grid_id={tree['623025102']}", headers=bearer(admin))
    assert xlsx.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = list(load_workbook(io.BytesIO(xlsx.data)).active.iter_rows(values_only=True))
    assert [row[:2] for row in rows[1:]] == [("'=1+1", "+8613800000002")]


def test_bad_requests_are_422_or_404(client, make_token, tree):
    admin, township = make_token("admin"), make_token("coordinator", "623025101")
    missing_file = client.post("/api/v1/contacts/import", data={}, headers=bearer(admin))
    assert missing_file.status_code == 422 and missing_file.json["error"]["fields"] == {"file": "required"}
    bad_header = upload(client, "/api/v1/contacts/import", admin, "名字,电话号\n".encode())
    assert bad_header.status_code == 422 and "missing columns: phone, grid_code" in bad_header.json["error"]["message"]
    assert upload(client, "/api/v1/grids/import", admin, CONTACTS, dry_run="maybe").status_code == 422
    assert client.get("/api/v1/contacts/export?format=pdf", headers=bearer(admin)).status_code == 422
    other = client.get(f"/api/v1/contacts/export?grid_id={tree['623025102']}", headers=bearer(township))
    assert other.status_code == 404
    assert client.get("/api/v1/imports/999999", headers=bearer(admin)).status_code == 404


def test_the_upload_form_reads_dry_run_as_a_form_does_and_wants_a_file(client, make_token):
    admin = make_token("admin")
    for value, dry_run in ((" Yes ", True), ("0", False), ("", False)):
        response = upload(client, "/api/v1/contacts/import", admin, CONTACTS, dry_run=value)
        assert response.status_code == 201 and response.json["dry_run"] is dry_run
    as_text = client.post(
        "/api/v1/contacts/import",
        data={"file": CONTACTS.decode()},
        headers=bearer(admin),
        content_type="multipart/form-data",
    )
    assert as_text.status_code == 422 and as_text.json["error"]["fields"] == {"file": "required"}


def test_the_routes_are_documented(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    upload_body = paths["/api/v1/contacts/import"]["post"]["requestBody"]["content"]["multipart/form-data"]
    assert upload_body["schema"] == {"$ref": "#/components/schemas/ImportUpload"}
    assert "text/csv" in paths["/api/v1/imports/{report_id}/rejected.csv"]["get"]["responses"]["200"]["content"]
    assert set(paths["/api/v1/contacts/export"]["get"]["responses"]["200"]["content"]) == {
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    assert "/api/v1/grids/import" in paths and "/api/v1/imports/{report_id}" in paths


def test_cli_contact_import_json_rejects_file_and_acting_as_a_user(app, tree, session_factory, tmp_path):
    with session_factory.begin() as session:
        accounts.create_user(session, Actor.system(), username="maqu", role="coordinator", scope_grid_code="623025101")
    source, rejects = tmp_path / "list.csv", tmp_path / "rejects.csv"
    source.write_bytes(CONTACTS.decode().encode("gb18030"))
    runner = app.test_cli_runner()
    result = runner.invoke(contacts_group, ["import", str(source), "--json", "--as", "maqu", "--rejects", str(rejects)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["counts"] == {"total": 2, "created": 1, "updated": 0, "unchanged": 0, "rejected": 1}
    assert report["rejected"][0]["reason"] == "unknown_grid"
    assert rejects.read_text(encoding="utf-8-sig").splitlines()[0] == "姓名,手机,网格编码,error"
    again = runner.invoke(contacts_group, ["import", str(source), "--dry-run"])
    assert again.exit_code == 0
    assert "dry run of list.csv: 2 rows, 1 created, 0 updated, 1 unchanged, 0 rejected" in again.output
    assert phones(session_factory) == ["+8613800000001"]


def test_cli_errors_are_clear_and_exit_non_zero(app, tree, tmp_path):
    runner = app.test_cli_runner()
    bad = tmp_path / "bad.csv"
    bad.write_text("名字,电话号\n才让,1\n", encoding="utf-8")
    result = runner.invoke(contacts_group, ["import", str(bad)])
    assert result.exit_code != 0
    assert "missing columns: phone, grid_code" in result.output and "Known columns: name (" in result.output
    missing = runner.invoke(grids_group, ["import", str(tmp_path / "nope.csv")])
    assert missing.exit_code != 0 and "cannot read" in missing.output
    nobody = runner.invoke(contacts_group, ["import", str(bad), "--as", "nobody"])
    assert nobody.exit_code != 0 and "nobody" in nobody.output


def test_cli_grid_import_and_contact_export(app, tree, session_factory, tmp_path):
    grids = tmp_path / "grids.csv"
    grids.write_text("code,name,parent_code,level\n623025101203,新村,623025101,village\n", encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(grids_group, ["import", str(grids)])
    assert result.exit_code == 0 and "1 created" in result.output
    with session_factory.begin() as session:
        add_contact(session, tree["623025101201"], "+8613800000001", name="才让")
        add_contact(session, tree["623025102201"], "+8613800000002", name="卓玛")
    out = tmp_path / "out.xlsx"
    exported = runner.invoke(contacts_group, ["export", "--format", "xlsx", "--grid", "623025101", "-o", str(out)])
    assert exported.exit_code == 0, exported.output
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert [row[0] for row in rows] == ["name", "才让"]
    to_stdout = runner.invoke(contacts_group, ["export", "--language", "zh"])
    assert to_stdout.exit_code == 0
    assert to_stdout.stdout.count("\n") == 3 and "卓玛" in to_stdout.stdout
