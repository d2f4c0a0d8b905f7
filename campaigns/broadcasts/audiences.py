"""Audiences: which contacts a campaign reaches (grid subtrees, roles, tags, explicit contacts), never opted-out ones.

An audience is a dict {"grid_ids": [...], "roles": [...], "tags": [...], "contact_ids": [...]}: contacts in any of
the grid subtrees, narrowed by roles and tags when given, plus the explicit contacts. Each contact appears once.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, String, and_, cast, exists, false, or_, select
from sqlalchemy.orm import Session

from campaigns.common.errors import NotFound, ValidationError
from campaigns.directory.roles import normalize_role, normalize_tags
from campaigns.identity.access import Actor
from campaigns.models import Contact, ContactTag, Grid
from campaigns.models.grid import subtree_bounds


def check_audience(session: Session, actor: Actor, audience: Any) -> dict[str, list]:
    """Validate an audience against the caller's scope; returns it normalized."""
    if not isinstance(audience, dict):
        raise ValidationError.coded("audience.not_object", "audience must be an object", fields={"audience": "bad"})
    unknown = set(audience) - {"grid_ids", "roles", "tags", "contact_ids"}
    if unknown:
        raise ValidationError.coded(
            "audience.unknown_keys",
            "audience: unknown keys %(unknown)s",
            fields={"audience": "unknown key"},
            unknown=sorted(unknown),
        )
    grid_ids = _id_list(audience.get("grid_ids"), "audience.grid_ids")
    contact_ids = _id_list(audience.get("contact_ids"), "audience.contact_ids")
    if not grid_ids and not contact_ids:
        raise ValidationError.coded(
            "audience.empty", "the audience needs at least one grid or contact", fields={"audience": "empty"}
        )
    for grid_id in grid_ids:
        grid = session.get(Grid, grid_id)
        if grid is None or not actor.sees_path(grid.path):
            raise NotFound.coded("audience.grid_not_found", "grid %(grid_id)s not found", grid_id=grid_id)
    for contact_id in contact_ids:
        contact = session.get(Contact, contact_id)
        if contact is None or not actor.sees_path(contact.grid.path):
            raise NotFound.coded(
                "audience.contact_not_found", "contact %(contact_id)s not found", contact_id=contact_id
            )
    roles_raw = audience.get("roles") or []
    if not isinstance(roles_raw, list):
        raise ValidationError.coded(
            "audience.bad_roles", "audience.roles must be a list", fields={"audience.roles": "bad"}
        )
    return {
        "grid_ids": grid_ids,
        "roles": sorted({normalize_role(role) for role in roles_raw}),
        "tags": normalize_tags(audience.get("tags") or []),
        "contact_ids": contact_ids,
    }


def _id_list(raw: Any, field: str) -> list[int]:
    if raw in (None, []):
        return []
    if not isinstance(raw, list) or any(isinstance(x, bool) or not isinstance(x, int) or x < 1 for x in raw):
        raise ValidationError.coded(
            "audience.bad_ids", "%(field)s must be a list of ids", fields={field: "bad"}, field=field
        )
    return sorted(set(raw))


def audience_condition(session: Session, audience: dict[str, list]) -> ColumnElement[bool]:
    """The WHERE condition over Contact (joined to Grid) for an audience; opted-out contacts are always excluded."""
    paths = session.scalars(select(Grid.path).where(Grid.id.in_(audience["grid_ids"]))).all()
    in_grids = or_(false(), *(and_(Grid.path >= low, Grid.path < high) for low, high in map(subtree_bounds, paths)))
    narrowed = [in_grids]
    if audience["roles"]:
        narrowed.append(Contact.role.in_(audience["roles"]))
    if audience["tags"]:
        narrowed.append(exists().where(ContactTag.contact_id == Contact.id, ContactTag.tag.in_(audience["tags"])))
    chosen = or_(and_(*narrowed), Contact.id.in_(audience["contact_ids"] or [-1]))
    return and_(chosen, Contact.opted_out_at.is_(None))


def reaches_by(channel: str) -> ColumnElement[bool]:
    """Contacts whose channel list includes `channel` (the JSON list compared as text on every backend)."""
    return cast(Contact.channels, String).like(f'%"{channel}"%')


def audience_select(session: Session, audience: dict[str, list], *columns):
    return (
        select(*columns)
        .select_from(Contact)
        .join(Grid, Contact.grid_id == Grid.id)
        .where(audience_condition(session, audience))
    )
