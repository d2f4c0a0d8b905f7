"""Grids: the tree county -> township -> village -> group -> household unit, stored with materialized paths."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaigns.models.base import Base, UtcDateTime, path_string, utcnow

PATH_SEPARATOR = "/"


class GridLevel(Base):
    """A named level of the tree (county, township...); the names are data, seeded by the first migration."""

    __tablename__ = "grid_levels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64))
    rank: Mapped[int] = mapped_column(Integer)


class Grid(Base):
    """A node of the tree. `path` is "/<root id>/.../<own id>/", so a subtree is one range scan on an index."""

    __tablename__ = "grids"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    level_id: Mapped[int] = mapped_column(ForeignKey("grid_levels.id", ondelete="RESTRICT"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id", ondelete="RESTRICT"), index=True)
    path: Mapped[str] = mapped_column(path_string(1024), unique=True)
    depth: Mapped[int] = mapped_column(Integer)
    # A county's rule: its admins may launch an extreme alert without a second person's approval (audited).
    alert_skip_extreme_approval: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    level: Mapped[GridLevel] = relationship(lazy="joined")


def path_ids(path: str) -> list[int]:
    """The grid ids of a materialized path, root first: "/1/2/5/" -> [1, 2, 5]."""
    return [int(part) for part in path.strip(PATH_SEPARATOR).split(PATH_SEPARATOR) if part]


def subtree_bounds(path: str) -> tuple[str, str]:
    """The half-open range [low, high) that holds `path` and every path below it.

    '0' is the character after '/', so every string in the range starts with `path`.
    """
    return path, path[:-1] + chr(ord(PATH_SEPARATOR) + 1)
