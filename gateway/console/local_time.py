"""Times and durations as staff read them: in the deployment's zone (GRIDCAST_TIMEZONE), short, in their language
(the console's catalogs translate the English forms).

Plain functions over a time (an aware datetime, a naive one taken as UTC, or an ISO 8601 string), the zone, "now"
and a language ("zh-Hans" or "en"), shared by the console's Jinja filters and the CLI's human output:

    short_time   "今天 09:18", "昨天 09:18", "12-03 09:18", "2025-12-03 09:18"  ("today 09:18", "yesterday 09:18")
    relative_time "刚刚", "3 分钟前", "2 小时后"  ("just now", "3 min ago", "in 2 h"), or None when not recent
    recent_or_short  the relative form for the last and next hour, else the short form
    duration     "约 4 小时 15 分", "约 40 秒"  ("about 4 h 15 min", "about 40 s")
    short_day    a calendar day (a report's date): "今天", "昨天", "12-03", "2025-12-03"  ("today", "yesterday")
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from gateway.console.i18n import translate, translate_in_context

TimeValue = datetime | str
RECENT = timedelta(hours=1)


def as_utc(value: TimeValue, naive_zone: ZoneInfo | None = None) -> datetime:
    """`value` as an aware UTC datetime; a naive datetime or ISO string without offset is taken as a wall-clock
    time in `naive_zone` (a schedule's "2026-12-03T09:00" in its campaign's zone), by default as UTC."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=naive_zone or UTC)
    return moment.astimezone(UTC)


def to_local(value: TimeValue, zone: ZoneInfo) -> datetime:
    """`value` on the wall clock of `zone`."""
    return as_utc(value).astimezone(zone)


def iso_utc(value: TimeValue) -> str:
    """The exact time for machines (a `<time datetime>` attribute): ISO 8601 in UTC, to the second."""
    return as_utc(value).replace(microsecond=0).isoformat()


def short_time(value: TimeValue, zone: ZoneInfo, now: datetime, language: str) -> str:
    """The local day and clock, as short as is clear: today/yesterday/tomorrow, the month and day this year, else
    the full date."""
    local, today = to_local(value, zone), to_local(now, zone).date()
    clock = local.strftime("%H:%M")
    if local.date() == today:
        return translate("today {clock}", language, clock=clock)
    if local.date() == today - timedelta(days=1):
        return translate("yesterday {clock}", language, clock=clock)
    if local.date() == today + timedelta(days=1):
        return translate("tomorrow {clock}", language, clock=clock)
    if local.year == today.year:
        return local.strftime("%m-%d %H:%M")
    return local.strftime("%Y-%m-%d %H:%M")


def short_day(value: date | str, zone: ZoneInfo, now: datetime, language: str) -> str:
    """A calendar day (a daily report's date) as short as is clear: today/yesterday/tomorrow in `zone`, the month
    and day this year, else the full date."""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    today = to_local(now, zone).date()
    if day == today:
        return translate_in_context("day", "today", language)
    if day == today - timedelta(days=1):
        return translate_in_context("day", "yesterday", language)
    if day == today + timedelta(days=1):
        return translate_in_context("day", "tomorrow", language)
    return day.strftime("%m-%d") if day.year == today.year else day.isoformat()


def relative_time(value: TimeValue, now: datetime, language: str) -> str | None:
    """Within an hour of `now`: "3 分钟前" / "3 min ago" (or "in 3 min"); None for anything further."""
    gap = as_utc(value) - as_utc(now)
    if abs(gap) >= RECENT:
        return None
    minutes = int(abs(gap).total_seconds() // 60)
    if minutes == 0:
        return translate("just now", language)
    amount = translate("{n} min", language, n=minutes)
    if gap > timedelta(0):
        return translate("in {amount}", language, amount=amount)
    return translate("{amount} ago", language, amount=amount)


def recent_or_short(value: TimeValue, zone: ZoneInfo, now: datetime, language: str) -> str:
    """The relative form within an hour of `now` ("3 分钟前"), else the short local form ("12-03 09:18")."""
    return relative_time(value, now, language) or short_time(value, zone, now, language)


def duration(seconds: float, language: str) -> str:
    """A length of time in words, rounded to what matters: "约 40 秒", "约 15 分钟", "约 4 小时 15 分",
    "约 2 天 3 小时"."""
    total = max(round(seconds), 0)
    minutes = round(total / 60)
    if total < 60:
        amount = translate("{n} s", language, n=total)
    elif minutes < 60:
        amount = translate("{n} min", language, n=minutes)
    else:
        days, hours, minutes = minutes // 1440, minutes % 1440 // 60, minutes % 60
        if days:
            parts = [translate("{n} d", language, n=days)] + ([translate("{n} h", language, n=hours)] if hours else [])
        else:
            parts = [translate("{n} h", language, n=hours)]
            parts += [translate_in_context("after hours", "{n} min", language).format(n=minutes)] if minutes else []
        amount = " ".join(parts)
    return translate("about {amount}", language, amount=amount)
