"""Schedules at save and on edit (both backends): a schedule with no occurrence left is refused with a clear message,
and editing a launched campaign's schedule moves its next run."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from campaigns.broadcasts.campaign_service import create_campaign, update_campaign
from campaigns.common.errors import ValidationError
from campaigns.identity.access import Actor
from campaigns.runs.planning import launch_campaign, plan_due_runs
from gateway.console.error_messages import error_text
from tests.console_helpers import logged_in
from tests.factories import NOW, make_campaign

SYSTEM = Actor.system()  # NOW is 10:00 in Asia/Shanghai on 2026-11-23


def _draft(people, schedule) -> dict:
    return {
        "name": "接种提醒",
        "audience": {"grid_ids": [people["623025101"]]},
        "texts": {"zh": "明天接种。"},
        "fallback_language": "zh",
        "schedule": schedule,
    }


@pytest.mark.parametrize(
    ("schedule", "words"),
    [
        ({"kind": "once", "at": "2026-11-23T09:00"}, "2026-11-23T09:00 (Asia/Shanghai) has already passed"),
        ({"kind": "daily", "time": "08:00", "until": "2026-11-22"}, "ends on 2026-11-22"),
    ],
)
def test_a_schedule_in_the_past_is_refused_at_save(session, people, schedule, words):
    with pytest.raises(ValidationError, match=re.escape(words)) as refused:
        create_campaign(session, SYSTEM, _draft(people, schedule), now=NOW)
    assert refused.value.fields == {"schedule": "in the past"}
    created = create_campaign(session, SYSTEM, _draft(people, {"kind": "now"}), now=NOW)
    with pytest.raises(ValidationError, match="has already passed"):
        update_campaign(
            session, SYSTEM, created["id"], {"schedule": {"kind": "once", "at": "2026-11-23T09:59"}}, now=NOW
        )


def test_editing_a_daily_time_moves_the_next_run(session, people):
    campaign = make_campaign(session, people, schedule={"kind": "daily", "time": "08:00"})
    launch_campaign(session, SYSTEM, campaign["id"], NOW)
    edited = update_campaign(session, SYSTEM, campaign["id"], {"schedule": {"kind": "daily", "time": "11:00"}}, now=NOW)
    assert (
        edited["next_run_at"] == datetime(2026, 11, 23, 3, 0, tzinfo=UTC).isoformat()
    )  # today 11:00, not tomorrow 08:00
    assert plan_due_runs(session, NOW + timedelta(hours=1)) != []  # 11:00 local fires


def test_switching_to_once_moves_the_next_run_and_the_old_one_does_not_fire(session, people):
    campaign = make_campaign(session, people, schedule={"kind": "daily", "time": "11:00"})
    launch_campaign(session, SYSTEM, campaign["id"], NOW)
    edited = update_campaign(session, SYSTEM, campaign["id"], {"schedule": {"kind": "once", "at": "2026-11-25T09:00"}},
                             now=NOW)  # fmt: skip
    assert edited["next_run_at"] == datetime(2026, 11, 25, 1, 0, tzinfo=UTC).isoformat()
    assert plan_due_runs(session, NOW + timedelta(hours=1, minutes=1)) == []  # the old 11:00 run is gone


def test_the_api_refuses_a_past_schedule_and_moves_the_next_run_on_patch(client, admin_headers, people):
    past = client.post("/api/v1/campaigns", headers=admin_headers,
                       json=_draft(people, {"kind": "once", "at": "2020-01-01T09:00"}))  # fmt: skip
    assert past.status_code == 422 and past.json["error"]["fields"] == {"schedule": "in the past"}
    created = client.post("/api/v1/campaigns", headers=admin_headers,
                          json=_draft(people, {"kind": "once", "at": "2099-01-01T09:00"})).json  # fmt: skip
    assert client.post(f"/api/v1/campaigns/{created['id']}/launch", headers=admin_headers).status_code == 202
    moved = client.patch(f"/api/v1/campaigns/{created['id']}", headers=admin_headers,
                         json={"schedule": {"kind": "once", "at": "2098-06-01T09:00"}})  # fmt: skip
    assert moved.json["next_run_at"] == datetime(2098, 6, 1, 1, 0, tzinfo=UTC).isoformat()


def test_the_refusal_reads_in_chinese_in_the_console(session, people):
    for schedule in (
        {"kind": "once", "at": "2026-11-23T09:00"},
        {"kind": "daily", "time": "08:00", "until": "2026-11-22"},
    ):
        with pytest.raises(ValidationError) as refused:
            create_campaign(session, SYSTEM, _draft(people, schedule), now=NOW)
        chinese = error_text(refused.value, "zh-Hans")
        assert chinese != refused.value.message and ("已经过去" in chinese)


def test_the_console_builder_shows_the_refusal_beside_the_schedule(client, session_factory, people):
    token = logged_in(client, session_factory, "zhuoma", "coordinator", "623025101")
    form = {"csrf_token": token, "name": "接种提醒", "grid_ids": [str(people["623025101"])], "text_zh": "明天接种",
            "fallback_language": "zh", "schedule_kind": "once", "schedule_at": "2020-01-01T09:00"}  # fmt: skip
    refused = client.post("/console/campaigns/new", data=form)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert (
        'id="err-schedule" role="alert">时间已经过去' in page
        and "发送时间 2020-01-01 09:00（Asia/Shanghai）已经过去" in page
    )
