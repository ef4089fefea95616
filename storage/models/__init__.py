"""All models; importing this package registers every table on `Base.metadata`."""

from storage.models.base import Base, UTCDateTime, utcnow
from storage.models.collaboration import Exchange, Introduction, IntroductionTransition
from storage.models.community import CommunityAnswer, CommunityChannel, CommunityNotice, CommunityQuestion
from storage.models.confirmations import Confirmation
from storage.models.events import RSVP, DigestRun, DigestSchedule, Event, EventAttendance
from storage.models.knowledge import Chunk, Document, KnowledgeVersion, Pilot
from storage.models.members import AuditEntry, Member, Organisation, PlatformIdentity
from storage.models.runtime import DeliveryReceipt, Job, ReplyPage, StoredCommand
from storage.models.tombstones import ErasureTombstone

__all__ = [
    "RSVP",
    "AuditEntry",
    "Base",
    "Chunk",
    "CommunityAnswer",
    "CommunityChannel",
    "CommunityNotice",
    "CommunityQuestion",
    "Confirmation",
    "DeliveryReceipt",
    "DigestRun",
    "DigestSchedule",
    "Document",
    "ErasureTombstone",
    "Event",
    "EventAttendance",
    "Exchange",
    "Introduction",
    "IntroductionTransition",
    "Job",
    "KnowledgeVersion",
    "Member",
    "Organisation",
    "Pilot",
    "PlatformIdentity",
    "ReplyPage",
    "StoredCommand",
    "UTCDateTime",
    "utcnow",
]
