"""Staff account routes: who am I, list and create users, issue API tokens."""

from __future__ import annotations

from flask import jsonify

from campaigns.identity import accounts
from gateway.api import api
from gateway.api.context import current_actor
from gateway.api.spec import error_responses, json_request, json_response, path_id
from gateway.web.bodies import json_body
from gateway.web.session import db


@api.get("/me")
def me():
    return jsonify(accounts.whoami(db(), current_actor()))


@api.get("/users")
def list_users():
    users = accounts.list_users(db(), current_actor())
    return jsonify({"items": users, "total": len(users)})


@api.post("/users")
def create_user():
    body = json_body()
    user = accounts.create_user(
        db(),
        current_actor(),
        username=body.get("username"),
        role=body.get("role"),
        password=body.get("password"),
        scope_grid_code=body.get("scope_grid_code"),
        display_name=body.get("display_name"),
    )
    return jsonify(user), 201


@api.post("/users/<username>/tokens")
def create_token(username: str):
    name = json_body(optional=True).get("name")
    return jsonify(accounts.create_token(db(), current_actor(), username=username, name=name)), 201


@api.get("/users/<username>/tokens")
def list_tokens(username: str):
    tokens = accounts.list_tokens(db(), current_actor(), username)
    return jsonify({"items": tokens, "total": len(tokens)})


@api.delete("/users/<username>/tokens/<int:token_id>")
def revoke_token(username: str, token_id: int):
    return jsonify(accounts.revoke_token(db(), current_actor(), username, token_id))


USER_EXAMPLE = {
    "id": 4,
    "username": "qihama",
    "display_name": "齐哈玛镇网格办",
    "role": "coordinator",
    "scope_grid_code": "623025101",
    "disabled": False,
}
TOKEN_EXAMPLE = {
    "id": 7,
    "name": "sync script",
    "username": "qihama",
    "prefix": "gc_3kQ9xZr",
    "created_at": "2024-03-01T08:30:00+00:00",
    "token": "gc_3kQ9xZrT0m2c1YvQ8mE8bq0jHf6rQy1o2kVhN5Xb4wA",
}
STORED_TOKEN_EXAMPLE = {
    "id": 7,
    "name": "sync script",
    "username": "qihama",
    "prefix": "gc_3kQ9xZr",
    "created_at": "2024-03-01T08:30:00+00:00",
    "last_used_at": "2024-03-05T02:11:40+00:00",
    "revoked_at": None,
}
ME_EXAMPLE = {
    "username": "qihama",
    "display_name": "齐哈玛镇网格办",
    "role": "coordinator",
    "can_write": True,
    "is_admin": False,
    "scope": {"id": 2, "code": "623025101", "name": "齐哈玛镇", "level": "township", "path": "/1/2/"},
}
_ROLE = {"type": "string", "enum": ["admin", "coordinator", "viewer"]}

SCHEMAS = {
    "User": {
        "type": "object",
        "required": list(USER_EXAMPLE),
        "properties": {
            "id": {"type": "integer"},
            "username": {"type": "string"},
            "display_name": {"type": "string"},
            "role": _ROLE,
            "scope_grid_code": {"type": "string", "nullable": True, "description": "null: the whole deployment"},
            "disabled": {"type": "boolean"},
        },
    },
    "UserCreate": {
        "type": "object",
        "required": ["username", "role"],
        "properties": {
            "username": {"type": "string", "pattern": "^[A-Za-z0-9_.@-]{2,64}$"},
            "role": _ROLE,
            "scope_grid_code": {
                "type": "string",
                "description": "code of the grid whose subtree the user sees; required unless an unscoped admin "
                "creates another unscoped admin",
            },
            "display_name": {"type": "string", "maxLength": 100},
            "password": {"type": "string", "minLength": 10, "description": "for the staff console; optional"},
        },
    },
    "TokenCreate": {
        "type": "object",
        "properties": {"name": {"type": "string", "maxLength": 100, "description": "what the token is for"}},
    },
    "IssuedToken": {
        "type": "object",
        "required": list(TOKEN_EXAMPLE),
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "username": {"type": "string"},
            "prefix": {"type": "string", "description": "the first characters, to recognise the token later"},
            "created_at": {"type": "string", "format": "date-time"},
            "token": {"type": "string", "description": "the bearer token: shown this once, only its hash is kept"},
        },
    },
    "StoredToken": {
        "type": "object",
        "required": list(STORED_TOKEN_EXAMPLE),
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "username": {"type": "string"},
            "prefix": {"type": "string", "description": "the first characters, to recognise the token"},
            "created_at": {"type": "string", "format": "date-time"},
            "last_used_at": {"type": "string", "format": "date-time", "nullable": True},
            "revoked_at": {"type": "string", "format": "date-time", "nullable": True},
        },
    },
    "Me": {
        "type": "object",
        "required": list(ME_EXAMPLE),
        "properties": {
            "username": {"type": "string"},
            "display_name": {"type": "string"},
            "role": _ROLE,
            "can_write": {"type": "boolean"},
            "is_admin": {"type": "boolean"},
            "scope": {
                "type": "object",
                "nullable": True,
                "required": ["id", "code", "name", "level", "path"],
                "properties": {
                    "id": {"type": "integer"},
                    "code": {"type": "string"},
                    "name": {"type": "string"},
                    "level": {"type": "string"},
                    "path": {"type": "string"},
                },
            },
        },
    },
}

_TAGS = ["users"]
_USERNAME = {
    "name": "username",
    "in": "path",
    "required": True,
    "description": "the account's username",
    "schema": {"type": "string", "pattern": "^[A-Za-z0-9_.@-]{2,64}$"},
}

PATHS = {
    "/api/v1/me": {
        "get": {
            "tags": _TAGS,
            "operationId": "getMe",
            "summary": "Who am I: the token's user, role and scope grid",
            "responses": {
                "200": json_response("Your account", {"$ref": "#/components/schemas/Me"}, ME_EXAMPLE),
                **error_responses(),
            },
        }
    },
    "/api/v1/users": {
        "get": {
            "tags": _TAGS,
            "operationId": "listUsers",
            "summary": "Staff accounts scoped inside your scope",
            "responses": {
                "200": json_response(
                    "The accounts, by username",
                    {
                        "type": "object",
                        "required": ["items", "total"],
                        "properties": {
                            "items": {"type": "array", "items": {"$ref": "#/components/schemas/User"}},
                            "total": {"type": "integer"},
                        },
                    },
                    {"items": [USER_EXAMPLE], "total": 1},
                ),
                **error_responses(),
            },
        },
        "post": {
            "tags": _TAGS,
            "operationId": "createUser",
            "summary": "Create a staff account inside your scope (admins only)",
            "requestBody": json_request(
                {"$ref": "#/components/schemas/UserCreate"},
                {
                    "username": "qihama",
                    "role": "coordinator",
                    "scope_grid_code": "623025101",
                    "display_name": "齐哈玛镇网格办",
                },
            ),
            "responses": {
                "201": json_response("The new account", {"$ref": "#/components/schemas/User"}, USER_EXAMPLE),
                **error_responses(400, 403, 409, 422),
            },
        },
    },
    "/api/v1/users/{username}/tokens": {
        "parameters": [_USERNAME],
        "get": {
            "tags": _TAGS,
            "operationId": "listTokens",
            "summary": "The API tokens of an account in your scope, newest first (admins only; never the tokens)",
            "responses": {
                "200": json_response(
                    "The tokens, revoked ones included",
                    {
                        "type": "object",
                        "required": ["items", "total"],
                        "properties": {
                            "items": {"type": "array", "items": {"$ref": "#/components/schemas/StoredToken"}},
                            "total": {"type": "integer"},
                        },
                    },
                    {"items": [STORED_TOKEN_EXAMPLE], "total": 1},
                ),
                **error_responses(403, 404),
            },
        },
        "post": {
            "tags": _TAGS,
            "operationId": "createToken",
            "summary": "Issue an API token for an account in your scope (admins only); the token is shown once",
            "requestBody": {
                **json_request({"$ref": "#/components/schemas/TokenCreate"}, {"name": "sync script"}),
                "required": False,
            },
            "responses": {
                "201": json_response("The token", {"$ref": "#/components/schemas/IssuedToken"}, TOKEN_EXAMPLE),
                **error_responses(400, 403, 404, 422),
            },
        },
    },
    "/api/v1/users/{username}/tokens/{token_id}": {
        "parameters": [_USERNAME, path_id("token_id", "the token's id")],
        "delete": {
            "tags": _TAGS,
            "operationId": "revokeToken",
            "summary": "Revoke an API token of an account in your scope at once (admins only); repeating is harmless",
            "responses": {
                "200": json_response(
                    "The revoked token",
                    {"$ref": "#/components/schemas/StoredToken"},
                    {**STORED_TOKEN_EXAMPLE, "revoked_at": "2024-03-06T09:00:00+00:00"},
                ),
                **error_responses(403, 404),
            },
        },
    },
}
