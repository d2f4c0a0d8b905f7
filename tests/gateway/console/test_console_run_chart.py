"""A run's progress over time (both backends): cumulative sent, delivered and confirmed counts at evenly spaced
moments, and the run page's inline SVG chart of them (no script)."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select, update

from campaigns.identity.access import Actor
from campaigns.models import Confirmation, OutboxMessage
from campaigns.models.base import utcnow
from campaigns.runs.planning import launch_campaign
from campaigns.runs.run_timeline import run_timeline
from tests.console_helpers import logged_in
from tests.factories import NOW, make_campaign


def _sent_run(session_factory, people, start=NOW) -> int:
    """A run launched at `start` of three messages: sent then, +10 and +20 minutes; the first two delivered 5
    minutes after sending; the first confirmed at +30 minutes."""
    with session_factory.begin() as session:
        campaign = make_campaign(session, people, expects_reply=True)
        run_id = launch_campaign(session, Actor.system(), campaign["id"], start).run_id
        rows = session.scalars(select(OutboxMessage).where(OutboxMessage.run_id == run_id).order_by(OutboxMessage.id))
        rows = list(rows)
        assert len(rows) == 3
        for index, row in enumerate(rows):
            sent = start + timedelta(minutes=10 * index)
            status = "delivered" if index < 2 else "sent"
            finished = sent + timedelta(minutes=5) if index < 2 else None
            session.execute(update(OutboxMessage).where(OutboxMessage.id == row.id)
                            .values(status=status, sent_at=sent, finished_at=finished))  # fmt: skip
        session.add(Confirmation(run_id=run_id, contact_id=rows[0].contact_id, grid_id=rows[0].grid_id, channel="sms",
                                 confirmed_at=start + timedelta(minutes=30)))  # fmt: skip
    return run_id


def test_timeline_counts_what_had_happened_by_each_moment(session_factory, people):
    run_id = _sent_run(session_factory, people)
    with session_factory() as session:
        timeline = run_timeline(session, Actor.system(), run_id, NOW + timedelta(minutes=40), moments=5)
    assert (
        timeline["times"][0] == NOW.isoformat() and timeline["times"][-1] == (NOW + timedelta(minutes=40)).isoformat()
    )
    assert timeline["sent"] == [1, 2, 3, 3, 3]  # at +0, +10, +20, +30, +40
    assert timeline["delivered"] == [0, 1, 2, 2, 2]
    assert timeline["confirmed"] == [0, 0, 0, 1, 1]
    assert timeline["total"] == 3


def test_nothing_sent_yet_has_no_chart(client, session_factory, people):
    with session_factory.begin() as session:
        campaign = make_campaign(session, people)
        run_id = launch_campaign(session, Actor.system(), campaign["id"], NOW).run_id
    with session_factory() as session:
        assert run_timeline(session, Actor.system(), run_id, NOW)["times"] == []
    logged_in(client, session_factory, "zhuoma", "coordinator", "623025101")
    assert "progress-chart" not in client.get(f"/console/runs/{run_id}").get_data(as_text=True)


def test_run_page_draws_the_chart_as_inline_svg(client, session_factory, people):
    run_id = _sent_run(session_factory, people, utcnow() - timedelta(hours=1))
    logged_in(client, session_factory, "zhuoma", "coordinator", "623025101")
    page = client.get(f"/console/runs/{run_id}").get_data(as_text=True)
    svg = re.search(r'<svg class="chart".*?</svg>', page, re.S).group(0)
    assert 'data-testid="progress-chart"' in svg and "<script" not in svg and "style=" not in svg
    assert sorted(re.findall(r'data-series="(\w+)"', svg)) == ["confirmed", "delivered", "sent"]
    assert "已交给运营商 3/3" in svg and "已确认 1/3" in svg  # the text alternative
    points = re.search(r'data-series="sent" points="([^"]+)"', svg).group(1).split()
    heights = [float(point.split(",")[1]) for point in points]
    assert heights == sorted(heights, reverse=True) and heights[-1] < heights[0]  # rises (y grows downwards)
    logged_in(client, session_factory, "lamu", "coordinator", "623025102")
    assert client.get(f"/console/runs/{run_id}").status_code == 404
