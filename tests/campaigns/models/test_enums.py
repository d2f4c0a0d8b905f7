"""The statuses, kinds, channels and intents are enums whose values are the strings stored in the database and
shown by the API: each value fits its column, and the API document lists exactly the enum's values."""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum

import pytest

from campaigns.broadcasts.alert_fields import KINDS as CAMPAIGN_KINDS
from campaigns.broadcasts.schedules import ScheduleKind
from campaigns.models import (
    CallStatus,
    Campaign,
    CampaignStatus,
    Channel,
    Confirmation,
    Contact,
    ContactRole,
    DailyReport,
    ImportKind,
    ImportReport,
    ImportStatus,
    InboundMessage,
    Intent,
    OptOutSource,
    OutboxMessage,
    OutboxStatus,
    ReplyKeyword,
    ReportKind,
    Run,
    RunKind,
    RunStatus,
    StaffRole,
    User,
)
from campaigns.models.campaign import AUTOMATIC_RUN_KINDS, CAMPAIGN_RUN_KINDS, CAMPAIGN_STATUSES, RUN_STATUSES
from campaigns.models.outbox import OUTBOX_STATUSES
from campaigns.models.replies import INTENTS
from campaigns.replies.keywords import KEYWORD_INTENTS
from campaigns.reports.report_duties import DutyStatus

COLUMNS = [
    (OutboxMessage.status, OutboxStatus),
    (OutboxMessage.channel, Channel),
    (OutboxMessage.call_status, CallStatus),
    (Confirmation.channel, Channel),
    (Campaign.status, CampaignStatus),
    (Run.status, RunStatus),
    (Run.kind, RunKind),
    (ImportReport.status, ImportStatus),
    (ImportReport.kind, ImportKind),
    (InboundMessage.intent, Intent),
    (ReplyKeyword.intent, Intent),
    (DailyReport.kind, ReportKind),
    (Contact.role, ContactRole),
    (Contact.opted_out_via, OptOutSource),
    (User.role, StaffRole),
]


@pytest.mark.parametrize(
    ("column", "enum"), COLUMNS, ids=lambda item: getattr(item, "key", getattr(item, "__name__", ""))
)
def test_every_value_fits_its_column(column, enum: type[StrEnum]):
    length = column.property.columns[0].type.length
    too_long = [member.value for member in enum if len(member.value) > length]
    assert not too_long, f"{column} holds at most {length} characters"


def test_members_are_the_strings_stored_and_shown():
    assert OutboxStatus.SENT == "sent" and f"{OutboxStatus.SENT}" == "sent" and str(CallStatus.NO_ANSWER) == "no-answer"
    assert OUTBOX_STATUSES == (
        "queued", "sending", "sent", "delivered", "undelivered", "failed", "unknown", "cancelled", "skipped", "expired",
    )  # fmt: skip
    assert CAMPAIGN_STATUSES == ("draft", "scheduled", "paused", "cancelled", "finished")
    assert RUN_STATUSES == ("sending", "paused", "cancelled", "done")
    assert tuple(RunKind) == CAMPAIGN_RUN_KINDS + AUTOMATIC_RUN_KINDS
    assert INTENTS == ("confirm", "zero_report", "incident", "opt_out", "opt_in", "help", "unknown")
    assert KEYWORD_INTENTS == ("confirm", "zero_report", "incident", "opt_out", "opt_in", "help")


def _schemas(document: dict, schema: object) -> Iterator[dict]:
    """`schema` and every schema it is made of (references, anyOf/oneOf/allOf, array items)."""
    if not isinstance(schema, dict):
        return
    if "$ref" in schema:
        target: object = document
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]  # type: ignore[index]
        yield from _schemas(document, target)
        return
    yield schema
    for key in ("anyOf", "oneOf", "allOf"):
        for part in schema.get(key, []):
            yield from _schemas(document, part)
    yield from _schemas(document, schema.get("items"))


def _property_enums(document: dict, name: str) -> list[set[str]]:
    """The value lists the document gives for every property called `name`, wherever it is defined."""
    found = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            properties = node.get("properties")
            if isinstance(properties, dict) and name in properties:
                for part in _schemas(document, properties[name]):
                    if "enum" in part:
                        found.append({value for value in part["enum"] if value is not None})
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    return found


@pytest.fixture
def document(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def _values(enum: type[StrEnum], *left_out: StrEnum) -> set[str]:
    return {member.value for member in enum} - {member.value for member in left_out}


def test_the_api_document_lists_the_enum_values(document):
    statuses = _property_enums(document, "status")
    assert _values(CampaignStatus, CampaignStatus.SYSTEM) in statuses
    assert all(found == _values(CampaignStatus, CampaignStatus.SYSTEM) for found in statuses if "draft" in found)
    assert _values(ImportStatus) in statuses
    assert _values(DutyStatus) in statuses
    assert {ReportKind.ZERO_REPORT.value, ReportKind.INCIDENT.value, "missing"} in statuses
    assert all(found <= _values(Channel) for found in _property_enums(document, "channels"))
    assert _values(Channel) in _property_enums(document, "channels")
    assert _values(Channel, Channel.LOUDSPEAKER) in _property_enums(document, "channels")
    intents = _property_enums(document, "intent")
    assert _values(Intent) in intents and set(KEYWORD_INTENTS) in intents
    assert all(found <= _values(Intent) for found in intents)
    assert _values(ImportKind) in _property_enums(document, "kind")
    assert set(CAMPAIGN_KINDS) in _property_enums(document, "kind")
    assert all(found <= _values(ScheduleKind) | _values(RunKind) | _values(ImportKind) | _values(ReportKind)
               | set(CAMPAIGN_KINDS) for found in _property_enums(document, "kind"))  # fmt: skip
    roles = _property_enums(document, "role")
    assert _values(ContactRole) in roles and _values(StaffRole) in roles
    assert all(found in (_values(ContactRole), _values(StaffRole)) for found in roles)
