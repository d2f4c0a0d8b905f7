"""SQLAlchemy models; importing this package registers every table on `Base.metadata`."""

from campaigns.models.account import ApiToken, User
from campaigns.models.base import Base
from campaigns.models.campaign import Campaign, Run
from campaigns.models.contact import Contact, ContactTag
from campaigns.models.grid import Grid, GridLevel
from campaigns.models.imports import ImportReport
from campaigns.models.outbox import OutboxMessage
from campaigns.models.simulator import SimulatedSms

__all__ = [
    "ApiToken",
    "Base",
    "Campaign",
    "Contact",
    "ContactTag",
    "Grid",
    "GridLevel",
    "ImportReport",
    "OutboxMessage",
    "Run",
    "SimulatedSms",
    "User",
]
