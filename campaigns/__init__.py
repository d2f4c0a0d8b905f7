"""The Gridcast domain: grids, contacts, campaigns, the outbox, replies and reports."""
