"""Alerts as campaigns: their fields and checks, the always-approve rule and the county's extreme skip, drills,
and updating or cancelling an alert that went out (on both databases)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from campaigns.broadcasts.alert_rules import set_county_rule
from campaigns.broadcasts.campaign_service import create_campaign, list_campaigns, update_campaign
from campaigns.common.errors import Conflict, PermissionDenied, ValidationError
from campaigns.models import AuditEntry, Campaign, OutboxMessage, Run
from campaigns.runs.alerts import cancel_alert, update_alert
from campaigns.runs.approvals import approval_status, approve_campaign
from campaigns.runs.planning import launch_campaign
from tests.alert_helpers import alert_data, approved_launch, launched_alert, rows_by_status, staff
from tests.factories import NOW


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"expires_at": None}, "expires_at"),
        ({"valid_from": None}, "valid_from"),
        ({"expires_at": NOW.isoformat()}, "expires_at"),  # not after valid_from
        ({"valid_from": "2026-11-23T10:00"}, "valid_from"),  # no offset
        ({"severity": None}, "severity"),
        ({"severity": "catastrophic"}, "severity"),
        ({"event_type": " "}, "event_type"),
        ({"is_drill": "yes"}, "is_drill"),
        ({"kind": "warning"}, "kind"),
    ],
)
def test_an_alert_needs_its_event_severity_and_validity_window(session_factory, people, overrides, field):
    with session_factory.begin() as session, pytest.raises(ValidationError) as refused:
        create_campaign(session, staff(session_factory, "author"), alert_data(people, **overrides), NOW)
    assert field in refused.value.fields


def test_an_expired_window_is_refused_and_a_routine_campaign_takes_no_alert_fields(session_factory, people):
    author = staff(session_factory, "author")
    past = {"valid_from": (NOW - timedelta(days=2)).isoformat(), "expires_at": (NOW - timedelta(days=1)).isoformat()}
    with session_factory.begin() as session, pytest.raises(ValidationError, match="already passed"):
        create_campaign(session, author, alert_data(people, **past), NOW)
    routine = {**alert_data(people, kind="routine"), "valid_from": None, "expires_at": None}
    with session_factory.begin() as session, pytest.raises(ValidationError) as refused:
        create_campaign(session, author, routine, NOW)
    assert set(refused.value.fields) == {"event_type", "severity"}


def test_severity_words_times_and_drill_marks_are_stored(session_factory, people):
    author = staff(session_factory, "author")
    with session_factory.begin() as session:
        alert = create_campaign(
            session, author, alert_data(people, severity="特别重大", valid_from="2026-11-23T10:00+08:00",
                                        is_drill=True), NOW)  # fmt: skip
    assert alert["kind"] == "alert"
    assert alert["alert"]["severity"] == "extreme" and alert["alert"]["severity_cap"] == "Extreme"
    assert alert["alert"]["valid_from"] == "2026-11-23T02:00:00+00:00" and alert["alert"]["msg_type"] == "alert"
    assert alert["texts"]["zh"].startswith("【演练】暴雪预警") and alert["texts"]["en"] == "[TEST] Blizzard tonight."
    assert alert["texts"]["bo"].startswith("[TEST] ")
    with session_factory.begin() as session:
        again = update_campaign(session, author, alert["id"], {"name": "暴雪预警演练"}, NOW)
        assert again["texts"]["zh"].count("【演练】") == 1  # marked once
        real = update_campaign(session, author, alert["id"], {"is_drill": False}, NOW)
        assert real["texts"]["zh"] == "暴雪预警：今晚有暴雪，请转移牲畜。"


def test_an_alert_always_needs_a_second_person_whatever_its_size(session_factory, people):
    author, second = staff(session_factory, "author"), staff(session_factory, "second")
    with session_factory.begin() as session:
        alert = create_campaign(session, author, alert_data(people), NOW)
        assert approval_status(session, author, alert["id"], 10_000)["required"] is True
    with session_factory.begin() as session, pytest.raises(Conflict, match="always needs a second person"):
        launch_campaign(session, author, alert["id"], NOW, approval_threshold=10_000)
    with session_factory.begin() as session, pytest.raises(PermissionDenied):
        approve_campaign(session, author, alert["id"], NOW)
    with session_factory.begin() as session:
        approve_campaign(session, second, alert["id"], NOW)
        update_campaign(session, author, alert["id"], {"severity": "extreme"}, NOW)
        assert approval_status(session, author, alert["id"], 10_000)["approved"] is False  # severity is covered
    run = approved_launch(session_factory, author, second, alert["id"])
    assert run.planned == 3  # 才让, 王芳 and Tom by SMS (扎西 is voice-only, 拉毛 opted out)


def test_a_county_may_let_its_admins_skip_approval_for_extreme_alerts_and_each_skip_is_audited(session_factory, people):
    admin, coordinator = staff(session_factory, "chief", "admin"), staff(session_factory, "clerk")
    with session_factory.begin() as session:
        extreme = create_campaign(session, admin, alert_data(people, severity="extreme"), NOW)
        severe = create_campaign(session, admin, alert_data(people), NOW)
        clerks = create_campaign(session, coordinator, alert_data(people, severity="extreme"), NOW)
    with session_factory.begin() as session, pytest.raises(Conflict):
        launch_campaign(session, admin, extreme["id"], NOW)  # the county's rule is off by default
    with session_factory.begin() as session, pytest.raises(ValidationError, match="county"):
        set_county_rule(session, admin, people["623025101"], True, NOW)  # a township has no such rule
    with session_factory.begin() as session, pytest.raises(PermissionDenied):
        set_county_rule(session, coordinator, people["623025"], True, NOW)
    with session_factory.begin() as session:
        assert set_county_rule(session, admin, people["623025"], True, NOW)["skip_approval_for_extreme"] is True
    with session_factory.begin() as session:
        assert launch_campaign(session, admin, extreme["id"], NOW).planned == 3
    for refused in (severe, clerks):  # not the highest severity; not an admin
        with session_factory.begin() as session, pytest.raises(Conflict):
            launch_campaign(session, admin if refused is severe else coordinator, refused["id"], NOW)
    with session_factory() as session:
        actions = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
        skipped = session.scalar(select(AuditEntry).where(AuditEntry.action == "alert.approval_skipped"))
    assert actions == ["alert.county_rule", "alert.approval_skipped"]
    assert skipped.username == "chief" and skipped.target == f"campaign {extreme['id']}"


def _reach(session, run_id: int, phone: str) -> None:
    session.execute(
        update(OutboxMessage).where(OutboxMessage.run_id == run_id, OutboxMessage.to == phone).values(status="sent")
    )


def test_an_update_replaces_unsent_messages_and_reaches_everyone(session_factory, people):
    author, second = staff(session_factory, "author"), staff(session_factory, "second")
    original = launched_alert(session_factory, people, author, second)
    with session_factory.begin() as session:
        _reach(session, original["run_id"], "+8613800000001")  # 才让 was reached; 王芳 and Tom were not
    with session_factory.begin() as session, pytest.raises(ValidationError):
        update_alert(session, author, original["id"], {"colour": "red"}, NOW)
    with session_factory.begin() as session:
        later = (NOW + timedelta(days=2)).isoformat()
        draft = update_alert(session, author, original["id"], {"texts": {"zh": "暴雪加大"}, "expires_at": later}, NOW)
    assert draft["status"] == "draft" and draft["alert"]["msg_type"] == "update"
    assert draft["alert"]["references_id"] == original["id"] and draft["alert"]["expires_at"].startswith("2026-11-25")
    with session_factory.begin() as session, pytest.raises(Conflict):
        launch_campaign(session, author, draft["id"], NOW)  # an update needs approval like any alert
    with session_factory() as session:
        assert rows_by_status(session, original["run_id"]) == {"sent": 1, "queued": 2}  # nothing stopped yet
    planned = approved_launch(session_factory, author, second, draft["id"])
    with session_factory() as session:
        assert rows_by_status(session, original["run_id"]) == {"sent": 1, "cancelled": 2}
        bodies = dict(session.execute(select(OutboxMessage.to, OutboxMessage.body).where(
            OutboxMessage.run_id == planned.run_id)).all())  # fmt: skip
        assert session.get(Campaign, original["id"]).status == "cancelled"
    assert bodies == {"+8613800000001": "暴雪加大", "+8613800000002": "暴雪加大", "+8613800000003": "暴雪加大"}
    with session_factory.begin() as session, pytest.raises(Conflict, match="latest update"):
        update_alert(session, author, original["id"], {"texts": {"zh": "again"}}, NOW)


def test_a_cancel_stops_the_alert_and_its_updates_and_sends_the_all_clear(session_factory, people):
    author, second = staff(session_factory, "author"), staff(session_factory, "second")
    original = launched_alert(session_factory, people, author, second, is_drill=True)
    with session_factory.begin() as session:
        update = update_alert(session, author, original["id"], {"texts": {"zh": "暴雪加大", "en": "More snow"}}, NOW)
    update_run = approved_launch(session_factory, author, second, update["id"])
    with session_factory.begin() as session:
        cancel = cancel_alert(session, author, update["id"], True, None, NOW)
    assert cancel["alert"]["msg_type"] == "cancel" and cancel["alert"]["is_drill"] is True
    assert cancel["texts"]["zh"] == "【演练】【解除】暴雪预警解除。"
    assert cancel["texts"]["en"] == "[TEST] ALL CLEAR: the 暴雪 alert is over."
    with session_factory() as session:
        assert rows_by_status(session, update_run.run_id) == {"cancelled": 3}
        assert session.get(Campaign, cancel["id"]).status == "draft"
    all_clear = approved_launch(session_factory, author, second, cancel["id"])
    with session_factory() as session:
        assert rows_by_status(session, all_clear.run_id) == {"queued": 3}
        statuses = dict(session.execute(select(Campaign.id, Campaign.status)).all())
    assert statuses[original["id"]] == statuses[update["id"]] == "cancelled"


def test_a_cancel_without_all_clear_only_stops(session_factory, people):
    author, second = staff(session_factory, "author"), staff(session_factory, "second")
    original = launched_alert(session_factory, people, author, second)
    with session_factory.begin() as session, pytest.raises(ValidationError):
        cancel_alert(session, author, original["id"], False, {"zh": "解除"}, NOW)
    with session_factory.begin() as session:
        cancel = cancel_alert(session, author, original["id"], False, None, NOW)
    assert cancel["channels"] == []
    with session_factory() as session:
        assert rows_by_status(session, original["run_id"]) == {"cancelled": 3}
        assert session.get(Campaign, cancel["id"]).status == "finished"
        assert session.scalar(select(Run.id).where(Run.campaign_id == cancel["id"])) is None


def test_an_expired_alert_cannot_launch_and_a_draft_cannot_be_updated(session_factory, people):
    author, second = staff(session_factory, "author"), staff(session_factory, "second")
    with session_factory.begin() as session:
        alert = create_campaign(session, author, alert_data(people), NOW)
        with pytest.raises(Conflict, match="never launched"):
            update_alert(session, author, alert["id"], {"texts": {"zh": "x"}}, NOW)
        approve_campaign(session, second, alert["id"], NOW)
    with session_factory.begin() as session, pytest.raises(Conflict, match="expired"):
        launch_campaign(session, author, alert["id"], NOW + timedelta(days=2))


def test_drills_are_listed_apart(session_factory, people):
    author = staff(session_factory, "author")
    with session_factory.begin() as session:
        drill = create_campaign(session, author, alert_data(people, is_drill=True), NOW)
        real = create_campaign(session, author, alert_data(people), NOW)
        routine = create_campaign(session, author, {"name": "通知", "audience": {"grid_ids": [people["623025101"]]},
                                                    "texts": {"zh": "开会"}}, NOW)  # fmt: skip
    with session_factory() as session:
        ids = {
            key: [item["id"] for item in list_campaigns(session, author, **query).items]
            for key, query in {"drills": {"drill": True}, "real": {"drill": False}, "alerts": {"kind": "alert"},
                               "routine": {"kind": "routine"}}.items()
        }  # fmt: skip
    assert ids == {"drills": [drill["id"]], "real": [real["id"]], "alerts": [real["id"], drill["id"]],
                   "routine": [routine["id"]]}  # fmt: skip
