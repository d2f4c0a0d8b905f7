"""Shared pieces of the API's models: the error body, ids, pages, query strings, examples."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from annotated_types import Interval
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError

MAX_ID = 2**31 - 1


def _json_integer(value: Any) -> Any:
    if isinstance(value, bool | str):
        raise ValueError("Input should be a valid integer")
    return value


# A JSON integer: 3 or 3.0, never a boolean or a numeric string (as JSON Schema's "integer").
BodyInt = Annotated[int, BeforeValidator(_json_integer)]
# A JSON integer that fits the database's id column.
BodyId = Annotated[int, Interval(ge=-MAX_ID, le=MAX_ID), BeforeValidator(_json_integer)]
BodyBool = StrictBool
# A whole number in the query string.
QueryId = Annotated[int, Interval(ge=-MAX_ID, le=MAX_ID)]

FORM_TRUE = ("true", "1", "yes")
FORM_FALSE = ("false", "0", "no", "")


def _form_boolean(value: Any) -> Any:
    text = value.strip().lower() if isinstance(value, str) else value
    if text in FORM_TRUE:
        return True
    if text in FORM_FALSE:
        return False
    if isinstance(value, bool):
        return value
    raise PydanticCustomError("bool_parsing", "Input should be true or false (1/0, yes/no)")


# A boolean form field: true/1/yes or false/0/no in any case; an empty value is false.
FormBool = Annotated[bool, BeforeValidator(_form_boolean)]


@dataclass(frozen=True)
class UploadedFile:
    """A file sent in a multipart form, read within the upload limits: its bytes and the name the browser gave it
    ("" when it gave none)."""

    data: bytes
    filename: str


# A file field of a multipart form (read by gateway.api.schema, documented as binary).
FormFile = Annotated[UploadedFile, WithJsonSchema({"type": "string", "format": "binary"})]


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def absent(**kwargs: Any) -> Any:
    """A field that may be left out but not sent as null: read `model_fields_set` to know whether it was sent."""
    return Field(default=None, json_schema_extra=_no_default, **kwargs)


def example(value: Any) -> ConfigDict:
    """A model config whose JSON schema carries `value` as its example."""
    return ConfigDict(json_schema_extra={"examples": [value]})


ERROR_DESCRIPTIONS = {
    400: "The body is not valid JSON",
    401: "Missing or unknown API token",
    403: "Your role does not allow this",
    404: "Not found, or outside your grid scope",
    409: "Conflicts with the current state",
    422: "Invalid input; `fields` names the bad fields",
}


class ErrorDetail(BaseModel):
    code: str = Field(examples=["invalid"])
    message: str = Field(examples=["phone: phone 123 is not a valid number"])
    fields: dict[str, str]
    message_id: str | None = Field(
        default=None,
        description="a coded domain error's stable key (e.g. grid.not_found), to look the message up in a client's "
        "own translations",
        examples=["grid.not_found"],
    )
    params: dict[str, Any] | None = Field(
        default=None, description="the values filled into the message's English template (with message_id)"
    )


class ErrorBody(BaseModel):
    """Every error the API answers: {"error": {"code", "message", "fields"}}, with `message_id` and `params` for a
    coded domain error."""

    error: ErrorDetail


class CodedMessage(BaseModel):
    """A coded domain error as data: its message id, English template(s) and parameters (a parameter may be another
    coded message); the English message only for an error without a template."""

    message_id: str | None = Field(examples=["import.unknown_grid"])
    template: str | None = Field(default=None, examples=["unknown grid code %(code)s"])
    plural: str | None = None
    message: str | None = None
    params: dict[str, Any] = Field(examples=[{"code": "623025999"}])


class QueryModel(BaseModel):
    """A query string: an empty value counts as absent, unknown parameters are ignored."""

    @model_validator(mode="before")
    @classmethod
    def _empty_is_absent(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if value != ""}
        return data


class PageQuery(QueryModel):
    page: Annotated[int, Field(ge=1, le=1_000_000, description="Page number, from 1", examples=[1])] = 1
    per_page: Annotated[int, Field(ge=1, le=500, description="Rows per page (1-500)", examples=[50])] = 50


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int


class Items(BaseModel, Generic[T]):
    items: list[T]
