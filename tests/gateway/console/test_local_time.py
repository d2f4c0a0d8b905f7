"""The local time, day and duration forms of gateway/console/local_time.py, in Asia/Shanghai (no DST) and
America/New_York."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from gateway.console.local_time import duration, iso_utc, recent_or_short, relative_time, short_day, short_time

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 12, 3, 6, 30, tzinfo=UTC)  # 14:30 in Shanghai, 01:30 in New York


def test_today_yesterday_tomorrow_in_shanghai():
    assert short_time(datetime(2026, 12, 3, 1, 18, 9, 249948, tzinfo=UTC), SHANGHAI, NOW, "zh-Hans") == "今天 09:18"
    assert short_time("2026-12-02T01:18:09.249948+00:00", SHANGHAI, NOW, "zh-Hans") == "昨天 09:18"
    assert short_time("2026-12-04T01:18:00+00:00", SHANGHAI, NOW, "zh-Hans") == "明天 09:18"
    assert short_time("2026-12-03T01:18:00+00:00", SHANGHAI, NOW, "en") == "today 09:18"
    assert short_time("2026-12-02T01:18:00+00:00", SHANGHAI, NOW, "en") == "yesterday 09:18"


def test_the_local_day_not_the_utc_day_decides_today():
    late_utc_evening = datetime(2026, 12, 2, 17, 0, tzinfo=UTC)  # 01:00 on the 3rd in Shanghai
    assert short_time(late_utc_evening, SHANGHAI, NOW, "zh-Hans") == "今天 01:00"
    assert short_time(late_utc_evening, NEW_YORK, NOW, "en") == "yesterday 12:00"


def test_other_days_this_year_and_other_years():
    assert short_time("2026-03-01T02:05:00+00:00", SHANGHAI, NOW, "zh-Hans") == "03-01 10:05"
    assert short_time("2025-12-03T01:18:00+00:00", SHANGHAI, NOW, "zh-Hans") == "2025-12-03 09:18"
    assert short_time("2025-12-31T20:00:00+00:00", SHANGHAI, NOW, "en") == "01-01 04:00"


def test_new_york_follows_daylight_saving_time():
    assert short_time("2026-07-01T12:00:00+00:00", NEW_YORK, NOW, "en") == "07-01 08:00"
    assert short_time("2026-12-01T12:00:00+00:00", NEW_YORK, NOW, "en") == "12-01 07:00"


def test_naive_datetimes_are_utc():
    assert short_time(datetime(2026, 12, 3, 1, 18), SHANGHAI, NOW, "zh-Hans") == "今天 09:18"
    assert iso_utc(datetime(2026, 12, 3, 1, 18, 9, 5)) == "2026-12-03T01:18:09+00:00"


def test_relative_times_within_an_hour():
    assert relative_time(NOW - timedelta(minutes=3, seconds=20), NOW, "zh-Hans") == "3 分钟前"
    assert relative_time(NOW - timedelta(minutes=3), NOW, "en") == "3 min ago"
    assert relative_time(NOW + timedelta(minutes=12), NOW, "zh-Hans") == "12 分钟后"
    assert relative_time(NOW + timedelta(minutes=12), NOW, "en") == "in 12 min"
    assert relative_time(NOW - timedelta(seconds=20), NOW, "zh-Hans") == "刚刚"
    assert relative_time(NOW - timedelta(hours=2), NOW, "zh-Hans") is None
    assert recent_or_short(NOW - timedelta(minutes=59), SHANGHAI, NOW, "en") == "59 min ago"
    assert recent_or_short(NOW - timedelta(hours=2), SHANGHAI, NOW, "en") == "today 12:30"


def test_durations_in_words():
    assert duration(15300, "zh-Hans") == "约 4 小时 15 分"
    assert duration(15300, "en") == "about 4 h 15 min"
    assert duration(7200, "zh-Hans") == "约 2 小时"
    assert duration(900, "zh-Hans") == "约 15 分钟"
    assert duration(3590, "zh-Hans") == "约 1 小时"
    assert duration(60, "en") == "about 1 min"
    assert duration(40, "zh-Hans") == "约 40 秒"
    assert duration(40.4, "en") == "about 40 s"
    assert duration(2 * 86400 + 3 * 3600 + 120, "zh-Hans") == "约 2 天 3 小时"
    assert duration(2 * 86400 + 3 * 3600, "en") == "about 2 d 3 h"


def test_a_report_day_is_today_yesterday_or_its_month_and_day():
    now = datetime(2026, 12, 3, 17, 0, tzinfo=UTC)  # 01:00 on the 4th in Asia/Shanghai
    assert short_day("2026-12-04", SHANGHAI, now, "zh-Hans") == "今天"
    assert short_day("2026-12-03", SHANGHAI, now, "zh-Hans") == "昨天"
    assert short_day(date(2026, 12, 5), SHANGHAI, now, "en") == "tomorrow"
    assert short_day("2026-11-23", SHANGHAI, now, "en") == "11-23"
    assert short_day("2025-12-04", SHANGHAI, now, "zh-Hans") == "2025-12-04"
