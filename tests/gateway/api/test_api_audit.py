"""API writes made with a staff member's token land in the same audit log as console actions."""

from __future__ import annotations

from campaigns.identity import audit
from campaigns.identity.access import Actor
from campaigns.models import Grid
from tests.scope_cases import NEW_CONTACT


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_successful_api_writes_are_audited_in_the_users_scope(client, make_token, session_factory, tree):
    coordinator = _bearer(make_token("coordinator", "623025101"))
    assert client.get("/api/v1/contacts", headers=coordinator).status_code == 200
    refused = client.post("/api/v1/contacts", json={"name": "x"}, headers=coordinator)
    assert refused.status_code == 422
    created = client.post("/api/v1/contacts", json=NEW_CONTACT, headers=coordinator)
    assert created.status_code == 201

    with session_factory() as session:
        township = session.get(Grid, tree["623025101"])
        township_admin = Actor(user_id=None, role="admin", scope_path=township.path)
        entries = audit.list_audit(session, township_admin).items
        other_admin = Actor(user_id=None, role="admin", scope_path=session.get(Grid, tree["623025102"]).path)
        assert audit.list_audit(session, other_admin).total == 0
    assert [(entry["action"], entry["target"], entry["grid"]["code"]) for entry in entries] == [
        ("api.create_contact", "/api/v1/contacts", "623025101")
    ]
    assert entries[0]["username"].startswith("coordinator")
    assert entries[0]["detail"] == {"method": "POST", "status": 201}
