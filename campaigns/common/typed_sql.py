"""Two facts SQLAlchemy's type hints cannot know: what an UPDATE returned, and that a model's table is a Table."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Result, Table
from sqlalchemy.orm import DeclarativeBase


def rowcount(result: Result[Any]) -> int:
    """The rows an UPDATE or DELETE matched (`Session.execute` types its answer as a `Result`; it is a
    `CursorResult`)."""
    return cast(CursorResult[Any], result).rowcount


def table_of(model: type[DeclarativeBase]) -> Table:
    """The `Table` a declarative model is mapped to (typed as a `FromClause` on the class)."""
    return cast(Table, model.__table__)
