"""Schedules (now, once, daily, weekly, cron) and send windows, in the campaign's time zone.

A schedule is a small dict kept on the campaign:
    {"kind": "now"}
    {"kind": "once", "at": "2026-11-23T09:00"}                       (local time)
    {"kind": "daily", "time": "08:00", "until": "2026-12-31"}
    {"kind": "weekly", "days": ["mon", "thu"], "time": "09:00"}
    {"kind": "cron", "cron": "0 8 * * 1-5", "until": "2026-12-31"}
A send window is {"start": "08:00", "end": "21:00"} (it may cross midnight).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter

from campaigns.common.errors import ValidationError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ScheduleKind(StrEnum):
    """When a campaign sends: at once, once at a time, or recurring (daily, weekly, a cron expression)."""

    NOW = "now"
    ONCE = "once"
    DAILY = "daily"
    WEEKLY = "weekly"
    CRON = "cron"


KINDS = tuple(ScheduleKind)


def check_timezone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise ValidationError.coded(
            "schedule.unknown_timezone", "unknown time zone '%(name)s'", fields={"timezone": "unknown"}, name=name
        ) from exc


def _local_time(raw: Any, field: str) -> time:
    try:
        return time.fromisoformat(str(raw))
    except ValueError as exc:
        raise ValidationError.coded(
            "schedule.bad_time", "%(field)s must be a time like 08:00", fields={field: "not a time"}, field=field
        ) from exc


def _until(raw: Any) -> date | None:
    if raw in (None, ""):
        return None
    try:
        return date.fromisoformat(str(raw))
    except ValueError as exc:
        raise ValidationError.coded(
            "schedule.bad_until", "until must be a date like 2026-12-31", fields={"schedule.until": "not a date"}
        ) from exc


def check_schedule(schedule: Any) -> dict[str, Any]:
    """Validate and normalize a schedule dict; raises ValidationError with the field at fault."""
    if not isinstance(schedule, dict) or schedule.get("kind") not in KINDS:
        raise ValidationError.coded(
            "schedule.bad_kind",
            "schedule.kind must be one of %(kinds)s",
            fields={"schedule.kind": "unknown"},
            kinds=KINDS,
        )
    kind = schedule["kind"]
    if kind == ScheduleKind.NOW:
        return {"kind": ScheduleKind.NOW}
    if kind == ScheduleKind.ONCE:
        try:
            at = datetime.fromisoformat(str(schedule.get("at")))
        except ValueError as exc:
            raise ValidationError.coded(
                "schedule.bad_at", "schedule.at must be a local date and time", fields={"schedule.at": "bad"}
            ) from exc
        return {"kind": "once", "at": at.replace(tzinfo=None).isoformat(timespec="minutes")}
    result: dict[str, Any] = {"kind": kind, "until": _until(schedule.get("until"))}
    if kind in (ScheduleKind.DAILY, ScheduleKind.WEEKLY):
        result["time"] = _local_time(schedule.get("time"), "schedule.time").isoformat(timespec="minutes")
    if kind == ScheduleKind.WEEKLY:
        days = schedule.get("days")
        if not isinstance(days, list) or not days or any(day not in WEEKDAYS for day in days):
            raise ValidationError.coded(
                "schedule.bad_days", "schedule.days: a list of mon..sun", fields={"schedule.days": "bad"}
            )
        result["days"] = [day for day in WEEKDAYS if day in days]
    if kind == ScheduleKind.CRON:
        expression = str(schedule.get("cron") or "")
        if not croniter.is_valid(expression) or len(expression.split()) != 5:
            raise ValidationError.coded(
                "schedule.bad_cron", "schedule.cron must be a 5-field cron expression", fields={"schedule.cron": "bad"}
            )
        result["cron"] = expression
    result["until"] = result["until"].isoformat() if result["until"] else None
    return result


def _cron_of(schedule: dict[str, Any]) -> str:
    if schedule["kind"] == ScheduleKind.CRON:
        return schedule["cron"]
    at = time.fromisoformat(schedule["time"])
    days = (
        "*"
        if schedule["kind"] == ScheduleKind.DAILY
        else ",".join(str(WEEKDAYS.index(d) + 1) for d in schedule["days"])
    )
    return f"{at.minute} {at.hour} * * {days.replace('7', '0')}"


def next_occurrence(schedule: dict[str, Any], tz_name: str, after: datetime) -> datetime | None:
    """The first occurrence strictly after `after` (UTC), or None when the schedule has ended."""
    zone = check_timezone(tz_name)
    kind = schedule["kind"]
    if kind == ScheduleKind.NOW:
        return None
    if kind == ScheduleKind.ONCE:
        at = datetime.fromisoformat(schedule["at"]).replace(tzinfo=zone).astimezone(UTC)
        return at if at > after else None
    local_after = after.astimezone(zone)
    occurrence = croniter(_cron_of(schedule), local_after).get_next(datetime)
    until = _until(schedule.get("until"))
    if until is not None and occurrence.date() > until:
        return None
    return occurrence.astimezone(UTC)


def check_window(window: Any) -> dict[str, str] | None:
    if window in (None, {}):
        return None
    if not isinstance(window, dict):
        raise ValidationError.coded(
            "schedule.bad_send_window", "send_window must be {start, end}", fields={"send_window": "bad"}
        )
    start = _local_time(window.get("start"), "send_window.start")
    end = _local_time(window.get("end"), "send_window.end")
    if start == end:
        raise ValidationError.coded(
            "schedule.empty_send_window", "send_window start and end must differ", fields={"send_window": "empty"}
        )
    return {"start": start.isoformat(timespec="minutes"), "end": end.isoformat(timespec="minutes")}


def window_opens_at(window: dict[str, str] | None, tz_name: str, now: datetime) -> datetime:
    """`now` if the window is open at `now`, else the next moment it opens (UTC)."""
    if not window:
        return now
    zone = check_timezone(tz_name)
    local = now.astimezone(zone)
    start, end = time.fromisoformat(window["start"]), time.fromisoformat(window["end"])
    current = local.time()
    is_open = start <= current < end if start < end else current >= start or current < end
    if is_open:
        return now
    opening = datetime.combine(local.date(), start, tzinfo=zone)
    if opening <= local:
        opening = datetime.combine(local.date() + timedelta(days=1), start, tzinfo=zone)
    return opening.astimezone(UTC)


def window_wait(
    schedule: dict[str, Any], window: dict[str, str] | None, tz_name: str, now: datetime
) -> tuple[datetime, datetime] | None:
    """(first run, when its sending starts) when the campaign's next run falls outside its send window and will
    wait for it to open; None when it sends at once (or never runs). A "now" campaign is taken as launched `now`."""
    first = now if schedule["kind"] == "now" else next_occurrence(schedule, tz_name, now)
    if first is None or not window:
        return None
    opens = window_opens_at(window, tz_name, first)
    return (first, opens) if opens > first else None
