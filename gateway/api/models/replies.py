"""Received SMS (the inbox), who confirmed a run, reply keywords and auto-reply texts."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr

from campaigns.models import Intent
from campaigns.replies.keywords import KEYWORD_INTENTS
from gateway.api.models.common import BodyId, Page, PageQuery, QueryId, QueryModel, example

KeywordIntent = Literal[tuple(intent.value for intent in KEYWORD_INTENTS)]  # type: ignore[valid-type]

MESSAGE_EXAMPLE = {
    "id": 41,
    "provider": "simulator",
    "from": "+8613800000001",
    "to": "+10000000000",
    "body": "收到",
    "received_at": "2026-11-23T02:05:00+00:00",
    "intent": None,
    "counts": None,
    "contact": {"id": 7, "name": "才让", "role": "liaison", "language": "bo", "grid_id": 12,
                "grid_code": "6230251012010101", "grid_name": "秀玛村一组第一联户"},
    "run_id": None,
    "processed_at": None,
    "reviewed_at": None,
    "note": None,
}  # fmt: skip
PROCESSED_EXAMPLE = {
    **MESSAGE_EXAMPLE,
    "intent": "confirm",
    "run_id": 3,
    "processed_at": "2026-11-23T02:05:01+00:00",
    "reviewed_at": "2026-11-23T02:05:01+00:00",
    "note": "confirmed run 3",
}
UNKNOWN_EXAMPLE = {
    **MESSAGE_EXAMPLE,
    "id": 42,
    "from": "+8613900000077",
    "body": "我是才让的儿子，这是新号码",
    "intent": "unknown",
    "contact": None,
    "processed_at": "2026-11-23T02:07:01+00:00",
    "note": "unknown sender: link the phone to a contact",
}
_GRID = {"grid_id": 12, "grid_code": "6230251012010101", "grid_name": "秀玛村一组第一联户"}
CONFIRMATIONS_EXAMPLE = {
    "run_id": 3,
    "villages": [
        {"grid_id": 4, "grid_code": "623025101201", "grid_name": "秀玛村", "speaker": {"id": 2, "name": "秀玛村大喇叭"},
         "played_at": "2026-11-23T01:12:00+00:00", "confirmed_at": "2026-11-23T01:12:00+00:00",
         "channel": "loudspeaker"},
    ],
    "villages_confirmed": 1,
    "recipients": 2,
    "confirmed": 1,
    "not_confirmed": 1,
    "items": [
        {"contact_id": 7, "name": "才让", "phone": "+8613800000001", "role": "liaison", "language": "bo",
         **_GRID, "message_status": "delivered",
         "confirmed": True, "confirmed_at": "2026-11-23T02:05:00+00:00", "channel": "sms", "inbound_id": 41},
        {"contact_id": 8, "name": "王芳", "phone": "+8613800000002", "role": "household_head", "language": "zh",
         **_GRID, "message_status": "delivered",
         "confirmed": False, "confirmed_at": None, "channel": None, "inbound_id": None},
    ],
    "total": 2,
    "page": 1,
    "per_page": 50,
}  # fmt: skip
KEYWORD_EXAMPLE = {
    "id": 5,
    "language": "bo",
    "intent": "confirm",
    "keyword": "འབྱོར་བྱུང",
    "builtin": False,
    "scope_grid_code": "623025101",
    "editable": True,
}
BUILTIN_KEYWORD_EXAMPLE = {
    **KEYWORD_EXAMPLE,
    "id": None,
    "keyword": "ལགས",
    "builtin": True,
    "scope_grid_code": None,
    "editable": False,
}
PROCESSING_EXAMPLE = {
    "inbound_id": 42,
    "status": "processed",
    "intent": "confirm",
    "counts": None,
    "contact_id": 7,
    "confirmed_run_id": 3,
    "report_id": None,
    "opted_out": False,
    "opted_in": False,
    "reply_run_id": None,
    "note": "confirmed run 3",
}
AUTO_REPLY_EXAMPLE = {"language": "zh", "intent": "confirm", "text": "已收到，谢谢！", "enabled": True, "custom": True}


class Sender(BaseModel):
    """The contact a message came from."""

    id: int
    name: str
    role: str
    language: str
    grid_id: int
    grid_code: str
    grid_name: str


class InboundMessage(BaseModel):
    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [PROCESSED_EXAMPLE]})

    id: int
    provider: str | None = None
    from_: str = Field(alias="from")
    to: str | None = None
    body: str
    received_at: str
    intent: Intent | None
    counts: dict[str, int] | None = None
    contact: Sender | None = Field(description="null for an unknown sender")
    run_id: int | None = Field(default=None, description="the run the reply confirmed")
    processed_at: str | None = None
    reviewed_at: str | None = None
    note: str | None = None


class ReviewedMessage(InboundMessage):
    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={"examples": [{**UNKNOWN_EXAMPLE, "reviewed_at": "2026-11-23T03:00:00+00:00"}]},
    )


class InboxPage(BaseModel):
    model_config = example({"items": [PROCESSED_EXAMPLE, UNKNOWN_EXAMPLE], "total": 2, "page": 1, "per_page": 50})

    items: list[InboundMessage]
    total: int
    page: int
    per_page: int


class InboxQuery(PageQuery):
    intent: str | None = Field(
        default=None, description="one intent, or `pending` (not processed yet)", examples=["unknown"]
    )
    reviewed: bool | None = Field(
        default=None, description="reviewed (true) or waiting for staff (false)", examples=[False]
    )
    contact_id: QueryId | None = Field(default=None, description="one contact's replies")
    unknown_sender: bool | None = Field(default=None, description="only (true) or no (false) unknown senders")


class Review(BaseModel):
    model_config = example({"note": "打电话确认过，无事"})

    note: StrictStr | None = Field(default=None, max_length=500, description="what staff did about it")


class Link(BaseModel):
    model_config = example({"contact_id": 7})

    contact_id: BodyId


class Processing(BaseModel):
    """What processing the message again did."""

    inbound_id: int
    status: Literal["processed", "already processed", "missing"]
    intent: Intent | None
    counts: dict[str, int] | None = Field(description="a daily report's figures")
    contact_id: int | None
    confirmed_run_id: int | None
    report_id: int | None = Field(description="the daily report it made or corrected")
    opted_out: bool
    opted_in: bool
    reply_run_id: int | None = Field(description="the run of an auto-reply (never sent when staff link a message)")
    note: str | None


class LinkedMessage(BaseModel):
    model_config = example({"message": PROCESSED_EXAMPLE, "processing": PROCESSING_EXAMPLE})

    message: InboundMessage
    processing: Processing


class ConfirmingSpeaker(BaseModel):
    id: int
    name: str


class ConfirmedVillage(BaseModel):
    grid_id: int
    grid_code: str
    grid_name: str
    speaker: ConfirmingSpeaker | None = Field(description="the speaker whose play confirmed the village")
    played_at: str
    confirmed_at: str
    channel: Literal["loudspeaker"]


class RecipientConfirmation(BaseModel):
    """A recipient of the run, with whether, when and how they confirmed."""

    contact_id: int
    name: str
    phone: str
    role: str
    language: str
    grid_id: int
    grid_code: str
    grid_name: str
    message_status: str | None = Field(description="the status of the run's SMS to them (null: none)")
    confirmed: bool
    confirmed_at: str | None
    channel: str | None = Field(description="how they confirmed: sms, voice...")
    inbound_id: int | None = Field(description="the reply that confirmed it")


class Confirmations(BaseModel):
    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [CONFIRMATIONS_EXAMPLE]})

    run_id: int
    villages: list[ConfirmedVillage] = Field(
        description="villages (grids) in your scope a loudspeaker's play report confirmed, each once, with the "
        "speaker whose play confirmed it and when it played"
    )
    villages_confirmed: int
    recipients: int
    confirmed: int
    not_confirmed: int
    items: list[RecipientConfirmation] = Field(description="people, with how they confirmed")
    total: int | None = None
    page: int | None = None
    per_page: int | None = None


class ConfirmationsQuery(PageQuery):
    confirmed: bool | None = Field(default=None, description="only those who did (true) or did not (false)")


class Keyword(BaseModel):
    model_config = example(KEYWORD_EXAMPLE)

    id: int | None = Field(description="null for a built-in keyword")
    language: str
    intent: KeywordIntent
    keyword: str
    builtin: bool
    scope_grid_code: str | None = Field(
        default=None, description="the grid whose subtree the keyword applies to; null: everywhere"
    )
    editable: bool | None = Field(default=None, description="whether the caller may remove it")


class KeywordList(BaseModel):
    model_config = example({"items": [KEYWORD_EXAMPLE, BUILTIN_KEYWORD_EXAMPLE]})

    items: list[Keyword]


class KeywordQuery(QueryModel):
    language: Annotated[str | None, Field(description="one language", examples=["bo"])] = None
    intent: Annotated[str | None, Field(description="one intent", examples=["confirm"])] = None


class KeywordCreate(BaseModel):
    model_config = example({"language": "bo", "intent": "confirm", "keyword": "འབྱོར་བྱུང"})

    language: StrictStr
    intent: StrictStr
    keyword: StrictStr = Field(max_length=64)
    grid_code: StrictStr | None = Field(
        default=None,
        description="narrow the keyword to this grid's subtree (in your scope); default: everywhere for an admin, "
        "your scope otherwise",
    )


class AutoReply(BaseModel):
    model_config = example(AUTO_REPLY_EXAMPLE)

    language: str
    intent: str = Field(description="an intent, or unregistered (a text from a number that is no contact's)")
    text: str
    enabled: bool
    custom: bool = Field(description="changed by staff (false: the built-in text)")


class AutoReplies(BaseModel):
    model_config = example({"enabled": True, "items": [AUTO_REPLY_EXAMPLE]})

    enabled: bool = Field(description="whether auto-replies are on at all (GRIDCAST_AUTO_REPLIES)")
    items: list[AutoReply]


class AutoReplyChange(BaseModel):
    model_config = example({"text": "已收到，谢谢！", "enabled": True})

    text: StrictStr | None = Field(default=None, max_length=480)
    enabled: StrictBool | None = None


SENT_REPLY_EXAMPLE = {
    "id": 812,
    "run_id": 40,
    "to": "+8613900000002",
    "contact_id": 2,
    "grid_id": 5,
    "language": "zh",
    "body": "今日零报告已收到，谢谢！",
    "status": "delivered",
    "sent_at": "2026-11-23T00:31:02+00:00",
    "finished_at": "2026-11-23T00:31:09+00:00",
}


class SentAutoReply(BaseModel):
    model_config = example(SENT_REPLY_EXAMPLE)

    id: int
    run_id: int
    to: str
    contact_id: int | None = None
    grid_id: int | None = None
    language: str
    body: str
    status: str
    sent_at: str | None = None
    finished_at: str | None = None


class SentAutoReplyPage(Page[SentAutoReply]):
    model_config = example({"items": [SENT_REPLY_EXAMPLE], "total": 1, "page": 1, "per_page": 50})
