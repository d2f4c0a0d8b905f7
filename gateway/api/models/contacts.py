"""Contacts: people reachable by phone, each in one grid."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr

from campaigns.directory.roles import CHANNELS
from gateway.api.models.common import BodyInt, Page, PageQuery, QueryId, absent, example

CONTACT_EXAMPLE = {
    "id": 31,
    "name": "才让",
    "phone": "+8613800000031",
    "grid_id": 9,
    "grid_code": "623025101201",
    "grid_name": "秀玛村",
    "role": "grid_leader",
    "language": "bo",
    "channels": ["sms", "voice"],
    "households": 1,
    "tags": ["herder"],
    "opted_out": False,
    "opted_out_at": None,
    "opted_out_via": None,
}
OPTED_OUT_EXAMPLE = {
    **CONTACT_EXAMPLE,
    "opted_out": True,
    "opted_out_at": "2024-03-01T08:30:00+00:00",
    "opted_out_via": "sms",
}

Channel = Literal[CHANNELS]  # type: ignore[valid-type]


class Contact(BaseModel):
    model_config = example(CONTACT_EXAMPLE)

    id: int
    name: str
    phone: str = Field(description="E.164")
    grid_id: int
    grid_code: str
    grid_name: str
    role: Literal["household_head", "liaison", "grid_worker", "grid_leader"]
    language: str
    channels: list[Channel]
    households: int
    tags: list[str]
    opted_out: bool
    opted_out_at: datetime | None
    opted_out_via: str | None


class OptedOutContact(Contact):
    model_config = example(OPTED_OUT_EXAMPLE)


class ChangedContact(Contact):
    model_config = example({**CONTACT_EXAMPLE, "language": "zh", "channels": ["sms"]})


class ContactPage(Page[Contact]):
    model_config = example({"items": [CONTACT_EXAMPLE], "total": 1, "page": 1, "per_page": 50})


class ContactQuery(PageQuery):
    grid_id: Annotated[QueryId | None, Field(description="only this grid's subtree", examples=[2])] = None
    role: Annotated[str | None, Field(description="only this role", examples=["liaison"])] = None
    language: Annotated[str | None, Field(description="only this language", examples=["bo"])] = None
    tag: Annotated[str | None, Field(description="only contacts with this tag", examples=["herder"])] = None
    opted_out: Annotated[
        bool | None, Field(description="only opted-out (true) or reachable (false)", examples=[False])
    ] = None
    q: Annotated[str | None, Field(description="name contains, or phone contains these digits", examples=["才让"])] = (
        None
    )


PHONE_DESCRIPTION = (
    "any common way of writing it: full-width digits, spaces, dashes, 0086/+86; numbers without a country code use "
    "the deployment's default region"
)


class ContactFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: StrictStr | None = Field(
        default=None, description="household_head, liaison, grid_worker, grid_leader (or 户主, 联户长...)"
    )
    language: StrictStr | None = Field(default=None, description="BCP-47 tag or a name: zh, bo, 藏语, Tibetan...")
    channels: list[Channel] | StrictStr | None = Field(
        default=None, description='a list, or one text such as "sms,voice" or "短信 电话"; empty means both'
    )
    households: Annotated[BodyInt, Field(ge=0, le=1000)] | StrictStr | None = Field(
        default=None, description='0-1000; a whole number written as text ("3.0") is read too'
    )
    tags: list[Annotated[StrictStr, Field(max_length=40)]] | StrictStr | None = Field(
        default=None, description='a list, or one text separated by commas ("监测户, 牧民"); each at most 40 characters'
    )


class ContactCreate(ContactFields):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "才让",
                    "phone": "138 0000 0031",
                    "grid_code": "623025101201",
                    "role": "网格长",
                    "language": "藏语",
                    "tags": ["herder"],
                }
            ]
        },
    )

    name: StrictStr = Field(max_length=100, examples=["才让"])
    phone: StrictStr = Field(description=PHONE_DESCRIPTION, examples=["138 0000 0031"])
    grid_code: StrictStr = Field(description="code of a grid in your scope", examples=["623025101201"])


class ContactUpdate(ContactFields):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"language": "zh", "channels": ["sms"]}]})

    name: StrictStr = absent(max_length=100)
    phone: StrictStr = absent(description=PHONE_DESCRIPTION)
    grid_code: StrictStr = absent(description="code of a grid in your scope")


class OptOut(BaseModel):
    model_config = example({"via": "sms"})

    via: StrictStr | None = Field(default=None, max_length=32, description="how they asked: staff, sms, call, paper...")
