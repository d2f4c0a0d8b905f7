"""SQLAlchemy models; importing this package registers every table on `Base.metadata`."""

from campaigns.models.account import ApiToken, User
from campaigns.models.audio import AudioClip, CampaignAudio, VoicePrompt
from campaigns.models.base import Base
from campaigns.models.calls import SimulatedCall
from campaigns.models.campaign import Campaign, Run
from campaigns.models.console import AuditEntry, CampaignApproval, LoginAttempt, StaffSession
from campaigns.models.contact import Contact, ContactTag
from campaigns.models.grid import Grid, GridLevel
from campaigns.models.imports import ImportReport, ImportUpload
from campaigns.models.outbox import OutboxMessage
from campaigns.models.replies import AutoReplyText, Confirmation, InboundMessage, ReplyKeyword
from campaigns.models.reports import DailyReport, DailyReportLine, DutyNotice, ReportDuty
from campaigns.models.simulator import SimulatedSms
from campaigns.models.speaker import Speaker, SpeakerItemState, SpeakerPlay

__all__ = [
    "ApiToken",
    "AudioClip",
    "AuditEntry",
    "AutoReplyText",
    "Base",
    "Campaign",
    "CampaignApproval",
    "CampaignAudio",
    "Confirmation",
    "Contact",
    "ContactTag",
    "DailyReport",
    "DailyReportLine",
    "DutyNotice",
    "Grid",
    "GridLevel",
    "ImportReport",
    "ImportUpload",
    "InboundMessage",
    "LoginAttempt",
    "OutboxMessage",
    "ReplyKeyword",
    "ReportDuty",
    "Run",
    "SimulatedCall",
    "SimulatedSms",
    "Speaker",
    "SpeakerItemState",
    "SpeakerPlay",
    "StaffSession",
    "User",
    "VoicePrompt",
]
