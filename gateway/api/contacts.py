"""Contact routes: search, read, create, change, delete contacts, and opt them out of (or back into) sends."""

from __future__ import annotations

from flask import jsonify

from campaigns.directory import contacts as contact_service
from campaigns.models import OptOutSource
from gateway.api import api
from gateway.api.context import ID, current_actor
from gateway.api.models.contacts import (
    ChangedContact,
    Contact,
    ContactCreate,
    ContactPage,
    ContactQuery,
    ContactUpdate,
    OptedOutContact,
    OptOut,
)
from gateway.api.schema import context, responses, validated
from gateway.runtime import current_runtime
from gateway.web.session import db

TAGS = ("contacts",)


def _region() -> str:
    return current_runtime().settings.default_region


@api.get("/contacts")
@validated(query=ContactQuery, resp=responses((404, 422), HTTP_200=ContactPage), tags=TAGS, operation_id="listContacts")
def list_contacts():
    """Search contacts in your scope"""
    query: ContactQuery = context().query
    return jsonify(contact_service.list_contacts(db(), current_actor(), **query.model_dump()).as_dict())


@api.post("/contacts")
@validated(
    json=ContactCreate,
    resp=responses((400, 403, 409, 422), HTTP_201=Contact),
    tags=TAGS,
    operation_id="createContact",
)
def create_contact():
    """Create a contact in a grid of your scope"""
    body: ContactCreate = context().json
    data = body.model_dump(exclude_unset=True)
    return jsonify(contact_service.create_contact(db(), current_actor(), data, _region())), 201


@api.get(f"/contacts/<{ID}:contact_id>")
@validated(resp=responses((404,), HTTP_200=Contact), tags=TAGS, operation_id="getContact")
def get_contact(contact_id: int):
    """One contact"""
    return jsonify(contact_service.get_contact(db(), current_actor(), contact_id))


@api.patch(f"/contacts/<{ID}:contact_id>")
@validated(
    json=ContactUpdate,
    resp=responses((400, 403, 404, 409, 422), HTTP_200=ChangedContact),
    tags=TAGS,
    operation_id="updateContact",
)
def update_contact(contact_id: int):
    """Change some fields of a contact (moving it needs the new grid in your scope)"""
    body: ContactUpdate = context().json
    data = body.model_dump(exclude_unset=True)
    return jsonify(contact_service.update_contact(db(), current_actor(), contact_id, data, _region()))


@api.delete(f"/contacts/<{ID}:contact_id>")
@validated(resp=responses((403, 404), HTTP_204=None), tags=TAGS, operation_id="deleteContact")
def delete_contact(contact_id: int):
    """Delete a contact"""
    contact_service.delete_contact(db(), current_actor(), contact_id)
    return "", 204


@api.post(f"/contacts/<{ID}:contact_id>/opt-out")
@validated(
    json=OptOut,
    resp=responses((400, 403, 404, 422), HTTP_200=OptedOutContact),
    tags=TAGS,
    operation_id="optOutContact",
)
def opt_out(contact_id: int):
    """Opt a contact out of every future send, recording when and how they asked"""
    body: OptOut = context().json
    via = body.via or OptOutSource.STAFF
    return jsonify(contact_service.set_opted_out(db(), current_actor(), contact_id, True, via=via))


@api.post(f"/contacts/<{ID}:contact_id>/opt-in")
@validated(resp=responses((403, 404), HTTP_200=Contact), tags=TAGS, operation_id="optInContact")
def opt_in(contact_id: int):
    """Take a contact back into sends (clears the opt-out)"""
    return jsonify(contact_service.set_opted_out(db(), current_actor(), contact_id, False))
