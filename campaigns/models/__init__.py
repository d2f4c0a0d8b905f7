"""SQLAlchemy models; importing this package registers every table on `Base.metadata`."""

from campaigns.models.account import ApiToken, User
from campaigns.models.base import Base
from campaigns.models.contact import Contact, ContactTag
from campaigns.models.grid import Grid, GridLevel
from campaigns.models.imports import ImportReport

__all__ = ["ApiToken", "Base", "Contact", "ContactTag", "Grid", "GridLevel", "ImportReport", "User"]
