"""Scope and role enforcement on every operation of the OpenAPI document.

For each operation, tests/scope_cases.py holds one request that works for a member of staff of 齐哈玛镇 (the "own"
township), and "attacks": the same operation aimed at 欧拉镇 (the "other" township) or above, each with the status
it must get. The tests show, for every operation, that
- the own request works (so a refusal below is about scope, not a malformed request), and lists show nothing
  outside the caller's scope;
- every attack is refused (404 for objects out of scope, 422 for a body naming an out-of-scope grid, 403 for a
  role violation) and the database is unchanged;
- a viewer is refused every write (403) and the database is unchanged;
- a missing, garbage, revoked or disabled user's token gets 401.
`test_every_operation_has_a_scope_case` fails when the document has an operation the table does not cover.
"""

from __future__ import annotations

import dataclasses
import io
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import inspect, select

from campaigns.broadcasts.campaign_service import create_campaign
from campaigns.identity import accounts
from campaigns.identity.access import Actor
from campaigns.models import ApiToken, Base, DailyReport, Grid, User
from campaigns.models.base import utcnow
from campaigns.replies.inbound import receive_sms
from campaigns.replies.keywords import add_keyword
from campaigns.reports import report_duties
from campaigns.runs.approvals import approve_campaign
from campaigns.runs.planning import launch_campaign
from tests.alert_helpers import alert_data
from tests.factories import add_contact
from tests.scope_cases import CASES, CONTACTS_CSV, NEW_CONTACT, NEW_USER, OTHER, OWN, Call, campaign_body
from tests.scope_cases_speakers import make_speakers


@pytest.fixture
def world(request, client, session_factory, tree) -> dict:
    """Ids, codes and tokens: staff of 齐哈玛镇 (own), of 欧拉镇 (other) and of the whole county.

    Import reports and campaigns (slower to make) are only made for the operations that need them.
    """
    callspec = getattr(request.node, "callspec", None)
    path = callspec.params.get("operation", ("", ""))[1] if callspec else ""
    with session_factory.begin() as session:
        contacts = {
            "own_contact": add_contact(session, tree["623025101201"], "+8613800000001"),
            "other_contact": add_contact(session, tree["623025102201"], "+8613800000002"),
            "own_opted_out_contact": add_contact(session, tree["623025101202"], "+8613800000003"),
            "other_opted_out_contact": add_contact(session, tree["623025102201"], "+8613800000004"),
        }
        for key in ("own_opted_out_contact", "other_opted_out_contact"):
            contacts[key].opted_out_at, contacts[key].opted_out_via = utcnow(), "sms"
        staff = {
            "root": ("admin", None),
            "township_admin": ("admin", OWN),
            "coordinator": ("coordinator", OWN),
            "own-viewer": ("viewer", OWN),
            "other-coordinator": ("coordinator", OTHER),
        }
        tokens, token_ids = {}, {}
        for username, (role, scope) in staff.items():
            accounts.create_user(session, Actor.system(), username=username, role=role, scope_grid_code=scope)
            issued = accounts.create_token(session, Actor.system(), username=username, name="t")
            tokens[username], token_ids[f"{username}_token"] = issued["token"], issued["id"]
        own_path = session.get(Grid, tree[OWN]).path
        own_codes = {grid.code for grid in session.scalars(select(Grid)) if grid.path.startswith(own_path)}
        ids = {key: contact.id for key, contact in contacts.items()}
    tokens["viewer"] = tokens["own-viewer"]
    made = {}
    if path.startswith("/api/v1/imports"):
        for key, username, grid in (("own_report", "coordinator", OWN), ("other_report", "other-coordinator", OTHER)):
            made[key] = _import_report(client, tokens[username], CONTACTS_CSV.format(phone="13800000098", grid=grid))
    if path.startswith(("/api/v1/campaigns", "/api/v1/runs")):
        made.update(_campaigns(client, {"own_township": tree[OWN], "other_township": tree[OTHER], "tokens": tokens}))
    if path.startswith("/api/v1/campaigns") and ("alert" in path or "reach" in path or "ebm" in path):
        made.update(_alerts(session_factory, tree))
    if path.startswith("/api/v1/reports"):
        made.update(_report_duties(session_factory, tree))
    if path.startswith(("/api/v1/inbox", "/api/v1/keywords")):
        made.update(_replies(session_factory))
    if path.startswith("/api/v1/speakers"):
        made.update(make_speakers(session_factory, tree))
    return {
        **made,
        "own_ids": {tree[code] for code in own_codes},
        **ids,
        **token_ids,
        "county": tree["623025"],
        "own_township": tree[OWN],
        "other_township": tree[OTHER],
        "own_village": tree["623025101201"],
        "other_village": tree["623025102201"],
        "own_empty_grid": tree["6230251012010101"],
        "other_empty_grid": tree["62302510220101"],
        "own_path": own_path,
        "own_codes": own_codes,
        "tokens": tokens,
    }


def _report_duties(session_factory, tree) -> dict[str, int]:
    """A village-level report duty for each township, and an incident of a village of each."""
    made = {}
    with session_factory.begin() as session:
        for side, township, village in (("own", OWN, "623025101201"), ("other", OTHER, "623025102201")):
            data = {"name": f"{side} 零报告", "root_grid_id": tree[township], "level": "village"}
            duty = report_duties.create_duty(session, Actor.system(), data)
            report = DailyReport(duty_id=duty["id"], grid_id=tree[village], day=utcnow().date(), kind="incident",
                                 counts={"fever": 1}, text="发热1人", reported_at=utcnow())  # fmt: skip
            session.add(report)
            session.flush()
            made[f"{side}_duty"], made[f"{side}_incident"] = duty["id"], report.id
    return made


def _replies(session_factory) -> dict[str, int]:
    """A received SMS from a contact of each township and one from an unknown sender; a staff keyword of each
    township and a global one."""
    made = {}
    with session_factory.begin() as session:
        for key, phone in (("own", "+8613800000001"), ("other", "+8613800000002"), ("unknown", "+8613900000077")):
            message, _ = receive_sms(session, "twilio", f"SM{key}", phone, "+15005550006", "1", {"Body": "1"}, utcnow())
            made[f"{key}_inbound"] = message.id
        keyword_owners = {
            "keyword": _coordinator_of(session, OWN),
            "other_keyword": _coordinator_of(session, OTHER),
            "global_keyword": Actor.system(),
        }
        for key, actor in keyword_owners.items():
            made[key] = add_keyword(session, actor, {"language": "zh", "intent": "confirm", "keyword": "阅"})["id"]
    return made


def _coordinator_of(session, code: str) -> Actor:
    path = session.scalar(select(Grid.path).where(Grid.code == code))
    return Actor(user_id=None, role="coordinator", scope_path=path)


def _campaigns(client, world: dict) -> dict[str, int]:
    """Campaigns of each township: a draft, a launched one with its run, and a paused one."""
    made = {}
    for side, username in (("own", "coordinator"), ("other", "other-coordinator")):
        headers = {"Authorization": f"Bearer {world['tokens'][username]}"}
        for name, action in (("campaign", None), ("launched", "launch"), ("paused", "pause"), ("archived", "archive")):
            body = _fill(campaign_body(f"{{{side}_township}}", name=name), world)
            campaign_id = client.post("/api/v1/campaigns", json=body, headers=headers).get_json()["id"]
            if action in ("launch", "pause"):
                assert client.post(f"/api/v1/campaigns/{campaign_id}/launch", headers=headers).status_code == 202
            if action in ("pause", "archive"):
                assert client.post(f"/api/v1/campaigns/{campaign_id}/{action}", headers=headers).status_code == 200
            made[f"{side}_{name}"] = campaign_id
        runs = client.get(f"/api/v1/campaigns/{made[f'{side}_launched']}/runs", headers=headers).get_json()
        made[f"{side}_run"] = runs["items"][0]["id"]
    return made


def _alerts(session_factory, tree) -> dict[str, int]:
    """An alert to the household heads of each township, written by its coordinator, approved by root and launched
    (nothing delivered yet), and a liaison in each township's village to send a visit list to."""
    now, made = utcnow(), {}
    with session_factory.begin() as session:
        users = {user.username: user for user in session.scalars(select(User))}
        root = Actor(user_id=users["root"].id, role="admin", scope_path=None, username="root")
        for side, username, township, village in (("own", "coordinator", OWN, "623025101201"),
                                                  ("other", "other-coordinator", OTHER, "623025102201")):  # fmt: skip
            add_contact(session, tree[village], f"+86139000001{len(made)}", "联户长", role="liaison")
            author = Actor(user_id=users[username].id, role="coordinator", username=username,
                           scope_path=session.get_one(Grid, tree[township]).path)  # fmt: skip
            data = alert_data(tree, audience={"grid_ids": [tree[township]], "roles": ["household_head"]},
                              valid_from=now.isoformat(), expires_at=(now + timedelta(days=1)).isoformat())  # fmt: skip
            alert = create_campaign(session, author, data, now)
            approve_campaign(session, root, alert["id"], now)
            launch_campaign(session, author, alert["id"], now, approval_threshold=10_000)
            made[f"{side}_alert"] = alert["id"]
    return made


def _import_report(client, token: str, csv_text: str) -> int:
    """The id of a dry-run contacts import (nothing imported, a report saved)."""
    response = client.post(
        "/api/v1/contacts/import",
        data={"file": (io.BytesIO(csv_text.encode()), "people.csv"), "dry_run": "true"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _fill(value: Any, world: dict) -> Any:
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}") and value[1:-1] in world:
            return world[value[1:-1]]
        return value.format(**world) if "{" in value else value
    if isinstance(value, dict):
        return {key: _fill(item, world) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, world) for item in value]
    return value


def _send(client, method: str, call: Call, world: dict, headers: dict | None = None):
    if headers is None:
        headers = {"Authorization": f"Bearer {world['tokens'][call.actor]}"}
    kwargs = {"json": _fill(call.body, world)} if call.body is not None else {}
    if call.upload is not None:
        kwargs = {"data": {"file": (io.BytesIO(call.upload.encode()), "upload.csv")}}
    return client.open(_fill(call.path, world), method=method, headers=headers, **kwargs)


def snapshot(engine, ignore: tuple[str, ...] = ()) -> dict[str, list]:
    """Every row of every table (but `ignore`), to show that a refused request changed nothing."""
    existing = set(inspect(engine).get_table_names()) - set(ignore)
    with engine.connect() as connection:
        return {
            table.name: [tuple(row) for row in connection.execute(table.select().order_by(*table.primary_key))]
            for table in Base.metadata.sorted_tables
            if table.name in existing
        }


ERROR_KEYS = {"code", "message", "fields", "message_id", "params"}


def _assert_refused(response, call: Call) -> None:
    assert response.status_code == call.status, response.get_data(as_text=True)
    if call.status >= 400:
        assert {"code", "message", "fields"} <= set(response.get_json()["error"]) <= ERROR_KEYS
    else:
        assert call.check is not None and call.check(response), response.get_json()


def test_every_operation_has_a_scope_case(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operations = {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }
    missing = sorted(operations - set(CASES))
    assert not missing, "operations without a scope case in tests/scope_cases.py CASES: " + ", ".join(
        f"{method} {path}" for method, path in missing
    )
    assert not sorted(set(CASES) - operations), "CASES has operations the document no longer has"


@pytest.mark.parametrize("operation", list(CASES), ids=" ".join)
def test_in_scope_request_works_and_shows_nothing_outside_the_scope(client, world, operation):
    case = CASES[operation]
    response = _send(client, operation[0], case.own, world)
    assert response.status_code == case.own.status, response.get_data(as_text=True)
    if case.leaks:
        assert not case.leaks(response, world)


@pytest.mark.parametrize("operation", [key for key, case in CASES.items() if case.attacks], ids=" ".join)
def test_out_of_scope_requests_are_refused_and_change_nothing(client, engine, world, operation):
    for attack in CASES[operation].attacks:
        # An import that rejects every row still saves its report, notes when the token was last used and is
        # audited (a 201 answer).
        ignore = () if attack.status >= 400 else ("import_reports", "api_tokens", "audit_log")
        before = snapshot(engine, ignore)
        _assert_refused(_send(client, operation[0], attack, world), attack)
        assert snapshot(engine, ignore) == before, attack


@pytest.mark.parametrize("operation", [key for key, case in CASES.items() if case.write], ids=" ".join)
def test_viewer_is_refused_every_write(client, engine, world, operation):
    before = snapshot(engine)
    viewer = dataclasses.replace(CASES[operation].own, actor="viewer", status=403)
    _assert_refused(_send(client, operation[0], viewer, world), viewer)
    assert snapshot(engine) == before


@pytest.fixture
def bad_credentials(session_factory, world) -> dict[str, dict[str, str]]:
    """Headers that must all get 401: none, garbage, a revoked token, a disabled user's token."""
    with session_factory.begin() as session:
        accounts.create_user(session, Actor.system(), username="gone", role="coordinator", scope_grid_code=OWN)
        disabled = accounts.create_token(session, Actor.system(), username="gone", name="t")["token"]
        session.scalar(select(User).where(User.username == "gone")).disabled_at = utcnow()
        revoked = accounts.create_token(session, Actor.system(), username="coordinator", name="old")["token"]
        session.scalar(
            select(ApiToken).where(ApiToken.token_hash == accounts.hash_token(revoked))
        ).revoked_at = utcnow()
    return {
        "missing": {},
        "garbage": {"Authorization": "Bearer gc_not-a-real-token"},
        "not bearer": {"Authorization": f"Basic {world['tokens']['coordinator']}"},
        "revoked": {"Authorization": f"Bearer {revoked}"},
        "disabled user": {"Authorization": f"Bearer {disabled}"},
    }


@pytest.mark.parametrize("operation", list(CASES), ids=" ".join)
def test_missing_garbage_or_revoked_token_gets_401(client, engine, world, bad_credentials, operation):
    before = snapshot(engine)
    for kind, headers in bad_credentials.items():
        response = _send(client, operation[0], CASES[operation].own, world, headers=headers)
        assert response.status_code == 401, kind
        assert response.get_json()["error"]["code"] == "unauthenticated"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert snapshot(engine) == before


@pytest.mark.parametrize(
    ("method", "out_of_scope", "made_up", "actor"),
    [
        ("GET", Call("/api/v1/grids/{other_village}"), Call("/api/v1/grids/99999"), "coordinator"),
        ("GET", Call("/api/v1/contacts/{other_contact}"), Call("/api/v1/contacts/99999"), "coordinator"),
        (
            "POST",
            Call("/api/v1/contacts", {**NEW_CONTACT, "grid_code": OTHER}),
            Call("/api/v1/contacts", {**NEW_CONTACT, "grid_code": "999999"}),
            "coordinator",
        ),
        (
            "POST",
            Call("/api/v1/users", {**NEW_USER, "scope_grid_code": OTHER}),
            Call("/api/v1/users", {**NEW_USER, "scope_grid_code": "999999"}),
            "township_admin",
        ),
        ("POST", Call("/api/v1/users/root/tokens"), Call("/api/v1/users/nobody/tokens"), "township_admin"),
    ],
)
def test_out_of_scope_reads_exactly_like_nonexistent(client, world, method, out_of_scope, made_up, actor):
    """The error must not reveal that the out-of-scope object exists (only the code or name differs)."""
    first = _send(client, method, dataclasses.replace(out_of_scope, actor=actor), world)
    second = _send(client, method, dataclasses.replace(made_up, actor=actor), world)
    assert first.status_code == second.status_code >= 400

    def masked(response) -> str:
        text = response.get_data(as_text=True)
        for word in (OTHER, "999999", "root", "nobody"):
            text = text.replace(word, "*")
        return text

    assert masked(first) == masked(second)


def test_a_phone_in_use_reads_the_same_whoever_has_it(client, world):
    """Creating or changing a contact with a phone that a contact of the caller's township, or of another township,
    already has is refused with one wording that does not say where the phone is."""
    refusals = []
    for phone in ("+8613800000001", "+8613800000002"):  # own_contact's, other_contact's
        created = _send(client, "POST", Call("/api/v1/contacts", {**NEW_CONTACT, "phone": phone}), world)
        changed = _send(client, "PATCH", Call("/api/v1/contacts/{own_opted_out_contact}", {"phone": phone}), world)
        refusals += [(created.status_code, created.get_json()), (changed.status_code, changed.get_json())]
    expected = {"code": "conflict", "message": "this phone number is already in use", "fields": {"phone": "taken"},
                "message_id": "contact.phone_taken", "params": {}}  # fmt: skip
    assert refusals == [(409, {"error": expected})] * 4
