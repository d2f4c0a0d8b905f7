"""The shape of the daily report board and its history (`report_board`, `report_history`), as the API shows it."""

from __future__ import annotations

from typing import NotRequired, TypedDict


class ReportCounts(TypedDict):
    """The reporting grids at or under a grid: how many reported (zero reports, incidents), how many are missing."""

    reporting: int
    reported: int
    zero: int
    incident: int
    missing: int
    percent: float | None


class GridLabel(TypedDict):
    grid_id: int
    code: str
    name: str
    level: str


class BoardNode(GridLabel, ReportCounts):
    """A grid on the board; a reporting grid carries its status (zero_report, incident or missing) and report."""

    status: NotRequired[str]
    report_id: NotRequired[int | None]
    children: NotRequired[list[BoardNode]]


class BoardDuty(TypedDict):
    id: int
    name: str
    deadline: str
    timezone: str


class ReportBoard(TypedDict):
    """One day's board: the duty, the day, whether its deadline passed, and the tree of grids from the top one."""

    duty: BoardDuty
    date: str
    deadline_passed: bool
    grid: BoardNode


class DayCounts(ReportCounts):
    date: str


class HistoryDuty(TypedDict):
    id: int
    name: str


class ReportHistory(TypedDict):
    """The board's counts per day over the last days."""

    duty: HistoryDuty
    grid_id: int
    days: list[DayCounts]
