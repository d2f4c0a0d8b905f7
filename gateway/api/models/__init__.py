"""Pydantic models of the API's requests and responses, one module per resource; gateway.api.schema documents
and validates with them."""
