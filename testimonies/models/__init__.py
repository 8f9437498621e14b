from .attachments import Attachment, AttachmentCustody, AttachmentKind, CustodyEvent
from .consent import ConsentRecord, ConsentScope, ImagesShown
from .erasures import Erasure
from .places import Place, PlaceKind
from .reviews import Review, ReviewDecision, ReviewedVersion
from .testimonies import (
    IncidentDates,
    IncidentPrecision,
    PublicDatePrecision,
    PublicHold,
    Testimony,
    TestimonyStatus,
)
from .vocabularies import Community, EventType
from .witnesses import (
    Gender,
    KeyConflictResolution,
    Witness,
    WitnessIdentity,
    WitnessKeyConflict,
)

__all__ = [
    "Attachment",
    "AttachmentCustody",
    "AttachmentKind",
    "CustodyEvent",
    "Community",
    "ConsentRecord",
    "ConsentScope",
    "ImagesShown",
    "Erasure",
    "EventType",
    "Gender",
    "IncidentDates",
    "IncidentPrecision",
    "Place",
    "PlaceKind",
    "PublicDatePrecision",
    "PublicHold",
    "Review",
    "ReviewDecision",
    "ReviewedVersion",
    "Testimony",
    "TestimonyStatus",
    "Witness",
    "WitnessIdentity",
    "WitnessKeyConflict",
    "KeyConflictResolution",
]
