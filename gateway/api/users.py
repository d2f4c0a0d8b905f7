"""Staff account routes: who am I, list and create users, issue API tokens."""

from __future__ import annotations

from flask import jsonify

from campaigns.identity import accounts
from gateway.api import api
from gateway.api.context import ID, current_actor
from gateway.api.models.users import (
    IssuedToken,
    Me,
    RevokedToken,
    TokenCreate,
    TokenList,
    User,
    UserCreate,
    UserList,
)
from gateway.api.schema import context, responses, validated
from gateway.web.session import db

TAGS = ("users",)


@api.get("/me")
@validated(resp=responses(HTTP_200=Me), tags=TAGS, operation_id="getMe")
def me():
    """Who am I: the token's user, role and scope grid"""
    return jsonify(accounts.whoami(db(), current_actor()))


@api.get("/users")
@validated(resp=responses(HTTP_200=UserList), tags=TAGS, operation_id="listUsers")
def list_users():
    """Staff accounts scoped inside your scope"""
    users = accounts.list_users(db(), current_actor())
    return jsonify({"items": users, "total": len(users)})


@api.post("/users")
@validated(json=UserCreate, resp=responses((400, 403, 409, 422), HTTP_201=User), tags=TAGS, operation_id="createUser")
def create_user():
    """Create a staff account inside your scope (admins only)"""
    body: UserCreate = context().json
    return jsonify(accounts.create_user(db(), current_actor(), **body.model_dump())), 201


@api.post("/users/<username>/tokens")
@validated(
    json=TokenCreate, resp=responses((400, 403, 404, 422), HTTP_201=IssuedToken), tags=TAGS, operation_id="createToken"
)
def create_token(username: str):
    """Issue an API token for an account in your scope (admins only); the token is shown once"""
    body: TokenCreate = context().json
    return jsonify(accounts.create_token(db(), current_actor(), username=username, name=body.name)), 201


@api.get("/users/<username>/tokens")
@validated(resp=responses((403, 404), HTTP_200=TokenList), tags=TAGS, operation_id="listTokens")
def list_tokens(username: str):
    """The API tokens of an account in your scope, newest first (admins only; never the tokens)"""
    tokens = accounts.list_tokens(db(), current_actor(), username)
    return jsonify({"items": tokens, "total": len(tokens)})


@api.delete(f"/users/<username>/tokens/<{ID}:token_id>")
@validated(resp=responses((403, 404), HTTP_200=RevokedToken), tags=TAGS, operation_id="revokeToken")
def revoke_token(username: str, token_id: int):
    """Revoke an API token of an account in your scope at once (admins only); repeating is harmless"""
    return jsonify(accounts.revoke_token(db(), current_actor(), username, token_id))
