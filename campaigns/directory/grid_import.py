"""Grid import: a CSV or XLSX tree of grids (code, name, parent code, level), in any row order.

New grids are inserted in bulk, one depth generation at a time (a parent before its children); known codes are
renamed, re-levelled or moved (with their subtree) under a new parent. Every rejected row is reported: bad or
duplicate code, unknown or rejected parent, a cycle, a bad level. A parent outside the caller's scope reads exactly
like an unknown code; a code taken by a grid outside the scope is "already in use", without saying where.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, cast, func, insert, select, update
from sqlalchemy.orm import Session, aliased

from campaigns.common.errors import Conflict, ValidationError
from campaigns.common.text import clean_code
from campaigns.common.upload_limits import DEFAULT_LIMITS, ImportLimits
from campaigns.directory.contact_import import field_problem
from campaigns.directory.grids import clean_name, level_lookup, move_grid, resolve_level
from campaigns.directory.import_reports import (
    REJECTED_IN_RESPONSE,
    ImportAnswer,
    ImportOutcome,
    rows_matching,
    save_report,
)
from campaigns.directory.tabular import read_table
from campaigns.identity.access import Actor, require_write
from campaigns.models import Grid, GridLevel, ImportKind
from campaigns.models.base import utcnow

GRID_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("grid_code", "编码", "网格编码", "代码", "区划代码"),
    "name": ("grid_name", "名称", "网格名称"),
    "parent_code": ("parent", "上级编码", "上级网格编码", "上级代码"),
    "level": ("层级", "级别"),
}
REQUIRED = ("code", "name", "parent_code", "level")
NEW_PATH_PREFIX = "/new:"

Progress = Callable[[int, int], None]


@dataclass
class _Entry:
    number: int
    values: list[str]
    code: str
    name: str
    level: GridLevel
    parent_code: str | None
    known: Any = None
    grid_id: int | None = None


class _GridImport:
    """One run of an import: the grids already stored, the file's accepted entries and the outcome."""

    def __init__(self, session: Session, actor: Actor, outcome: ImportOutcome, dry_run: bool):
        self.session, self.actor, self.outcome, self.dry_run = session, actor, outcome, dry_run
        columns = (Grid.id, Grid.code, Grid.name, Grid.level_id, Grid.parent_id, Grid.path, Grid.depth)
        rows = session.execute(select(*columns)).all()
        self.known = {row.code: row for row in rows}
        self.code_of_id = {row.id: row.code for row in rows}
        self.depths = {row.id: row.depth for row in rows}
        self.ranks = {level.id: level.rank for level in session.scalars(select(GridLevel))}
        self.entries: dict[str, _Entry] = {}
        self.rejected_rows: dict[str, int] = {}
        self.renames: list[dict[str, Any]] = []

    def reject(
        self, number: int, code: str | None, values: list[str], reason: str, problems: list[ValidationError]
    ) -> None:
        self.outcome.reject(number, reason, problems, values)
        if code is None:
            return
        entry = self.entries.get(code)
        if entry is not None and entry.number == number:
            del self.entries[code]
            self.rejected_rows[code] = number
        else:
            self.rejected_rows.setdefault(code, number)

    def parse(self, table) -> None:
        session = self.session
        levels = level_lookup(session)
        first_row_of_code: dict[str, int] = {}
        for number, values in table.rows:
            problems: list[tuple[str, ValidationError]] = []
            fields: dict[str, Any] = {}
            cleaners = (
                ("code", "bad_code", clean_code),
                ("name", "bad_name", clean_name),
                ("level", "bad_level", lambda raw: resolve_level(session, raw, levels)),
                ("parent_code", "unknown_parent", lambda raw: clean_code(raw) if raw else None),
            )
            for field, reason, clean in cleaners:
                try:
                    fields[field] = clean(table.get(values, field))
                except ValidationError as exc:
                    problems.append((reason, field_problem(field, exc)))
            code = fields.get("code")
            if code is not None:
                first = first_row_of_code.setdefault(code, number)
                known = self.known.get(code)
                if first != number:
                    duplicate = ValidationError.coded(
                        "import.duplicate_code", "the same code is on row %(row)s of this file", row=first
                    )
                    problems.insert(0, ("duplicate_code", field_problem("code", duplicate)))
                elif known is not None and not self.actor.sees_path(known.path):
                    in_use = Conflict.coded("import.code_in_use", "grid code %(code)s is already in use", code=code)
                    problems.insert(0, ("code_in_use", field_problem("code", in_use)))
            if problems:
                self.reject(number, code, values, problems[0][0], [problem[1] for problem in problems])
            else:
                self.entries[code] = _Entry(number, values, known=self.known.get(code), **fields)

    def final_parent(self, code: str) -> str | None:
        if code in self.entries:
            return self.entries[code].parent_code
        known = self.known.get(code)
        return self.code_of_id[known.parent_id] if known is not None and known.parent_id else None

    def reject_cycles(self) -> None:
        """Reject every entry on a cycle of the tree the file would make; repeat, as a rejection can close another."""
        found = True
        while found:
            found, state = False, {}
            for start in list(self.entries):
                chain, code = [], start
                while code is not None and code not in state:
                    state[code] = "visiting"
                    chain.append(code)
                    code = self.final_parent(code)
                if code is not None and state[code] == "visiting":
                    loop = chain[chain.index(code) :]
                    shown = " -> ".join([*loop[:10], loop[0]] if len(loop) <= 10 else [*loop[:10], "..."])
                    for member in loop:
                        entry = self.entries.get(member)
                        if entry is not None:
                            cycle = ValidationError.coded("import.cycle", "cycle %(cycle)s", cycle=shown)
                            self.reject(
                                entry.number, member, entry.values, "cycle", [field_problem("parent_code", cycle)]
                            )
                    found = True
                state.update(dict.fromkeys(chain, "done"))

    def check(self, entry: _Entry) -> tuple[str, list[ValidationError]] | None:
        """The (reason, problems) for rejecting an entry whose parent is settled, or None when it may go in."""
        parent_code, known = entry.parent_code, entry.known
        if parent_code is None:
            if known is not None and known.parent_id is not None:
                return "bad_parent", _parent_problem(
                    ValidationError.coded(
                        "import.move_to_top", "an existing grid cannot be moved to the top; give its new parent"
                    )
                )
            if known is None and self.actor.scope_path is not None:
                return "out_of_scope", _parent_problem(
                    ValidationError.coded(
                        "import.top_needs_unscoped", "a grid without a parent needs an account without a scope"
                    )
                )
            return None
        if parent_code in self.entries:
            parent_rank = self.entries[parent_code].level.rank
        elif parent_code in self.known:
            parent = self.known[parent_code]
            stays = known is not None and not self.moves(entry)
            if not stays and not self.actor.sees_path(parent.path):
                return "unknown_parent", _parent_problem(
                    ValidationError.coded("import.unknown_grid", "unknown grid code %(code)s", code=parent_code)
                )
            parent_rank = self.ranks[parent.level_id]
        elif parent_code in self.rejected_rows:
            row = self.rejected_rows[parent_code]
            return "parent_rejected", _parent_rejected(parent_code, row)
        else:
            return "unknown_parent", _parent_problem(
                ValidationError.coded("import.unknown_grid", "unknown grid code %(code)s", code=parent_code)
            )
        if entry.level.rank <= parent_rank:
            level = ValidationError.coded(
                "import.bad_level",
                "a %(level)s cannot be under parent %(code)s of a higher level",
                level=entry.level.key,
                code=parent_code,
            )
            return "bad_level", [field_problem("level", level)]
        if known is not None and self.moves(entry) and known.path == self.actor.scope_path:
            return "out_of_scope", _parent_problem(
                ValidationError.coded("grid.move_own_scope", "you cannot move the grid that is your own scope")
            )
        return None

    def parent_id(self, entry: _Entry) -> int | None:
        if entry.parent_code is None:
            return None
        if entry.parent_code in self.entries:
            return self.entries[entry.parent_code].grid_id
        return self.known[entry.parent_code].id

    def moves(self, entry: _Entry) -> bool:
        return self.final_parent_known_code(entry) != entry.parent_code

    def final_parent_known_code(self, entry: _Entry) -> str | None:
        return self.code_of_id.get(entry.known.parent_id) if entry.known.parent_id else None

    def reject_descendants(self, entry: _Entry, children: dict[str, list[_Entry]]) -> None:
        stack = list(children[entry.code])
        while stack:
            child = stack.pop()
            parent_row = self.rejected_rows[child.parent_code]
            problems = _parent_rejected(str(child.parent_code), parent_row)
            self.reject(child.number, child.code, child.values, "parent_rejected", problems)
            stack.extend(children[child.code])

    def insert_new(self, entries: list[_Entry]) -> None:
        """Insert one generation in bulk with placeholder paths, then set every path in one UPDATE."""
        now = utcnow()
        rows = []
        for entry in entries:
            parent_id = self.parent_id(entry)
            rows.append(
                {
                    "code": entry.code,
                    "name": entry.name,
                    "level_id": entry.level.id,
                    "parent_id": parent_id,
                    "path": f"{NEW_PATH_PREFIX}{entry.code}/",
                    "depth": self.depths[parent_id] + 1 if parent_id else 0,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        self.session.execute(insert(Grid), rows)
        ids = dict(rows_matching(self.session, select(Grid.code, Grid.id), Grid.code, [row["code"] for row in rows]))
        for entry, row in zip(entries, rows, strict=True):
            entry.grid_id = ids[entry.code]
            self.depths[entry.grid_id] = row["depth"]
        parent = aliased(Grid)
        parent_path = select(parent.path).where(parent.id == Grid.parent_id).scalar_subquery()
        self.session.execute(
            update(Grid)
            .where(Grid.path.startswith(NEW_PATH_PREFIX))
            .values(path=func.coalesce(parent_path, "/") + cast(Grid.id, String) + "/")
            .execution_options(synchronize_session=False)
        )

    def apply(self, generation: list[_Entry]) -> None:
        new = [entry for entry in generation if entry.known is None]
        if new and not self.dry_run:
            self.insert_new(new)
        moved = False
        for entry in generation:
            if entry.known is None:
                self.outcome.created += 1
                continue
            entry.grid_id = entry.known.id
            renamed = entry.name != entry.known.name or entry.level.id != entry.known.level_id
            if renamed:
                self.renames.append({"id": entry.grid_id, "name": entry.name, "level_id": entry.level.id})
            if self.moves(entry) and not self.dry_run:
                move_grid(self.session, self.actor, entry.grid_id, self.parent_id(entry))
                moved = True
            if renamed or self.moves(entry):
                self.outcome.updated += 1
            else:
                self.outcome.unchanged += 1
        if moved:
            self.depths = dict(self.session.execute(select(Grid.id, Grid.depth)).all())

    def run(self, progress: Progress) -> None:
        self.reject_cycles()
        children: dict[str, list[_Entry]] = defaultdict(list)
        generation = []
        for entry in self.entries.values():
            if entry.parent_code in self.entries:
                children[entry.parent_code].append(entry)
            else:
                generation.append(entry)
        while generation:
            accepted, stored = [], []
            for entry in generation:
                problem = self.check(entry)
                if problem is None:
                    accepted.append(entry)
                else:
                    self.reject(entry.number, entry.code, entry.values, *problem)
                    if entry.known is None:
                        self.reject_descendants(entry, children)
                    else:
                        stored.append(entry)
            self.apply(accepted)
            progress(self.outcome.created + self.outcome.updated + self.outcome.unchanged, self.outcome.total)
            generation = [child for entry in accepted + stored for child in children[entry.code]]
        if self.renames and not self.dry_run:
            self.session.execute(update(Grid), self.renames)
        self.session.expire_all()


def import_grids(
    session: Session,
    actor: Actor,
    data: bytes,
    filename: str,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    rejected_limit: int | None = REJECTED_IN_RESPONSE,
    limits: ImportLimits = DEFAULT_LIMITS,
    report_id: int | None = None,
) -> ImportAnswer:
    """Import grids from CSV/XLSX bytes; returns the saved import report (counts and rejected rows).

    Parents may come after their children in the file. A root (no parent code) needs an unscoped actor; a
    scoped actor may only touch grids under its scope. A dry run checks and counts without writing grids.
    Raises ValidationError when the file or its header cannot be read, LimitExceeded when it breaks `limits`.
    With `report_id` the outcome fills that queued report instead of a new one.
    """
    require_write(actor)
    table = read_table(data, filename, GRID_COLUMNS, REQUIRED, limits)
    outcome = ImportOutcome(ImportKind.GRIDS, table.headers, table.ignored, total=len(table.rows))
    run = _GridImport(session, actor, outcome, dry_run)
    run.parse(table)
    run.run(progress or (lambda done, total: None))
    return save_report(
        session, actor, outcome, filename=filename, dry_run=dry_run, rejected_limit=rejected_limit, report_id=report_id
    )


def _parent_problem(error: ValidationError) -> list[ValidationError]:
    return [field_problem("parent_code", error)]


def _parent_rejected(parent_code: str, row: int) -> list[ValidationError]:
    return _parent_problem(
        ValidationError.coded(
            "import.parent_rejected", "parent %(code)s was rejected (row %(row)s)", code=parent_code, row=row
        )
    )
