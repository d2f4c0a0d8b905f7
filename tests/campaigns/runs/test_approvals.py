"""Four eyes on large campaigns: the rule lives in launch_campaign, so the API obeys it as the console does."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from campaigns.broadcasts.campaign_service import update_campaign
from campaigns.common.errors import Conflict, PermissionDenied
from campaigns.identity.access import Actor
from campaigns.models import Campaign, Grid
from campaigns.runs.approvals import approval_status, approve_campaign
from campaigns.runs.planning import launch_campaign
from gateway.app import create_app
from tests.console_helpers import add_user
from tests.factories import NOW, make_campaign
from workers.composition import Services


def _staff(session_factory, name: str) -> Actor:
    user_id = add_user(session_factory, name, "coordinator", "623025101")
    with session_factory() as session:
        path = session.scalar(select(Grid.path).where(Grid.code == "623025101"))
    return Actor(user_id=user_id, role="coordinator", scope_path=path, username=name)


def test_launch_above_the_threshold_needs_another_persons_approval(session_factory, people):
    author, second = _staff(session_factory, "author"), _staff(session_factory, "second")
    with session_factory.begin() as session:
        campaign = make_campaign(session, people)
        session.get(Campaign, campaign["id"]).created_by = author.user_id
    with session_factory.begin() as session, pytest.raises(Conflict, match="second person must approve"):
        launch_campaign(session, author, campaign["id"], NOW, approval_threshold=2)
    with session_factory.begin() as session, pytest.raises(PermissionDenied):
        approve_campaign(session, author, campaign["id"], NOW)
    with session_factory.begin() as session:
        status = approve_campaign(session, second, campaign["id"], NOW)
        assert status["approved"] and status["approved_by"] == "second" and status["recipients"] == 3
        update_campaign(session, author, campaign["id"], {"texts": {"zh": "改过的内容"}})
        assert approval_status(session, author, campaign["id"], 2)["approved"] is False  # the edit voided it
        approve_campaign(session, second, campaign["id"], NOW)
    with session_factory.begin() as session:
        planned = launch_campaign(session, author, campaign["id"], NOW, approval_threshold=2)
    assert planned.planned == 3


def test_below_the_threshold_or_as_the_system_no_approval_is_needed(session_factory, people):
    author = _staff(session_factory, "author")
    with session_factory.begin() as session:
        small = make_campaign(session, people)
        big = make_campaign(session, people)
    with session_factory.begin() as session:
        assert launch_campaign(session, author, small["id"], NOW, approval_threshold=4) is not None
        assert launch_campaign(session, Actor.system(), big["id"], NOW, approval_threshold=0) is not None


def test_the_api_obeys_the_threshold(settings, engine, session_factory, make_token, people):
    strict = dataclasses.replace(settings, approval_threshold=2)
    client = create_app(runtime=Services(settings=strict, engine=engine, session_factory=session_factory)).test_client()
    with session_factory.begin() as session:
        campaign = make_campaign(session, people)
    headers = {"Authorization": f"Bearer {make_token('admin')}"}
    refused = client.post(f"/api/v1/campaigns/{campaign['id']}/launch", headers=headers)
    assert refused.status_code == 409 and refused.json["error"]["fields"] == {"approval": "required"}
    status = client.get(f"/api/v1/campaigns/{campaign['id']}/approval", headers=headers).json
    assert (status["required"], status["approved"], status["recipients"], status["threshold"]) == (True, False, 3, 2)
    approved = client.post(f"/api/v1/campaigns/{campaign['id']}/approval", headers=headers)
    assert approved.status_code == 200 and approved.json["approved"] is True
    assert client.post(f"/api/v1/campaigns/{campaign['id']}/launch", headers=headers).status_code == 202
