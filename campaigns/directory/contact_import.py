"""Contact import: a CSV or XLSX list of people, checked row by row, written in bulk.

Valid rows are written, every other row is rejected with its spreadsheet row number and a reason; nothing is
dropped or guessed. A phone belongs to one contact: a row whose phone is known updates that contact, if it lies in
the caller's scope; otherwise the row is refused as "already in use", without saying where. A grid outside the
caller's scope reads exactly like an unknown code. Existing phones and grids are loaded once; new contacts,
updates and tags go in bulk.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from campaigns.common.errors import DomainError, ValidationError
from campaigns.common.languages import normalize_language
from campaigns.common.phones import normalize_phone
from campaigns.common.text import clean_code
from campaigns.common.typed_sql import table_of
from campaigns.common.upload_limits import DEFAULT_LIMITS, ImportLimits
from campaigns.directory.contacts import clean_contact_name, clean_households, phone_in_use
from campaigns.directory.import_reports import (
    REJECTED_IN_RESPONSE,
    ImportAnswer,
    ImportOutcome,
    rows_matching,
    save_report,
)
from campaigns.directory.roles import normalize_channels, normalize_role, normalize_tags
from campaigns.directory.tabular import Table, read_table
from campaigns.identity.access import Actor, require_write
from campaigns.models import Channel, Contact, ContactRole, ContactTag, Grid, ImportKind
from campaigns.models.base import utcnow

CONTACT_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "联系人"),
    "phone": ("mobile", "手机", "电话", "手机号", "手机号码", "电话号码", "联系电话"),
    "grid_code": ("grid", "网格编码", "网格", "网格代码"),
    "role": ("角色", "职务"),
    "language": ("语言",),
    "channels": ("渠道",),
    "households": ("户数",),
    "tags": ("标签",),
}
REQUIRED = ("name", "phone", "grid_code")
DEFAULTS: dict[str, Any] = {
    "role": ContactRole.HOUSEHOLD_HEAD,
    "language": "zh",
    "channels": [Channel.SMS, Channel.VOICE],
    "households": 1,
}
OPTIONAL_CLEANERS: dict[str, Callable[[str], Any]] = {
    "role": normalize_role,
    "language": normalize_language,
    "channels": normalize_channels,
    "households": clean_households,
    "tags": normalize_tags,
}
COMPARED = ("name", "grid_id", "role", "language", "channels", "households")
CHUNK = 5000
SCIENTIFIC = re.compile(r"\d(\.\d+)?[eE]\+?\d+")
SPREADSHEET_FLOAT = re.compile(r"\+?\d+\.0")

Progress = Callable[[int, int], None]


@dataclass
class _Row:
    number: int
    values: list[str]
    phone: str
    fields: dict[str, Any]


class _Problem(Exception):
    def __init__(self, reason: str, error: ValidationError):
        super().__init__(error.message)
        self.reason, self.error = reason, error


def field_problem(field: str, error: DomainError) -> ValidationError:
    """A problem of one column of a row: "phone: phone 138 is not a valid number"."""
    return ValidationError.coded("import.field_problem", "%(field)s: %(problem)s", field=field, problem=error)


class _RowCleaner:
    """Cleans rows into contact fields; values that repeat (grid codes, roles, languages...) are cleaned once."""

    def __init__(self, table: Table, actor: Actor, grids: dict[str, tuple[int, str]], region: str):
        self.table, self.actor, self.grids, self.region = table, actor, grids, region
        self.memo: dict[tuple[str, str], Any] = {}
        self.steps: list[tuple[str, str, Callable[[str], Any], bool]] = [
            ("name", "name", clean_contact_name, False),
            ("phone", "phone", self.phone, False),
            ("grid_code", "grid_id", self.grid_id, True),
            *((field, field, clean, True) for field, clean in OPTIONAL_CLEANERS.items()),
        ]

    def phone(self, raw: str) -> str:
        text = raw.strip()
        if SCIENTIFIC.fullmatch(text):
            raise ValidationError.coded(
                "import.excel_long_number",
                "%(text)s is how Excel shows a long number: format the column as text and save again",
                text=text,
            )
        if SPREADSHEET_FLOAT.fullmatch(text):
            text = text[:-2]
        return normalize_phone(text, self.region)

    def grid_id(self, raw: str) -> int:
        code = clean_code(raw)
        grid = self.grids.get(code)
        if grid is None or not self.actor.sees_path(grid[1]):
            raise _Problem(
                "unknown_grid", ValidationError.coded("import.unknown_grid", "unknown grid code %(code)s", code=code)
            )
        return grid[0]

    def _run(self, field: str, clean: Callable[[str], Any], raw: str) -> Any:
        try:
            return clean(raw)
        except ValidationError as exc:
            return _Problem(f"bad_{field}", exc)
        except _Problem as problem:
            return problem

    def clean(self, values: list[str]) -> tuple[dict[str, Any], list[tuple[str, ValidationError]]]:
        """The cleaned fields of one row and the (reason, message) of every problem found in it."""
        fields: dict[str, Any] = {}
        problems: list[tuple[str, ValidationError]] = []
        for field, target, clean, cached in self.steps:
            raw = self.table.get(values, field)
            if raw is None or (not raw and field in OPTIONAL_CLEANERS):
                continue
            if cached:
                key = (field, raw)
                if key not in self.memo:
                    self.memo[key] = self._run(field, clean, raw)
                result = self.memo[key]
            else:
                result = self._run(field, clean, raw)
            if isinstance(result, _Problem):
                problems.append((result.reason, field_problem(field, result.error)))
            else:
                fields[target] = result
        return fields, problems


def _clean_rows(table, actor, grids, region, outcome: ImportOutcome, progress: Progress) -> list[_Row]:
    cleaner = _RowCleaner(table, actor, grids, region)
    first_row_of_phone: dict[str, int] = {}
    cleaned: list[_Row] = []
    for count, (number, values) in enumerate(table.rows, start=1):
        fields, problems = cleaner.clean(values)
        phone = fields.pop("phone", None)
        if phone is not None:
            first = first_row_of_phone.setdefault(phone, number)
            if first != number:
                duplicate = ValidationError.coded(
                    "import.duplicate_phone", "the same phone is on row %(row)s of this file", row=first
                )
                problems.insert(0, ("duplicate_phone", field_problem("phone", duplicate)))
        if problems:
            outcome.reject(number, problems[0][0], [problem[1] for problem in problems], values)
        else:
            cleaned.append(_Row(number, values, phone, fields))
        if count % 1000 == 0:
            progress(count, 2 * outcome.total)
    return cleaned


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing_contacts(session: Session, phones: list[str]) -> dict[str, dict[str, Any]]:
    query = select(Contact.id, Contact.phone, *(getattr(Contact, name) for name in COMPARED))
    return {row.phone: dict(row._mapping) for row in rows_matching(session, query, Contact.phone, phones)}


def _existing_tags(session: Session, contact_ids: list[int]) -> dict[int, list[str]]:
    tags: dict[int, list[str]] = {contact_id: [] for contact_id in contact_ids}
    query = select(ContactTag.contact_id, ContactTag.tag)
    for contact_id, tag in rows_matching(session, query, ContactTag.contact_id, contact_ids):
        tags[contact_id].append(tag)
    return {contact_id: sorted(values) for contact_id, values in tags.items()}


@dataclass
class _Plan:
    creates: list[_Row]
    updates: list[dict[str, Any]]
    retagged: dict[int, list[str]]


def _plan(session, actor, rows: list[_Row], grid_paths: dict[int, str], outcome: ImportOutcome) -> _Plan:
    existing = _existing_contacts(session, [row.phone for row in rows])
    with_tags = [existing[row.phone]["id"] for row in rows if row.phone in existing and "tags" in row.fields]
    current_tags = _existing_tags(session, with_tags)
    plan = _Plan([], [], {})
    for row in rows:
        current = existing.get(row.phone)
        if current is None:
            plan.creates.append(row)
            continue
        if not actor.sees_path(grid_paths[current["grid_id"]]):
            outcome.reject(row.number, "phone_in_use", [field_problem("phone", phone_in_use())], row.values)
            continue
        changes = {name: value for name, value in row.fields.items() if name in COMPARED and current[name] != value}
        tags = row.fields.get("tags")
        if tags is not None and tags != current_tags[current["id"]]:
            plan.retagged[current["id"]] = tags
        if changes or current["id"] in plan.retagged:
            plan.updates.append({"id": current["id"], **changes})
        else:
            outcome.unchanged += 1
    outcome.created, outcome.updated = len(plan.creates), len(plan.updates)
    return plan


def _write(session: Session, plan: _Plan, progress: Progress, total: int) -> None:
    now = utcnow()
    done = total // 2
    new_tags: list[dict[str, Any]] = []
    for chunk in _chunks(plan.creates):
        rows = [
            {**DEFAULTS, **{k: v for k, v in row.fields.items() if k != "tags"}, "phone": row.phone} for row in chunk
        ]
        for row in rows:
            row["created_at"] = row["updated_at"] = now
        session.execute(insert(Contact), rows)
        done += len(chunk)
        progress(done, total)
    tagged = [row for row in plan.creates if row.fields.get("tags")]
    query = select(Contact.phone, Contact.id)
    ids = dict(rows_matching(session, query, Contact.phone, [row.phone for row in tagged]))
    new_tags += [{"contact_id": ids[row.phone], "tag": tag} for row in tagged for tag in row.fields["tags"]]
    plan.updates.sort(key=sorted)
    for chunk in _chunks(plan.updates):
        session.execute(update(Contact), [{**changes, "updated_at": now} for changes in chunk])
        done += len(chunk)
        progress(done, total)
    if plan.retagged:
        untag = delete(table_of(ContactTag)).where(ContactTag.contact_id == bindparam("contact_id"))
        session.connection().execute(untag, [{"contact_id": contact_id} for contact_id in plan.retagged])
    new_tags += [{"contact_id": cid, "tag": tag} for cid, tags in plan.retagged.items() for tag in tags]
    for chunk in _chunks(new_tags):
        session.execute(insert(table_of(ContactTag)), chunk)
    session.expire_all()


def import_contacts(
    session: Session,
    actor: Actor,
    data: bytes,
    filename: str,
    *,
    region: str = "CN",
    dry_run: bool = False,
    progress: Progress | None = None,
    rejected_limit: int | None = REJECTED_IN_RESPONSE,
    limits: ImportLimits = DEFAULT_LIMITS,
    report_id: int | None = None,
) -> ImportAnswer:
    """Import contacts from CSV/XLSX bytes; returns the saved import report (counts and rejected rows).

    Empty optional cells keep an existing contact's value (new contacts get the defaults: household head,
    Mandarin, SMS and voice, one household, no tags). A dry run checks and counts everything, writes no
    contact, and still saves its report. Raises ValidationError when the file or its header cannot be read.
    """
    require_write(actor)
    progress = progress or (lambda done, total: None)
    table = read_table(data, filename, CONTACT_COLUMNS, REQUIRED, limits)
    outcome = ImportOutcome(ImportKind.CONTACTS, table.headers, table.ignored, total=len(table.rows))
    grid_rows = session.execute(select(Grid.id, Grid.code, Grid.path)).all()
    grids = {code: (grid_id, path) for grid_id, code, path in grid_rows}
    cleaned = _clean_rows(table, actor, grids, region, outcome, progress)
    plan = _plan(session, actor, cleaned, {grid_id: path for grid_id, _code, path in grid_rows}, outcome)
    if not dry_run:
        _write(session, plan, progress, 2 * outcome.total)
    progress(2 * outcome.total, 2 * outcome.total)
    return save_report(
        session, actor, outcome, filename=filename, dry_run=dry_run, rejected_limit=rejected_limit, report_id=report_id
    )
