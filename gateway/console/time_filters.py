"""Jinja filters that show times in the deployment's zone (GRIDCAST_TIMEZONE) and durations in words, in the page's
language; see gateway/console/local_time.py for the forms.

    {{ entry.at|localtime }}   <time datetime="2026-12-03T01:18:09+00:00">今天 09:18</time>
    {{ reply.received_at|ago }}  <time ...>3 分钟前</time> within the hour, else as localtime
    {{ seconds|duration }}     约 4 小时 15 分
    {{ board.date|day }}       <time datetime="2026-12-03">今天</time>

An empty value (None, "") shows as nothing.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import g
from markupsafe import Markup, escape

from campaigns.models.base import utcnow
from gateway.console import console, local_time
from gateway.console.i18n import DEFAULT_LANGUAGE
from gateway.runtime import current_runtime


def console_zone() -> ZoneInfo:
    """The zone staff read times in: GRIDCAST_TIMEZONE."""
    return ZoneInfo(current_runtime().settings.timezone)


def _language() -> str:
    return g.get("lang", DEFAULT_LANGUAGE)


def _time_element(value: local_time.TimeValue, text: str) -> Markup:
    return Markup('<time datetime="{}">{}</time>').format(local_time.iso_utc(value), escape(text))


@console.app_template_filter("localtime")
def localtime_filter(value: local_time.TimeValue | None, naive_zone: str | None = None) -> Markup:
    """A time as "今天 09:18" / "12-03 09:18" in a `<time>` element; a time without offset is read in `naive_zone`
    (a campaign's zone for its schedule), else as UTC."""
    if not value:
        return Markup("")
    moment = local_time.as_utc(value, ZoneInfo(naive_zone) if naive_zone else None)
    return _time_element(moment, local_time.short_time(moment, console_zone(), utcnow(), _language()))


@console.app_template_filter("ago")
def ago_filter(value: local_time.TimeValue | None) -> Markup:
    """A time as "3 分钟前" within an hour of now, else as `localtime`, in a `<time>` element."""
    if not value:
        return Markup("")
    return _time_element(value, local_time.recent_or_short(value, console_zone(), utcnow(), _language()))


@console.app_template_filter("day")
def day_filter(value: str | None) -> Markup:
    """A calendar day ("2026-12-03", a daily report's date) as "今天" / "昨天" / "12-03" in a `<time>` element."""
    if not value:
        return Markup("")
    text = local_time.short_day(value, console_zone(), utcnow(), _language())
    return Markup('<time datetime="{}">{}</time>').format(str(value)[:10], escape(text))


@console.app_template_filter("duration")
def duration_filter(seconds: float | None) -> str:
    """A number of seconds in words: "约 4 小时 15 分"."""
    return "" if seconds is None else local_time.duration(seconds, _language())
