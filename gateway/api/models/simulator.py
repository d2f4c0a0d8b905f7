"""The phone simulator: replies typed on a contact's simulated phone, texts from unknown numbers, a phone's log."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr

from gateway.api.models.common import example
from gateway.api.models.replies import MESSAGE_EXAMPLE, InboundMessage

PHONE_EXAMPLE = {
    "phone": "+8613800000001",
    "contact_id": 7,
    "name": "才让",
    "opted_out": False,
    "messages": [
        {"direction": "mt", "body": "请在10点前报告今日情况，无事回复0。", "status": "delivered",
         "at": "2026-11-23T01:00:02+00:00", "outbox_id": 311},
        {"direction": "mo", "body": "0", "status": "received", "at": "2026-11-23T01:04:10+00:00", "outbox_id": None},
        {"direction": "mt", "body": "今日零报告已收到，谢谢！", "status": "delivered",
         "at": "2026-11-23T01:04:11+00:00", "outbox_id": 902},
    ],
    "calls": [
        {"id": 88, "status": "completed", "language": "bo", "keys": "1", "at": "2026-11-23T02:00:01+00:00",
         "outbox_id": 915, "attempt": 1, "played": ["5b3a89cc...", "5b3a89cc...", "752c083c...", "7352e6ea..."]},
    ],
}  # fmt: skip


class SimulatedReply(BaseModel):
    model_config = example({"phone": "+8613800000001", "body": "收到"})

    phone: StrictStr = Field(description="a contact's phone (E.164 or national)")
    body: StrictStr = Field(max_length=1600)


class SimulatedUnknownSender(SimulatedReply):
    model_config = example({"phone": "+8613900000077", "body": "你好，我是新来的牧民"})


class ReceivedReply(InboundMessage):
    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [MESSAGE_EXAMPLE]})


class ReceivedUnknownSender(InboundMessage):
    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [{**MESSAGE_EXAMPLE, "from": "+8613900000077", "body": "你好，我是新来的牧民", "contact": None}]
        },
    )


class PhoneSms(BaseModel):
    """An SMS the phone received (mt) or sent (mo)."""

    direction: Literal["mt", "mo"]
    body: str
    status: str
    at: str
    outbox_id: int | None = Field(description="the outbox row of a received SMS")


class PhoneCall(BaseModel):
    """A call the phone took: what it played (audio SHA-256s) and the keys pressed."""

    id: int
    status: str
    language: str
    keys: str
    played: list[str]
    at: str
    outbox_id: int | None
    attempt: int


class PhoneMessages(BaseModel):
    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [PHONE_EXAMPLE]})

    phone: str
    contact_id: int | None = None
    name: str | None = None
    opted_out: bool | None = None
    messages: list[PhoneSms]
    calls: list[PhoneCall] | None = None
