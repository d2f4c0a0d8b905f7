"""Pagination for list services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from campaigns.common.errors import ValidationError

MAX_PER_PAGE = 500


@dataclass(frozen=True)
class Page:
    """One page of results with the total count, ready to serialize."""

    items: list[dict[str, Any]]
    total: int
    page: int
    per_page: int

    def as_dict(self) -> dict[str, Any]:
        return {"items": self.items, "total": self.total, "page": self.page, "per_page": self.per_page}


def check_page(page: int, per_page: int) -> None:
    if page < 1:
        raise ValidationError.coded("page.bad_page", "page must be 1 or more", fields={"page": "must be >= 1"})
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise ValidationError.coded(
            "page.bad_per_page",
            "per_page must be between 1 and %(max_per_page)s",
            fields={"per_page": "out of range"},
            max_per_page=MAX_PER_PAGE,
        )


def paginate(session: Session, query: Select, page: int, per_page: int, to_dict) -> Page:
    """Run `query` for one page (it must already be ordered) and count the whole result."""
    check_page(page, per_page)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = session.scalars(query.limit(per_page).offset((page - 1) * per_page)).unique().all()
    return Page([to_dict(row) for row in rows], total, page, per_page)
