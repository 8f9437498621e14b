from testimonies.attachments.models import (
    Attachment,
    AttachmentCustody,
    AttachmentKind,
    CustodyEvent,
)
from testimonies.consent.models.consent import ConsentRecord, ConsentScope, ImagesShown
from testimonies.consent.models.erasures import Erasure
from testimonies.consent.models.reviews import Review, ReviewDecision, ReviewedVersion
from testimonies.core.models import (
    IncidentDates,
    IncidentPrecision,
    PublicDatePrecision,
    PublicHold,
    Testimony,
    TestimonyStatus,
)
from testimonies.core.vocabularies import Community, EventType
from testimonies.incidents.models import (
    Incident,
    IncidentLink,
    IncidentStatus,
    LinkRole,
)
from testimonies.places.models import Place, PlaceKind
from testimonies.witnesses.models import (
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
    "Incident",
    "IncidentDates",
    "IncidentLink",
    "IncidentStatus",
    "LinkRole",
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
