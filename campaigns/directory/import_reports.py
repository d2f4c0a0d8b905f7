"""Import reports: the outcome of a grids or contacts import, saved so its rejected rows can be fetched later.

A report is visible to the user who ran the import, and to an admin whose scope covers the importer's scope;
to anyone else it does not exist (NotFound). A rejected row keeps a bounded excerpt of its cells: each cell cut to
EXCERPT_CHARS characters (marked with "…" and `truncated`), and no cells at all once a report holds
EXCERPT_BUDGET characters of them, so a report never grows with the size of what was uploaded.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NotRequired, TypedDict

from sqlalchemy import Select
from sqlalchemy.orm import Session

from campaigns.common.errors import DomainError, NotFound
from campaigns.directory.tabular import ERROR_ALIASES, ERROR_COLUMN, csv_chunks, header_key
from campaigns.identity.access import Actor
from campaigns.models import Grid, ImportReport, ImportStatus
from campaigns.models.base import utcnow

REJECTED_IN_RESPONSE = 1000
FEW_VALUES = 2000
EXCERPT_CHARS = 200
EXCERPT_BUDGET = 1_000_000
ERROR_CHARS = 500
DETAILS_CHARS = 2000
CUT_MARK = "…"


class ImportProgress(TypedDict):
    done: int
    total: int


class ImportAnswer(TypedDict):
    """An import report as the API shows it: status, progress, counts, the first rejected rows (and, in the answer
    of the import itself, the columns it ignored)."""

    id: int
    kind: str
    filename: str
    dry_run: bool
    created_at: str
    status: str
    progress: ImportProgress
    error: dict[str, Any] | None
    counts: dict[str, int]
    rejected: list[dict[str, Any]]
    rejected_truncated: bool
    ignored_columns: NotRequired[list[str]]


@dataclass(frozen=True)
class Rejection:
    """One rejected row: its number in the spreadsheet, a reason code, a message for people, an excerpt of its
    cells, and whether the excerpt was cut."""

    row: int
    reason: str
    error: str
    values: list[str]
    truncated: bool = False
    details: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "reason": self.reason,
            "error": self.error,
            "values": self.values,
            "truncated": self.truncated,
            "details": self.details,
        }


@dataclass
class ImportOutcome:
    """What an import did, counted, with every rejected row."""

    kind: str
    headers: list[str]
    ignored_columns: list[str]
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    excerpt_budget: int = EXCERPT_BUDGET

    def reject(self, row: int, reason: str, problems: list[DomainError], values: list[str]) -> None:
        """Reject row `row` for `problems` (each names its column); `reason` is the first problem's code."""
        error = "; ".join(problem.message for problem in problems)
        excerpt = [value if len(value) <= EXCERPT_CHARS else value[:EXCERPT_CHARS] + CUT_MARK for value in values]
        size = sum(len(value) for value in excerpt)
        truncated = excerpt != values
        if size > self.excerpt_budget:
            excerpt, size, truncated = [], 0, True
        self.excerpt_budget -= size
        if len(error) > ERROR_CHARS:
            error = error[:ERROR_CHARS] + CUT_MARK
        details = [problem.details() for problem in problems]
        if len(json.dumps(details, ensure_ascii=False)) > DETAILS_CHARS:
            details = []  # a problem quoting a long cell: the report shows the (cut) English error instead
        self.rejected.append(Rejection(row, reason, error, excerpt, truncated, details))

    def counts(self) -> dict[str, int]:
        return {
            "total": self.total,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": len(self.rejected),
        }


def rows_matching(session: Session, query: Select, column, values: list) -> list:
    """The rows of `query` whose `column` is one of `values`: one IN query for a few values, else one scan filtered
    here. Thousands of bound parameters get slow generic plans on PostgreSQL once a statement is prepared."""
    if not values:
        return []
    if len(values) <= FEW_VALUES:
        return list(session.execute(query.where(column.in_(values))))
    wanted = set(values)
    return [row for row in session.execute(query) if row._mapping[column.key] in wanted]


def save_report(
    session: Session,
    actor: Actor,
    outcome: ImportOutcome,
    *,
    filename: str,
    dry_run: bool,
    rejected_limit: int | None = REJECTED_IN_RESPONSE,
    report_id: int | None = None,
) -> ImportAnswer:
    """Store the outcome as an ImportReport (dry runs too), or as the queued report `report_id`, and return it as
    the import's answer, with the first `rejected_limit` rejected rows (None: all of them)."""
    rejected = sorted(outcome.rejected, key=lambda rejection: rejection.row)
    report = session.get(ImportReport, report_id) if report_id is not None else None
    if report is None:
        report = ImportReport(
            kind=outcome.kind,
            filename=(filename or "upload")[:255],
            user_id=actor.user_id,
            scope_grid_id=actor.scope_grid_id,
            dry_run=dry_run,
        )
        session.add(report)
    report.counts = outcome.counts()
    report.headers = [header[:EXCERPT_CHARS] for header in outcome.headers]
    report.rejected = [rejection.as_dict() for rejection in rejected]
    report.status = ImportStatus.DONE
    report.progress_done = report.progress_total = outcome.total
    report.finished_at = utcnow()
    session.flush()
    answer = report_to_dict(report, rejected_limit)
    answer["ignored_columns"] = outcome.ignored_columns
    return answer


EMPTY_COUNTS = {"total": 0, "created": 0, "updated": 0, "unchanged": 0, "rejected": 0}


def report_to_dict(report: ImportReport, limit: int | None = REJECTED_IN_RESPONSE) -> ImportAnswer:
    limit = len(report.rejected) if limit is None else limit
    return {
        "id": report.id,
        "kind": report.kind,
        "filename": report.filename,
        "dry_run": report.dry_run,
        "created_at": report.created_at.isoformat(),
        "status": report.status,
        "progress": {"done": report.progress_done, "total": report.progress_total},
        "error": report.error,
        "counts": {**EMPTY_COUNTS, **report.counts},
        "rejected": list(report.rejected[:limit]),
        "rejected_truncated": len(report.rejected) > limit,
    }


def _load(session: Session, actor: Actor, report_id: int) -> ImportReport:
    report = session.get(ImportReport, report_id)
    if report is None:
        raise NotFound.coded("import.report_not_found", "import report not found")
    if actor.user_id is not None and report.user_id == actor.user_id:
        return report
    if actor.is_admin:
        if actor.scope_path is None:
            return report
        scope = session.get(Grid, report.scope_grid_id) if report.scope_grid_id else None
        if scope is not None and actor.sees_path(scope.path):
            return report
    raise NotFound.coded("import.report_not_found", "import report not found")


def get_report(
    session: Session, actor: Actor, report_id: int, rejected_limit: int = REJECTED_IN_RESPONSE
) -> ImportAnswer:
    """An import report with its status, progress, counts and the first `rejected_limit` rejected rows."""
    return report_to_dict(_load(session, actor, report_id), rejected_limit)


def rejected_rows(headers: list[str], rejected: list[dict[str, Any]]) -> Iterator[list[str]]:
    """The rejected rows as a sheet: the original header (less any old error column) plus an `error` column."""
    error_keys = {header_key(alias) for alias in ERROR_ALIASES}
    keep = [index for index, name in enumerate(headers) if header_key(name) not in error_keys]
    yield [headers[index] for index in keep] + [ERROR_COLUMN]
    for rejection in rejected:
        values = rejection["values"]
        cells = [values[index] if index < len(values) else "" for index in keep]
        cut = f" (cells cut to {EXCERPT_CHARS} characters)" if rejection.get("truncated") else ""
        yield [*cells, f"row {rejection['row']}: {rejection['error']}{cut}"]


def rejected_csv(session: Session, actor: Actor, report_id: int) -> Iterator[str]:
    """The rejected rows of a report as CSV text chunks (UTF-8 with BOM), to fix and import again."""
    report = _load(session, actor, report_id)
    return csv_chunks(rejected_rows(list(report.headers), list(report.rejected)))
