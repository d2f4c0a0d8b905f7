"""`gridcast grids import`, `gridcast contacts import` and `gridcast contacts export`: spreadsheets in and out.

Imports run in the command itself (no worker), within the same GRIDCAST_IMPORT_* limits as uploads, with a
progress bar on a terminal. Commands act as the system (everything in scope) unless `--as USERNAME` names a staff
account, whose role and scope then apply exactly as in the API.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.common.db import unit_of_work
from campaigns.common.errors import DomainError
from campaigns.common.upload_limits import check_upload_size
from campaigns.directory import contact_export, contact_import, grid_import
from campaigns.directory import import_reports as imports
from campaigns.directory.tabular import csv_chunks, xlsx_bytes
from campaigns.identity.access import Actor, find_grid_by_code
from campaigns.identity.accounts import actor_for
from campaigns.models import ImportKind, User
from gateway.runtime import current_runtime

SHOWN_REJECTIONS = 20


def _actor(session: Session, username: str | None) -> Actor:
    if username is None:
        return Actor.system()
    user = session.scalar(select(User).where(User.username == username))
    if user is None or user.disabled_at is not None:
        raise click.ClickException(f"no active staff account is called {username!r}")
    return actor_for(user)


def read_input_file(path: str) -> bytes:
    """The bytes of a file named on the command line; a ClickException saying why it cannot be read."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise click.ClickException(f"cannot read {path}: {exc.strerror or exc}") from exc


class _ProgressBar:
    """A click progress bar on stderr, opened on the first report of progress; nothing when stderr is no terminal."""

    def __init__(self, label: str):
        self.label, self.bar = label, None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=max(total, 1), label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def _echo_report(report: dict, as_json: bool) -> None:
    if as_json:
        keys = ("id", "kind", "filename", "dry_run", "counts", "ignored_columns", "rejected")
        click.echo(json.dumps({key: report[key] for key in keys}, ensure_ascii=False))
        return
    counts = report["counts"]
    what = "dry run of" if report["dry_run"] else "imported"
    click.echo(
        f"{what} {report['filename']}: {counts['total']} rows, {counts['created']} created, "
        f"{counts['updated']} updated, {counts['unchanged']} unchanged, {counts['rejected']} rejected "
        f"(import report {report['id']})" + (" - nothing was written" if report["dry_run"] else "")
    )
    if report["ignored_columns"]:
        click.echo(f"ignored columns: {', '.join(report['ignored_columns'])}")
    for rejection in report["rejected"][:SHOWN_REJECTIONS]:
        click.echo(f"row {rejection['row']} ({rejection['reason']}): {rejection['error']}")
    hidden = len(report["rejected"]) - SHOWN_REJECTIONS
    if hidden > 0:
        click.echo(f"... and {hidden} more rejected rows (see --rejects FILE or --json)")


def _run_import(kind: str, path: str, username: str | None, dry_run: bool, as_json: bool, rejects: str | None):
    runtime = current_runtime()
    limits = runtime.settings.import_limits
    try:
        check_upload_size(Path(path).stat().st_size, limits)
    except DomainError as exc:
        raise click.ClickException(f"{path}: {exc.message}") from exc
    except OSError:
        pass
    data = read_input_file(path)
    progress = _ProgressBar(f"importing {kind}") if sys.stderr.isatty() and not as_json else None
    try:
        with unit_of_work(runtime.session_factory) as session:
            actor = _actor(session, username)
            options = {"dry_run": dry_run, "progress": progress, "rejected_limit": None, "limits": limits}
            if kind == ImportKind.GRIDS:
                report = grid_import.import_grids(session, actor, data, Path(path).name, **options)
            else:
                region = runtime.settings.default_region
                report = contact_import.import_contacts(session, actor, data, Path(path).name, region=region, **options)
            rejected_text = "".join(imports.rejected_csv(session, actor, report["id"])) if rejects else ""
    except DomainError as exc:
        raise click.ClickException(f"{path}: {exc.message}") from exc
    finally:
        if progress is not None:
            progress.close()
    _echo_report(report, as_json)
    if rejects:
        Path(rejects).write_text(rejected_text, encoding="utf-8", newline="")
        if not as_json:
            click.echo(f"{len(report['rejected'])} rejected rows written to {rejects}")


def _import_options(command):
    options = [
        click.argument("file", type=click.Path(dir_okay=False)),
        click.option("--dry-run", is_flag=True, help="check and report only; write nothing but the report"),
        click.option("--json", "as_json", is_flag=True, help="print one JSON object: counts and rejected rows"),
        click.option("--rejects", type=click.Path(dir_okay=False), help="write the rejected rows to this CSV file"),
        click.option("--as", "username", help="act as this staff account (default: the system, no scope)"),
        with_appcontext,
    ]
    for option in reversed(options):
        command = option(command)
    return command


@click.group("grids", help="Grids: import a tree of grids from a spreadsheet.")
def grids_group() -> None:
    pass


@grids_group.command("import")
@_import_options
def import_grids_command(file, dry_run, as_json, rejects, username) -> None:
    """Import grids from a CSV or XLSX FILE with columns code, name, parent_code, level (or 编码, 名称, 上级编码,
    层级). Known codes are updated; a changed parent moves the grid with its subtree."""
    _run_import(ImportKind.GRIDS, file, username, dry_run, as_json, rejects)


@click.group("contacts", help="Contacts: import and export spreadsheets.")
def contacts_group() -> None:
    pass


@contacts_group.command("import")
@_import_options
def import_contacts_command(file, dry_run, as_json, rejects, username) -> None:
    """Import contacts from a CSV (UTF-8 or GB18030) or XLSX FILE with columns name, phone, grid_code and
    optionally role, language, channels, households, tags (or 姓名, 手机, 网格编码, 角色, 语言, 渠道, 户数, 标签).
    A known phone updates its contact."""
    _run_import(ImportKind.CONTACTS, file, username, dry_run, as_json, rejects)


@contacts_group.command("export")
@click.option("--format", "export_format", type=click.Choice(contact_export.EXPORT_FORMATS), default="csv")
@click.option("--grid", "grid_code", help="only this grid's subtree (its code)")
@click.option("--role", help="only this role")
@click.option("--language", help="only this language")
@click.option("--tag", help="only contacts with this tag")
@click.option("--opted-out/--not-opted-out", "opted_out", default=None, help="only opted-out / reachable contacts")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="file to write (CSV default: standard output)")
@click.option("--as", "username", help="act as this staff account (default: the system, no scope)")
@with_appcontext
def export_contacts_command(export_format, grid_code, role, language, tag, opted_out, output, username) -> None:
    """Export contacts as CSV or XLSX, with the import's columns, so the file can be edited and imported back."""
    if export_format == "xlsx" and not output:
        raise click.UsageError("an XLSX export needs -o FILE")
    try:
        with unit_of_work(current_runtime().session_factory) as session:
            actor = _actor(session, username)
            grid_id = find_grid_by_code(session, actor, grid_code).id if grid_code else None
            filters = {"grid_id": grid_id, "role": role, "language": language, "tag": tag, "opted_out": opted_out}
            rows = list(contact_export.export_rows(session, actor, **filters))
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    data = xlsx_bytes(rows, title="contacts") if export_format == "xlsx" else "".join(csv_chunks(rows)).encode("utf-8")
    if output:
        Path(output).write_bytes(data)
        click.echo(f"exported {len(rows) - 1} contacts to {output}", err=True)
    else:
        click.echo(data, nl=False)
