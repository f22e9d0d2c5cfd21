"""All tables, imported so that the metadata knows every one of them."""

from app.models.anchoring import ImprovementTeam, MunicipalityAnchoring
from app.models.audit import AuditEvent
from app.models.catalogue import ChecklistItem, ChecklistVersion, OfferingType, Phase
from app.models.changes import ChangeEvent
from app.models.citizen import CitizenMessage
from app.models.feedback import Comment, Review
from app.models.identity import (
    ApiClient,
    ApiClientMunicipality,
    ApiClientRegion,
    ApiToken,
    LoginAttempt,
    User,
    UserMunicipality,
    UserRegion,
    WebSession,
)
from app.models.improvement import ImprovementArea, ImprovementAreaPhase, Measure, ProgressNote
from app.models.mail import (
    AccessLink,
    NotificationPreference,
    OutboxMessage,
    ResetRequest,
    SentNotice,
)
from app.models.measurement import Indicator, Observation
from app.models.municipality import Municipality, Region
from app.models.network import (
    Gathering,
    GatheringAttendance,
    Network,
    NetworkEvaluation,
    NetworkFacilitator,
    NetworkMember,
    NetworkMemberChange,
    NetworkTask,
    TaskAnswer,
)
from app.models.pathway import ChecklistAnswer, Offering, PhaseSection, Strength
from app.models.pdsa import PdsaCycle
from app.models.poster import FurtherWorkPlan
from app.models.publishing import PublishedVersion
from app.models.stamp import AccessStamp, ContentStamp
from app.models.webhooks import Webhook, WebhookDelivery

__all__ = [
    "AccessLink",
    "AccessStamp",
    "ApiClient",
    "ApiClientMunicipality",
    "ApiClientRegion",
    "ApiToken",
    "AuditEvent",
    "ChangeEvent",
    "ChecklistAnswer",
    "ChecklistItem",
    "ChecklistVersion",
    "CitizenMessage",
    "Comment",
    "ContentStamp",
    "FurtherWorkPlan",
    "Gathering",
    "GatheringAttendance",
    "ImprovementArea",
    "ImprovementAreaPhase",
    "ImprovementTeam",
    "Indicator",
    "LoginAttempt",
    "Measure",
    "Municipality",
    "MunicipalityAnchoring",
    "Network",
    "NetworkEvaluation",
    "NetworkFacilitator",
    "NetworkMember",
    "NetworkMemberChange",
    "NetworkTask",
    "NotificationPreference",
    "Observation",
    "Offering",
    "OfferingType",
    "OutboxMessage",
    "PdsaCycle",
    "Phase",
    "PhaseSection",
    "ProgressNote",
    "PublishedVersion",
    "Region",
    "ResetRequest",
    "Review",
    "SentNotice",
    "Strength",
    "TaskAnswer",
    "User",
    "UserMunicipality",
    "UserRegion",
    "WebSession",
    "Webhook",
    "WebhookDelivery",
]
