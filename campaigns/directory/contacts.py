"""Contact services: create, update, read, delete, opt out and search contacts within the caller's scope."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from campaigns.common.errors import Conflict, NotFound, ValidationError
from campaigns.common.languages import normalize_language
from campaigns.common.pagination import Page, paginate
from campaigns.common.phones import normalize_phone
from campaigns.common.text import clean_text, search_text
from campaigns.directory.grids import load_grid
from campaigns.directory.roles import normalize_channels, normalize_role, normalize_tags
from campaigns.identity.access import Actor, find_grid_by_code, require_write, scope_condition
from campaigns.models import Channel, Contact, ContactTag, Grid, OptOutSource
from campaigns.models.base import utcnow
from campaigns.models.grid import subtree_bounds

EDITABLE_FIELDS = ("name", "phone", "grid_code", "role", "language", "channels", "households", "tags")


def phone_in_use(fields: dict[str, str] | None = None) -> Conflict:
    """The phone number belongs to a contact already: one wording whoever holds it, in the caller's scope or not (a
    refusal never says where a phone is)."""
    return Conflict.coded("contact.phone_taken", "this phone number is already in use", fields=fields)


def contact_to_dict(contact: Contact) -> dict[str, Any]:
    return {
        "id": contact.id,
        "name": contact.name,
        "phone": contact.phone,
        "grid_id": contact.grid_id,
        "grid_code": contact.grid.code,
        "grid_name": contact.grid.name,
        "role": contact.role,
        "language": contact.language,
        "channels": list(contact.channels or []),
        "households": contact.households,
        "tags": contact.tags,
        "opted_out": contact.opted_out,
        "opted_out_at": contact.opted_out_at.isoformat() if contact.opted_out_at else None,
        "opted_out_via": contact.opted_out_via,
    }


def clean_contact_name(raw: Any) -> str:
    return clean_text(raw, "name", max_length=100)


def clean_households(raw: Any) -> int:
    """A household count of 0-1000; spreadsheets' "3.0" is 3, but 2.5, true or "many" are refused."""
    if raw is None or raw == "":
        return 1
    if isinstance(raw, bool | dict | list):
        raise ValidationError.coded(
            "contact.households_not_number", "households must be a whole number", fields={"households": "not a number"}
        )
    try:
        number = float(str(raw).strip())
        value = int(number)
    except (ValueError, OverflowError) as exc:
        raise ValidationError.coded(
            "contact.households_unreadable",
            "households '%(value)s' is not a whole number",
            fields={"households": "not a number"},
            value=str(raw)[:20],
        ) from exc
    if value != number:
        raise ValidationError.coded(
            "contact.households_not_number", "households must be a whole number", fields={"households": "not a number"}
        )
    if not 0 <= value <= 1000:
        raise ValidationError.coded(
            "contact.households_range", "households must be between 0 and 1000", fields={"households": "out of range"}
        )
    return value


def _load(session: Session, actor: Actor, contact_id: int) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None or not actor.sees_path(contact.grid.path):
        raise NotFound.coded("contact.not_found", "contact not found")
    return contact


def get_contact(session: Session, actor: Actor, contact_id: int) -> dict[str, Any]:
    return contact_to_dict(_load(session, actor, contact_id))


def _cleaned(session: Session, actor: Actor, data: dict[str, Any], region: str, *, partial: bool) -> dict[str, Any]:
    unknown = sorted(set(data) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError.coded(
            "input.unknown_fields",
            "unknown fields: %(unknown)s",
            fields={name: "unknown" for name in unknown},
            unknown=unknown,
        )
    required = () if partial else ("name", "phone", "grid_code")
    missing = [name for name in required if data.get(name) in (None, "")]
    if missing:
        raise ValidationError.coded(
            "input.missing_fields",
            "missing: %(missing)s",
            fields={name: "required" for name in missing},
            missing=missing,
        )
    cleaners = {
        "name": clean_contact_name,
        "phone": lambda value: normalize_phone(value, region),
        "grid_code": lambda value: find_grid_by_code(session, actor, value),
        "role": normalize_role,
        "language": normalize_language,
        "channels": normalize_channels,
        "households": clean_households,
        "tags": normalize_tags,
    }
    cleaned: dict[str, Any] = {}
    for name, value in data.items():
        try:
            cleaned[name] = cleaners[name](value)
        except (ValidationError, NotFound) as exc:
            raise ValidationError.coded(
                "input.field_error", "%(name)s: %(message)s", fields={name: exc.message}, name=name, message=exc
            ) from exc
    return cleaned


def _apply(contact: Contact, cleaned: dict[str, Any]) -> None:
    for name, value in cleaned.items():
        if name == "grid_code":
            contact.grid = value
            contact.grid_id = value.id
        elif name == "tags":
            contact.tag_rows = [ContactTag(tag=tag) for tag in value]
        else:
            setattr(contact, name, value)


def _phone_taken(session: Session, phone: str, other_than: int | None) -> bool:
    query = select(exists().where(Contact.phone == phone, Contact.id != (other_than or 0)))
    return bool(session.scalar(query))


def create_contact(session: Session, actor: Actor, data: dict[str, Any], region: str = "CN") -> dict[str, Any]:
    """Create a contact in a grid of the caller's scope; the phone must not belong to anyone yet (Conflict
    phone_in_use(), the same whether its contact is in the caller's scope or not)."""
    require_write(actor)
    cleaned = _cleaned(session, actor, data, region, partial=False)
    if _phone_taken(session, cleaned["phone"], None):
        raise phone_in_use({"phone": "taken"})
    cleaned.setdefault("role", "household_head")
    cleaned.setdefault("language", "zh")
    cleaned.setdefault("channels", [Channel.SMS, Channel.VOICE])
    cleaned.setdefault("households", 1)
    contact = Contact()
    _apply(contact, cleaned)
    session.add(contact)
    session.flush()
    return contact_to_dict(contact)


def update_contact(
    session: Session, actor: Actor, contact_id: int, data: dict[str, Any], region: str = "CN"
) -> dict[str, Any]:
    """Change some fields of a contact; moving it to another grid needs that grid in scope too."""
    require_write(actor)
    contact = _load(session, actor, contact_id)
    cleaned = _cleaned(session, actor, data, region, partial=True)
    if "phone" in cleaned and _phone_taken(session, cleaned["phone"], contact.id):
        raise phone_in_use({"phone": "taken"})
    _apply(contact, cleaned)
    session.flush()
    return contact_to_dict(contact)


def delete_contact(session: Session, actor: Actor, contact_id: int) -> None:
    require_write(actor)
    session.delete(_load(session, actor, contact_id))
    session.flush()


def set_opted_out(
    session: Session,
    actor: Actor,
    contact_id: int,
    opted_out: bool,
    via: str = OptOutSource.STAFF,
    when: datetime | None = None,
) -> dict[str, Any]:
    """Opt a contact out of (or back into) every future send, recording when and how (`via`: staff, sms, call...).

    Opting out twice keeps the first time and channel.
    """
    require_write(actor)
    contact = _load(session, actor, contact_id)
    via = clean_text(via, "via", max_length=32)
    if opted_out and contact.opted_out_at is None:
        contact.opted_out_at, contact.opted_out_via = when or utcnow(), via
    elif not opted_out:
        contact.opted_out_at, contact.opted_out_via = None, None
    session.flush()
    return contact_to_dict(contact)


def contacts_query(
    session: Session,
    actor: Actor,
    *,
    grid_id: int | None = None,
    role: str | None = None,
    language: str | None = None,
    tag: str | None = None,
    opted_out: bool | None = None,
    q: str | None = None,
):
    """The SELECT behind search and export: contacts in scope, filtered, ordered by grid path then name."""
    query = select(Contact).join(Grid, Contact.grid_id == Grid.id).where(scope_condition(actor, Grid.path))
    if grid_id is not None:
        grid = load_grid(session, actor, grid_id)
        low, high = subtree_bounds(grid.path)
        query = query.where(Grid.path >= low, Grid.path < high)
    role, language, tag, q = (
        search_text(role, "role"),
        search_text(language, "language"),
        search_text(tag, "tag"),
        search_text(q),
    )
    if role:
        query = query.where(Contact.role == _filter_value(normalize_role, role, "role"))
    if language:
        query = query.where(Contact.language == _filter_value(normalize_language, language, "language"))
    if tag:
        query = query.where(exists().where(ContactTag.contact_id == Contact.id, ContactTag.tag == tag))
    if opted_out is not None:
        query = query.where(Contact.opted_out_at.is_not(None) if opted_out else Contact.opted_out_at.is_(None))
    if q:
        matches = Contact.name.contains(q, autoescape=True)
        digits = _phone_fragment(q)
        if digits:
            matches = matches | Contact.phone.contains(digits, autoescape=True)
        query = query.where(matches)
    return query.order_by(Grid.path, Contact.name, Contact.id)


def _filter_value(normalize, raw: str, field: str) -> str:
    try:
        return normalize(raw)
    except ValidationError as exc:
        raise exc.with_fields({field: "unknown"}) from exc


def _phone_fragment(text: str) -> str | None:
    """Digits to look for in phone numbers: "138 0000-0001", "+86 138" and "0086138" all work."""
    fragment = re.sub(r"[\s\-()]", "", unicodedata.normalize("NFKC", text))
    if not re.fullmatch(r"\+?[0-9]+", fragment):
        return None
    if fragment.startswith("00"):
        fragment = fragment[2:]
    return fragment.lstrip("+") or None


def list_contacts(session: Session, actor: Actor, *, page: int = 1, per_page: int = 50, **filters) -> Page:
    """Search contacts in the caller's scope by grid subtree, role, language, tag, opted-out flag or text."""
    return paginate(session, contacts_query(session, actor, **filters), page, per_page, contact_to_dict)
