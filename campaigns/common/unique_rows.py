"""Insert a row once: the idiom for records a repeated or concurrent request must not duplicate."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

Row = TypeVar("Row")


def insert_once(session: Session, key: tuple, row: Row) -> tuple[Row, bool]:
    """Add `row` unless a row of its model matching the `key` conditions exists; returns the row and whether it is
    new. A concurrent insert of the same row loses to the unique constraint behind `key` and returns the winner."""
    model = type(row)
    existing = session.scalar(select(model).where(*key))
    if existing is not None:
        return existing, False
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return session.scalar(select(model).where(*key)), False
    return row, True
