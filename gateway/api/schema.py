"""Request and response models at the edge of the API, through spectree.

`validated(...)` decorates a view: spectree checks the query string, the JSON body or a multipart form against
pydantic models before the view runs (the view reads them from `request.context`), checks the JSON response against
the model documented for its status, and builds the OpenAPI document (`openapi_document`) from the same models.
A form's files (`FormFile` fields) are read within the import limits (gateway.web.uploads): 413 before the body is
read when it is too large.

A request the models refuse is a `ValidationError` (422, `fields` keyed by the path of each bad field) like any
other; a body that is not JSON at all stays a 400 (`gateway.web.bodies.json_body`).
"""

from __future__ import annotations

from typing import Any

import pydantic
from flask import request
from spectree import Response, SecurityScheme, SecuritySchemeData, SpecTree
from spectree.models import Server
from spectree.plugins.base import Context
from spectree.plugins.flask_plugin import FlaskPlugin
from spectree.utils import get_multidict_items

from campaigns.common.errors import ValidationError
from gateway.api.models.common import ERROR_DESCRIPTIONS, ErrorBody, UploadedFile
from gateway.web.bodies import json_body
from gateway.web.uploads import read_upload


class ApiPlugin(FlaskPlugin):
    """spectree's Flask plugin, reading bodies the way the API always has: any content type, malformed JSON a 400,
    an empty body `{}` for models with no required field. No doc pages: the document is served by openapi_view."""

    def register_route(self, app: Any) -> None:
        return None

    def request_validation(self, request, query, json, form, headers, cookies):
        adapter = self.model_adapter
        body = None
        if json is not None:
            data = json_body(optional=not any(f.is_required() for f in json.model_fields.values()))
            body = adapter.validate_obj(json, data)
        arguments = adapter.validate_obj(query, get_multidict_items(request.args, query)) if query else None
        fields = adapter.validate_obj(form, form_fields(form)) if form else None
        request.context = Context(arguments, body, fields, None, None)


def form_fields(form: type[pydantic.BaseModel]) -> dict[str, Any]:
    """The fields of `form` sent in the request: its files first, each read within the upload limits (so a body too
    large is refused before it is read), then its other fields (the first value of each)."""
    files = [name for name, field in form.model_fields.items() if field.annotation is UploadedFile]
    values: dict[str, Any] = {}
    for name in files:
        found = read_upload(name)
        if found is not None:
            values[name] = UploadedFile(*found)
    for name in form.model_fields:
        if name not in files and name in request.form:
            values[name] = request.form[name]
    return values


# The short words the API has always put in `fields`, by pydantic error type.
FIELD_WORDS = {
    "missing": "required",
    "extra_forbidden": "unknown",
    "literal_error": "unknown",
    "enum": "unknown",
    "int_type": "not a number",
    "int_parsing": "not a number",
    "int_from_float": "not a number",
    "value_error": "not a number",
    "greater_than_equal": "out of range",
    "less_than_equal": "out of range",
    "greater_than": "out of range",
    "less_than": "out of range",
    "bool_type": "not a boolean",
    "bool_parsing": "not a boolean",
    "string_type": "not a string",
    "string_too_long": "too long",
    "string_too_short": "too short",
    "list_type": "not a list",
    "dict_type": "not an object",
    "model_type": "not an object",
    "model_attributes_type": "not an object",
    "datetime_type": "not a date-time",
    "datetime_parsing": "not a date-time",
    "datetime_from_date_parsing": "not a date-time",
    "date_type": "not a date",
    "date_parsing": "not a date",
    "date_from_datetime_parsing": "not a date",
}


UNION_BRANCHES = {"str", "int", "bool", "float", "list", "dict", "none"}


def _is_union_branch(part: str | int) -> bool:
    """pydantic names the branch of a union in an error's path (`tags.list[str].0`); the API names only fields."""
    return isinstance(part, str) and ("[" in part or part in UNION_BRANCHES)


def request_invalid(error: pydantic.ValidationError) -> ValidationError:
    """The API's 422 for a request the models refuse: one entry in `fields` per bad field, named by its path
    (`tags.0`, `texts.bo`), with the short word the API uses; the message has pydantic's explanation."""
    fields: dict[str, str] = {}
    explanations: dict[str, str] = {}
    for item in error.errors(include_url=False):
        name = ".".join(str(part) for part in item["loc"] if not _is_union_branch(part)) or "body"
        word = "required" if item.get("input", ...) is None else FIELD_WORDS.get(item["type"], "invalid")
        fields.setdefault(name, word)
        explanations.setdefault(name, item["msg"])
    for name in [name for name in fields if any(other.startswith(f"{name}.") for other in fields)]:
        del fields[name], explanations[name]  # a union's other branch: the deeper error says more
    message = "; ".join(f"{name}: {text}" for name, text in explanations.items())
    return ValidationError(message, fields=fields)


def _before(req, resp, error, instance, adapter) -> None:
    if error is not None:
        raise request_invalid(error)


spec = SpecTree(
    backend=ApiPlugin,
    before=_before,
    validation_error_status=422,
    validation_error_model=ErrorBody,
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda parent, child: child,
    mode="strict",
    path="apidoc",
    title="Gridcast API",
    version="1",
    description="Grids, contacts and staff accounts. Every request needs `Authorization: Bearer <token>`; "
    "a token only sees the grid subtree of its user's scope.",
    security_schemes=[
        SecurityScheme(
            name="bearerAuth",
            data=SecuritySchemeData(type="http", scheme="bearer", description="an API token (gc_...)"),
        )
    ],
    security={"bearerAuth": []},
    servers=[Server(url="/")],
)


# Bodies that are neither JSON nor a form model (CSV, XML, spreadsheets, recordings), by operation id; openapi_view
# adds them to the document.
Answers = dict[int, tuple[str, dict[str, Any]]]
OTHER_MEDIA: dict[str, tuple[Answers, tuple[str, dict[str, Any], Any] | None]] = {}


def responses(errors: tuple[int, ...] = (), **successes: Any) -> Response:
    """The documented answers of an operation: its successes (`HTTP_200=Model`, `HTTP_204=None`) and its errors,
    401 always, each with the API's error body."""
    models: dict[str, Any] = dict(successes)
    for status in (401, *errors):
        models[f"HTTP_{status}"] = (ErrorBody, ERROR_DESCRIPTIONS[status])
    return Response(**models)


def validated(
    *,
    resp: Response,
    tags: tuple[str, ...],
    operation_id: str,
    query: type[pydantic.BaseModel] | None = None,
    json: type[pydantic.BaseModel] | None = None,
    form: type[pydantic.BaseModel] | None = None,
    path_parameter_descriptions: dict[str, str] | None = None,
    media: dict[int, tuple[str, dict[str, Any]]] | None = None,
    request_media: tuple[str, dict[str, Any], Any] | None = None,
):
    """Validate a view's query string and JSON body or multipart form with models and document it; the view's
    docstring is the summary (its first line) and description (the rest).

    `media` documents answers that are not JSON: {status: (description, {media type: {schema, example}})};
    `request_media` a body that is not JSON: (media type, schema, example), read by the view itself.
    """
    OTHER_MEDIA[operation_id] = (media or {}, request_media)
    return spec.validate(
        query=query,
        json=json,
        form=form,
        resp=resp,
        tags=tags,
        operation_id=operation_id,
        path_parameter_descriptions=path_parameter_descriptions,
    )


def context() -> Context:
    """The validated query (`.query`), JSON body (`.json`) and form (`.form`) of the current request."""
    return request.context  # type: ignore[attr-defined]
