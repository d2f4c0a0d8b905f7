"""The run page's long lists, one page at a time, each with its own page parameter (grid_page, waiting_page,
village_page), and its per-grid breakdown opened at the level staff work at."""

from __future__ import annotations

from typing import Any

from campaigns.common.pagination import Page
from gateway.console.forms import page_param

LIST_PAGE = 25  # rows of each long list on one page


def page_of(items: list[dict[str, Any]], param: str) -> Page:
    """The page of `items` the query parameter `param` asks for (past the end: the last page)."""
    per_page = list_page()
    last = max((len(items) - 1) // per_page + 1, 1)
    page = min(page_param(param), last)
    return Page(items[(page - 1) * per_page : page * per_page], len(items), page, per_page)


def list_page() -> int:
    return LIST_PAGE


def grid_breakdown(roots: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The rolled-up tree's rows to list and the single grids above them: a township coordinator's one township
    becomes a heading and its villages the rows (each expandable to its groups)."""
    above: list[dict[str, Any]] = []
    while len(roots) == 1 and roots[0]["children"]:
        above.append(roots[0])
        roots = roots[0]["children"]
    return roots, above
