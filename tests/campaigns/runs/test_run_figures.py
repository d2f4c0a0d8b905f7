"""A run's figures (both backends): the campaign says `sending` while its run sends, the rate and time left are right
from the first seconds and absent while paused, segments are recorded whatever order the send result and the
delivery report arrive in, the run shows its actual segments and cost beside the estimate, and the chart's last
point counts every confirmation."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from campaigns.broadcasts.campaign_service import get_campaign, list_campaigns
from campaigns.channels.base import BaseSmsChannel, SendResult
from campaigns.common.sms_segments import count_segments
from campaigns.delivery.dispatch import due_batches, finish_runs
from campaigns.delivery.sending import SendPolicy, send_batch
from campaigns.delivery.status_updates import apply_status
from campaigns.identity.access import Actor
from campaigns.models import Confirmation, OutboxMessage
from campaigns.models.base import utcnow
from campaigns.runs.planning import launch_campaign
from campaigns.runs.progress import run_progress
from campaigns.runs.run_control import pause_campaign
from campaigns.runs.run_timeline import run_timeline
from tests.console_helpers import logged_in
from tests.factories import NOW, make_campaign
from tests.fakes import NoLimit

SYSTEM = Actor.system()
LONG_ZH = (
    "{name}，" + "明天上午九点在乡卫生院接种疫苗，请带身份证和户口本。" * 4
)  # more than 70 characters: 2+ segments


def _launched(session_factory, people, **overrides) -> int:
    with session_factory.begin() as session:
        campaign = make_campaign(session, people, **overrides)
        return launch_campaign(session, SYSTEM, campaign["id"], NOW).run_id


def _mark_sent(session_factory, run_id: int, sent_ats) -> None:
    with session_factory.begin() as session:
        ids = session.scalars(select(OutboxMessage.id).where(OutboxMessage.run_id == run_id).order_by(OutboxMessage.id))
        for row_id, sent_at in zip(list(ids), sent_ats, strict=False):
            session.execute(
                update(OutboxMessage).where(OutboxMessage.id == row_id).values(status="sent", sent_at=sent_at)
            )


def test_a_now_campaign_says_sending_while_its_run_sends_then_finished(session_factory, people):
    run_id = _launched(session_factory, people)
    with session_factory() as session:
        assert (
            get_campaign(session, SYSTEM, run_progress(session, SYSTEM, run_id, NOW)["run"]["campaign_id"])["status"]
            == "sending"
        )
        assert [item["status"] for item in list_campaigns(session, SYSTEM, status="sending").items] == ["sending"]
    with session_factory.begin() as session:
        session.execute(update(OutboxMessage).where(OutboxMessage.run_id == run_id).values(status="delivered"))
        finish_runs(session, NOW, run_id)
    with session_factory() as session:
        campaign_id = run_progress(session, SYSTEM, run_id, NOW)["run"]["campaign_id"]
        assert get_campaign(session, SYSTEM, campaign_id)["status"] == "finished"
        assert list_campaigns(session, SYSTEM, status="sending").items == []


def test_a_paused_run_says_paused_and_shows_no_time_left(session_factory, people):
    run_id = _launched(session_factory, people)
    _mark_sent(session_factory, run_id, [NOW + timedelta(seconds=1)])
    with session_factory.begin() as session:
        campaign_id = run_progress(session, SYSTEM, run_id, NOW)["run"]["campaign_id"]
        pause_campaign(session, SYSTEM, campaign_id)
    with session_factory() as session:
        progress = run_progress(session, SYSTEM, run_id, NOW + timedelta(seconds=2))
        assert progress["run"]["status"] == "paused" and progress["remaining"] == 2
        assert progress["estimated_seconds_left"] is None
        assert get_campaign(session, SYSTEM, campaign_id)["status"] == "paused"


def test_rate_and_time_left_are_right_from_the_first_seconds(session_factory, people):
    run_id = _launched(session_factory, people)
    _mark_sent(session_factory, run_id, [NOW, NOW + timedelta(milliseconds=100)])  # 2 sent in the first 0.2 s
    with session_factory() as session:
        progress = run_progress(session, SYSTEM, run_id, NOW + timedelta(milliseconds=200))
    assert progress["rate_per_second"] == 10.0  # not 2 / 60 s
    assert progress["remaining"] == 1 and progress["estimated_seconds_left"] == 0.1


def test_segments_are_right_when_the_delivery_report_comes_before_the_send_result(session_factory, people):
    run_id = _launched(session_factory, people, texts={"zh": LONG_ZH, "bo": LONG_ZH})

    class ReportsBeforeReturning(BaseSmsChannel):
        name = "twilio"

        def send_sms(self, message):
            sid = f"SM{message.outbox_id:032d}"
            with session_factory.begin() as other:
                apply_status(other, message.outbox_id, "delivered", provider_sid=sid, error_code=None, now=NOW)
            return SendResult("accepted", provider_sid=sid)

    with session_factory() as session:
        batch = due_batches(session, NOW, 500)[0]
    send_batch(session_factory, ReportsBeforeReturning(), NoLimit(), SendPolicy(), lambda: NOW, run_id,
               batch.first_id, batch.last_id)  # fmt: skip
    with session_factory() as session:
        rows = session.execute(
            select(OutboxMessage.status, OutboxMessage.body, OutboxMessage.segments).where(
                OutboxMessage.run_id == run_id
            )
        ).all()
    assert {status for status, _, _ in rows} == {"delivered"}
    assert [segments for _, _, segments in rows] == [count_segments(body).segments for _, body, _ in rows]
    assert all(segments > 1 for _, _, segments in rows)


def test_the_run_shows_its_actual_segments_and_cost_beside_the_estimate(session_factory, people):
    run_id = _launched(session_factory, people, texts={"zh": LONG_ZH, "bo": LONG_ZH})
    with session_factory() as session:
        bodies = session.scalars(select(OutboxMessage.body).where(OutboxMessage.run_id == run_id)).all()
        expected = sum(count_segments(body).segments for body in bodies)
        progress = run_progress(session, SYSTEM, run_id, NOW, price_per_segment=0.05)
    assert progress["segments"] == {"estimated": expected, "actual": 0}
    assert progress["estimated_cost"] == round(expected * 0.05, 2) and progress["actual_cost"] == 0
    with session_factory() as session:
        batch = due_batches(session, NOW, 500)[0]

    class Accepts(BaseSmsChannel):
        name = "twilio"

        def send_sms(self, message):
            return SendResult("accepted", provider_sid=f"SM{message.outbox_id:032d}")

    send_batch(session_factory, Accepts(), NoLimit(), SendPolicy(), lambda: NOW, run_id, batch.first_id,
               batch.last_id)  # fmt: skip
    with session_factory() as session:
        progress = run_progress(session, SYSTEM, run_id, NOW, price_per_segment=0.05)
    assert progress["segments"] == {"estimated": expected, "actual": expected}
    assert progress["actual_cost"] == round(expected * 0.05, 2)


def test_the_charts_last_point_counts_every_confirmation(session_factory, people):
    run_id = _launched(session_factory, people, expects_reply=True)
    _mark_sent(session_factory, run_id, [NOW, NOW, NOW])
    last = NOW + timedelta(minutes=30, microseconds=11)  # 23 steps of this span round down by a microsecond
    with session_factory.begin() as session:
        rows = session.scalars(select(OutboxMessage).where(OutboxMessage.run_id == run_id)).all()
        for row, at in zip(rows, (NOW + timedelta(minutes=5), last), strict=False):
            session.add(Confirmation(run_id=run_id, contact_id=row.contact_id, grid_id=row.grid_id, channel="sms",
                                     confirmed_at=at))  # fmt: skip
    with session_factory() as session:
        timeline = run_timeline(session, SYSTEM, run_id, last)
    assert timeline["confirmed"][-1] == 2
    assert timeline["times"][-1] == last.isoformat()


def test_the_run_page_shows_segments_and_no_time_left_while_paused(client, session_factory, people):
    run_id = _launched(session_factory, people, texts={"zh": LONG_ZH, "bo": LONG_ZH})
    _mark_sent(session_factory, run_id, [utcnow() - timedelta(seconds=2)])
    logged_in(client, session_factory, "zhuoma", "coordinator", "623025101")
    sending = client.get(f"/console/runs/{run_id}").get_data(as_text=True)
    assert 'data-testid="run-segments"' in sending and "还需约" in sending
    with session_factory.begin() as session:
        campaign_id = run_progress(session, SYSTEM, run_id, NOW)["run"]["campaign_id"]
        pause_campaign(session, SYSTEM, campaign_id)
    paused = client.get(f"/console/runs/{run_id}").get_data(as_text=True)
    assert 'data-testid="run-status">已暂停' in paused and "还需约" not in paused
    campaign_page = client.get(f"/console/campaigns/{campaign_id}").get_data(as_text=True)
    assert 'data-testid="campaign-status">已暂停' in campaign_page
