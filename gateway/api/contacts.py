"""Contact routes: search, read, create, change, delete contacts, and opt them out of (or back into) sends."""

from __future__ import annotations

from flask import jsonify, request

from campaigns.directory import contacts as contact_service
from campaigns.models import OptOutSource
from gateway.api import api
from gateway.api.context import ID, bool_arg, current_actor, int_arg, page_args
from gateway.api.spec import PAGE_PARAMS, error_responses, json_request, json_response, page_of, path_id, query_param
from gateway.runtime import current_runtime
from gateway.web.bodies import json_body
from gateway.web.session import db


def _region() -> str:
    return current_runtime().settings.default_region


@api.get("/contacts")
def list_contacts():
    page = contact_service.list_contacts(
        db(),
        current_actor(),
        grid_id=int_arg("grid_id"),
        role=request.args.get("role"),
        language=request.args.get("language"),
        tag=request.args.get("tag"),
        opted_out=bool_arg("opted_out"),
        q=request.args.get("q"),
        **page_args(),
    )
    return jsonify(page.as_dict())


@api.post("/contacts")
def create_contact():
    return jsonify(contact_service.create_contact(db(), current_actor(), json_body(), _region())), 201


@api.get(f"/contacts/<{ID}:contact_id>")
def get_contact(contact_id: int):
    return jsonify(contact_service.get_contact(db(), current_actor(), contact_id))


@api.patch(f"/contacts/<{ID}:contact_id>")
def update_contact(contact_id: int):
    return jsonify(contact_service.update_contact(db(), current_actor(), contact_id, json_body(), _region()))


@api.delete(f"/contacts/<{ID}:contact_id>")
def delete_contact(contact_id: int):
    contact_service.delete_contact(db(), current_actor(), contact_id)
    return "", 204


@api.post(f"/contacts/<{ID}:contact_id>/opt-out")
def opt_out(contact_id: int):
    via = json_body(optional=True).get("via") or OptOutSource.STAFF
    return jsonify(contact_service.set_opted_out(db(), current_actor(), contact_id, True, via=via))


@api.post(f"/contacts/<{ID}:contact_id>/opt-in")
def opt_in(contact_id: int):
    return jsonify(contact_service.set_opted_out(db(), current_actor(), contact_id, False))


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
OPTED_OUT_EXAMPLE = {**CONTACT_EXAMPLE, "opted_out": True, "opted_out_at": "2024-03-01T08:30:00+00:00"}
OPTED_OUT_EXAMPLE["opted_out_via"] = "sms"

_FIELDS = {
    "name": {"type": "string", "maxLength": 100, "example": "才让"},
    "phone": {
        "type": "string",
        "description": "any common way of writing it: full-width digits, spaces, dashes, 0086/+86; "
        "numbers without a country code use the deployment's default region",
        "example": "138 0000 0031",
    },
    "grid_code": {"type": "string", "description": "code of a grid in your scope", "example": "623025101201"},
    "role": {"type": "string", "description": "household_head, liaison, grid_worker, grid_leader (or 户主, 联户长...)"},
    "language": {"type": "string", "description": "BCP-47 tag or a name: zh, bo, 藏语, Tibetan..."},
    "channels": {"type": "array", "items": {"type": "string", "enum": ["sms", "voice"]}},
    "households": {"type": "integer", "minimum": 0, "maximum": 1000},
    "tags": {"type": "array", "items": {"type": "string", "maxLength": 40}},
}

SCHEMAS = {
    "Contact": {
        "type": "object",
        "required": list(CONTACT_EXAMPLE),
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "phone": {"type": "string", "description": "E.164"},
            "grid_id": {"type": "integer"},
            "grid_code": {"type": "string"},
            "grid_name": {"type": "string"},
            "role": {"type": "string", "enum": ["household_head", "liaison", "grid_worker", "grid_leader"]},
            "language": {"type": "string"},
            "channels": {"type": "array", "items": {"type": "string", "enum": ["sms", "voice"]}},
            "households": {"type": "integer"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "opted_out": {"type": "boolean"},
            "opted_out_at": {"type": "string", "format": "date-time", "nullable": True},
            "opted_out_via": {"type": "string", "nullable": True},
        },
    },
    "ContactCreate": {
        "type": "object",
        "required": ["name", "phone", "grid_code"],
        "additionalProperties": False,
        "properties": _FIELDS,
    },
    "ContactUpdate": {"type": "object", "additionalProperties": False, "properties": _FIELDS},
    "OptOut": {
        "type": "object",
        "properties": {
            "via": {"type": "string", "maxLength": 32, "description": "how they asked: staff, sms, call, paper..."}
        },
    },
}

_CONTACT = {"$ref": "#/components/schemas/Contact"}
_TAGS = ["contacts"]


def _opt_operation(operation_id: str, summary: str, body: dict | None, example: dict) -> dict:
    operation = {
        "tags": _TAGS,
        "operationId": operation_id,
        "summary": summary,
        "responses": {
            "200": json_response("The contact after the change", _CONTACT, example),
            **(error_responses(400, 403, 404, 422) if body is not None else error_responses(403, 404)),
        },
    }
    if body is not None:
        operation["requestBody"] = {**json_request({"$ref": "#/components/schemas/OptOut"}, body), "required": False}
    return operation


PATHS = {
    "/api/v1/contacts": {
        "get": {
            "tags": _TAGS,
            "operationId": "listContacts",
            "summary": "Search contacts in your scope",
            "parameters": [
                query_param("grid_id", "only this grid's subtree", {"type": "integer"}, 2),
                query_param("role", "only this role", {"type": "string"}, "liaison"),
                query_param("language", "only this language", {"type": "string"}, "bo"),
                query_param("tag", "only contacts with this tag", {"type": "string"}, "herder"),
                query_param("opted_out", "only opted-out (true) or reachable (false)", {"type": "boolean"}, False),
                query_param("q", "name contains, or phone contains these digits", {"type": "string"}, "才让"),
                *PAGE_PARAMS,
            ],
            "responses": {
                "200": json_response(
                    "A page of contacts, ordered by grid then name",
                    page_of("#/components/schemas/Contact"),
                    {"items": [CONTACT_EXAMPLE], "total": 1, "page": 1, "per_page": 50},
                ),
                **error_responses(404, 422),
            },
        },
        "post": {
            "tags": _TAGS,
            "operationId": "createContact",
            "summary": "Create a contact in a grid of your scope",
            "requestBody": json_request(
                {"$ref": "#/components/schemas/ContactCreate"},
                {
                    "name": "才让",
                    "phone": "138 0000 0031",
                    "grid_code": "623025101201",
                    "role": "网格长",
                    "language": "藏语",
                    "tags": ["herder"],
                },
            ),
            "responses": {
                "201": json_response("The new contact", _CONTACT, CONTACT_EXAMPLE),
                **error_responses(400, 403, 409, 422),
            },
        },
    },
    "/api/v1/contacts/{contact_id}": {
        "parameters": [path_id("contact_id", "the contact's id")],
        "get": {
            "tags": _TAGS,
            "operationId": "getContact",
            "summary": "One contact",
            "responses": {"200": json_response("The contact", _CONTACT, CONTACT_EXAMPLE), **error_responses(404)},
        },
        "patch": {
            "tags": _TAGS,
            "operationId": "updateContact",
            "summary": "Change some fields of a contact (moving it needs the new grid in your scope)",
            "requestBody": json_request(
                {"$ref": "#/components/schemas/ContactUpdate"}, {"language": "zh", "channels": ["sms"]}
            ),
            "responses": {
                "200": json_response(
                    "The contact after the change", _CONTACT, {**CONTACT_EXAMPLE, "language": "zh", "channels": ["sms"]}
                ),
                **error_responses(400, 403, 404, 409, 422),
            },
        },
        "delete": {
            "tags": _TAGS,
            "operationId": "deleteContact",
            "summary": "Delete a contact",
            "responses": {"204": {"description": "Deleted"}, **error_responses(403, 404)},
        },
    },
    "/api/v1/contacts/{contact_id}/opt-out": {
        "parameters": [path_id("contact_id", "the contact's id")],
        "post": _opt_operation(
            "optOutContact",
            "Opt a contact out of every future send, recording when and how they asked",
            {"via": "sms"},
            OPTED_OUT_EXAMPLE,
        ),
    },
    "/api/v1/contacts/{contact_id}/opt-in": {
        "parameters": [path_id("contact_id", "the contact's id")],
        "post": _opt_operation(
            "optInContact", "Take a contact back into sends (clears the opt-out)", None, CONTACT_EXAMPLE
        ),
    },
}
