"""SQLAlchemy models; importing this package registers every table on `Base.metadata`."""

from campaigns.models.account import ApiToken, User
from campaigns.models.audio import AudioClip, CampaignAudio, VoicePrompt
from campaigns.models.base import Base
from campaigns.models.campaign import Campaign, Run
from campaigns.models.contact import Contact, ContactTag
from campaigns.models.grid import Grid, GridLevel
from campaigns.models.imports import ImportReport
from campaigns.models.outbox import OutboxMessage
from campaigns.models.replies import AutoReplyText, Confirmation, InboundMessage, ReplyKeyword
from campaigns.models.reports import DailyReport, DutyNotice, ReportDuty
from campaigns.models.simulator import SimulatedSms

__all__ = [
    "ApiToken",
    "AudioClip",
    "AutoReplyText",
    "Base",
    "Campaign",
    "CampaignAudio",
    "Confirmation",
    "Contact",
    "ContactTag",
    "DailyReport",
    "DutyNotice",
    "Grid",
    "GridLevel",
    "ImportReport",
    "InboundMessage",
    "OutboxMessage",
    "ReplyKeyword",
    "ReportDuty",
    "Run",
    "SimulatedSms",
    "User",
    "VoicePrompt",
]
