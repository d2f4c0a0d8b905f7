"""SQLAlchemy models; importing this package registers every table on `Base.metadata`."""

from campaigns.models.account import ApiToken, StaffRole, User
from campaigns.models.audio import AudioClip, CampaignAudio, VoicePrompt
from campaigns.models.base import Base
from campaigns.models.calls import SimulatedCall
from campaigns.models.campaign import Campaign, CampaignStatus, Run, RunKind, RunStatus
from campaigns.models.console import AuditEntry, CampaignApproval, LoginAttempt, StaffSession
from campaigns.models.contact import Contact, ContactRole, ContactTag, OptOutSource
from campaigns.models.grid import Grid, GridLevel
from campaigns.models.imports import ImportKind, ImportReport, ImportStatus, ImportUpload
from campaigns.models.outbox import CallStatus, Channel, OutboxMessage, OutboxStatus
from campaigns.models.replies import AutoReplyText, Confirmation, InboundMessage, Intent, ReplyKeyword
from campaigns.models.reports import DailyReport, DailyReportLine, DutyNotice, ReportDuty, ReportKind
from campaigns.models.simulator import SimulatedSms
from campaigns.models.speaker import Speaker, SpeakerItemState, SpeakerPlay

__all__ = [
    "ApiToken",
    "AudioClip",
    "AuditEntry",
    "AutoReplyText",
    "Base",
    "CallStatus",
    "Campaign",
    "CampaignApproval",
    "CampaignAudio",
    "CampaignStatus",
    "Channel",
    "Confirmation",
    "Contact",
    "ContactRole",
    "ContactTag",
    "DailyReport",
    "DailyReportLine",
    "DutyNotice",
    "Grid",
    "GridLevel",
    "ImportKind",
    "ImportReport",
    "ImportStatus",
    "ImportUpload",
    "InboundMessage",
    "Intent",
    "LoginAttempt",
    "OptOutSource",
    "OutboxMessage",
    "OutboxStatus",
    "ReplyKeyword",
    "ReportDuty",
    "ReportKind",
    "Run",
    "RunKind",
    "RunStatus",
    "SimulatedCall",
    "SimulatedSms",
    "Speaker",
    "SpeakerItemState",
    "SpeakerPlay",
    "StaffRole",
    "StaffSession",
    "User",
    "VoicePrompt",
]
