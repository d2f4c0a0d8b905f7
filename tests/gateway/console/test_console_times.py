"""Console pages show times in GRIDCAST_TIMEZONE, short ("今天 09:18", "3 分钟前"), never as raw UTC ISO strings;
the exact time stays in `<time datetime="...">` (both backends)."""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from campaigns.identity.access import Actor
from campaigns.models import Contact, OutboxMessage
from campaigns.models.base import utcnow
from campaigns.runs.planning import launch_campaign
from gateway.app import create_app
from tests.console_helpers import logged_in
from tests.factories import make_campaign
from tests.reply_helpers import receive, send_run
from tests.report_factories import build_report_world, make_duty
from workers.composition import Services

RAW_ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:")
TIME_ATTRIBUTE = re.compile(r'datetime="[^"]*"')
SHORT_LOCAL = re.compile(r"今天 \d\d:\d\d|昨天 \d\d:\d\d|\d+ 分钟前|刚刚")


def raw_times(page: str) -> list[str]:
    """ISO timestamps in the page outside `datetime="..."` attributes."""
    return RAW_ISO.findall(TIME_ATTRIBUTE.sub("", page))


def _sent_run(session_factory, people) -> tuple[int, int]:
    now = utcnow()
    with session_factory.begin() as session:
        campaign = make_campaign(session, people, expects_reply=True)
        run_id = launch_campaign(session, Actor.system(), campaign["id"], now).run_id
    send_run(session_factory, run_id, now)
    receive(session_factory, "+8613800000001", "收到", now)
    receive(session_factory, "+8613800000002", "这是什么", now)
    receive(session_factory, "+8613800000003", "退订", now)
    receive(session_factory, "+8613900000077", "我是王芳的家人", now)
    return campaign["id"], run_id


def test_pages_show_local_short_times_and_no_raw_iso(client, session_factory, people):
    logged_in(client, session_factory, "root")
    campaign_id, run_id = _sent_run(session_factory, people)
    contact_id = session_factory().scalar(select(Contact.id).where(Contact.phone == "+8613800000001"))
    for path in (
        f"/console/runs/{run_id}",
        f"/console/campaigns/{campaign_id}",
        "/console/campaigns",
        "/console/inbox?view=review",
        "/console/inbox?view=senders",
        "/console/inbox?view=optouts",
        "/console/inbox?view=auto_replies",
        f"/console/contacts/{contact_id}",
        "/console/audit",
        "/console/speakers",
        "/console/users",
        "/console/",
    ):
        page = client.get(path).get_data(as_text=True)
        assert raw_times(page) == [], path
        assert "+00:00" not in TIME_ATTRIBUTE.sub("", page), path
    for path in (f"/console/runs/{run_id}", "/console/inbox?view=review", f"/console/contacts/{contact_id}",
                 "/console/audit", "/console/inbox?view=optouts"):  # fmt: skip
        page = client.get(path).get_data(as_text=True)
        assert SHORT_LOCAL.search(page), path
        assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00">', page), path


def test_times_follow_the_language_and_the_zone(client, settings, engine, session_factory, people):
    logged_in(client, session_factory, "root")
    campaign_id, run_id = _sent_run(session_factory, people)
    page = client.get(f"/console/campaigns/{campaign_id}").get_data(as_text=True)
    run_link = re.search(rf'href="/console/runs/{run_id}">(.*?)</a>', page).group(1)
    assert re.fullmatch(r'<time datetime="[^"]+">(今天|昨天|明天) \d\d:\d\d</time> 的发送', run_link), run_link
    client.set_cookie("gridcast_lang", "en", path="/console")
    audit = client.get("/console/audit").get_data(as_text=True)
    assert re.search(r">(\d+ min ago|just now)</time>", audit)
    new_york = dataclasses.replace(settings, timezone="America/New_York")
    other = create_app(
        runtime=Services(settings=new_york, engine=engine, session_factory=session_factory)
    ).test_client()
    logged_in(other, session_factory, "second")
    page = other.get(f"/console/campaigns/{campaign_id}").get_data(as_text=True)
    exact, shown = re.search(rf'href="/console/runs/{run_id}"><time datetime="([^"]+)">(.*?)</time>', page).groups()
    assert shown.endswith(datetime.fromisoformat(exact).astimezone(ZoneInfo("America/New_York")).strftime(" %H:%M"))


def test_run_page_shows_the_time_left_in_words_and_the_chart_on_the_local_clock(client, session_factory, people):
    logged_in(client, session_factory, "root")
    now = utcnow()
    with session_factory.begin() as session:
        campaign = make_campaign(session, people)
        run_id = launch_campaign(session, Actor.system(), campaign["id"], now).run_id
        first = session.scalar(select(OutboxMessage).where(OutboxMessage.run_id == run_id).order_by(OutboxMessage.id))
        first.status, first.sent_at = "sent", now - timedelta(seconds=50)  # 1 in 50 s, 2 left: about 100 s
    page = client.get(f"/console/runs/{run_id}").get_data(as_text=True)
    assert "还需约 2 分钟。" in page and " 秒" not in page
    shanghai_clock = (now - timedelta(seconds=50)).astimezone(ZoneInfo("Asia/Shanghai")).strftime("%H:%M:%S")
    svg = re.search(r'<svg class="chart".*?</svg>', page, re.S).group(0)
    assert f">{shanghai_clock}</text>" in svg and "UTC" not in page


def test_a_once_schedule_shows_in_local_time(client, session_factory, people):
    logged_in(client, session_factory, "root")
    day = (utcnow().astimezone(ZoneInfo("Asia/Shanghai")) + timedelta(days=2)).date()
    with session_factory.begin() as session:
        campaign = make_campaign(session, people, schedule={"kind": "once", "at": f"{day.isoformat()}T09:00"})
    page = client.get(f"/console/campaigns/{campaign['id']}").get_data(as_text=True)
    assert raw_times(page) == []
    exact, shown = re.search(r'<time datetime="([^"]+)">([^<]*09:00)</time>', page).groups()
    assert exact == f"{day.isoformat()}T01:00:00+00:00" and shown.endswith(f"{day:%m-%d} 09:00")


def test_report_days_read_today_and_yesterday(client, session_factory, tree):
    with session_factory.begin() as session:
        world = build_report_world(session, tree)
        make_duty(session, world)
    logged_in(client, session_factory, "zhuoma", "admin")
    today = (utcnow() + timedelta(hours=8)).date()  # the day in Asia/Shanghai, the tests' zone
    yesterday = today - timedelta(days=1)

    dashboard = client.get("/console/").get_data(as_text=True)
    assert f'<time datetime="{today.isoformat()}">今天</time> · 截止 10:00' in dashboard
    board = client.get(f"/console/reports?date={yesterday.isoformat()}").get_data(as_text=True)
    assert f'<time datetime="{yesterday.isoformat()}">昨天</time></h2>' in board
