"""Staff accounts and their API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, StrictStr

from campaigns.identity.accounts import MIN_PASSWORD_LENGTH
from gateway.api.models.common import example

Role = Literal["admin", "coordinator", "viewer"]

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


class ScopeGrid(BaseModel):
    id: int
    code: str
    name: str
    level: str
    path: str


class Me(BaseModel):
    model_config = example(
        {
            "username": "qihama",
            "display_name": "齐哈玛镇网格办",
            "role": "coordinator",
            "can_write": True,
            "is_admin": False,
            "scope": {"id": 2, "code": "623025101", "name": "齐哈玛镇", "level": "township", "path": "/1/2/"},
        }
    )

    username: str
    display_name: str
    role: Role
    can_write: bool
    is_admin: bool
    scope: ScopeGrid | None


class User(BaseModel):
    model_config = example(USER_EXAMPLE)

    id: int
    username: str
    display_name: str
    role: Role
    scope_grid_code: str | None = Field(description="null: the whole deployment")
    disabled: bool


class UserList(BaseModel):
    model_config = example({"items": [USER_EXAMPLE], "total": 1})

    items: list[User]
    total: int


class UserCreate(BaseModel):
    model_config = example(
        {"username": "qihama", "role": "coordinator", "scope_grid_code": "623025101", "display_name": "齐哈玛镇网格办"}
    )

    username: StrictStr = Field(description="2-64 letters, digits, '_', '.', '@' or '-'")
    role: Role
    scope_grid_code: StrictStr | None = Field(
        default=None,
        description="code of the grid whose subtree the user sees; required unless an unscoped admin creates "
        "another unscoped admin",
    )
    display_name: StrictStr | None = None
    password: StrictStr | None = Field(
        default=None, min_length=MIN_PASSWORD_LENGTH, description="for the staff console; optional"
    )


class TokenCreate(BaseModel):
    model_config = example({"name": "sync script"})

    name: StrictStr | None = Field(default=None, description="what the token is for")


class IssuedToken(BaseModel):
    model_config = example(TOKEN_EXAMPLE)

    id: int
    name: str
    username: str
    prefix: str = Field(description="the first characters, to recognise the token later")
    created_at: datetime
    token: str = Field(description="the bearer token: shown this once, only its hash is kept")


class StoredToken(BaseModel):
    model_config = example(STORED_TOKEN_EXAMPLE)

    id: int
    name: str
    username: str
    prefix: str = Field(description="the first characters, to recognise the token")
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class RevokedToken(StoredToken):
    model_config = example({**STORED_TOKEN_EXAMPLE, "revoked_at": "2024-03-06T09:00:00+00:00"})


class TokenList(BaseModel):
    model_config = example({"items": [STORED_TOKEN_EXAMPLE], "total": 1})

    items: list[StoredToken]
    total: int
