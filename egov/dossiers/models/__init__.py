"""Models of the one-stop shop, one module per concern."""

from egov.dossiers.models.applicant import Applicant
from egov.dossiers.models.dossier import Channel, Dossier, DossierDocument
from egov.dossiers.models.history import Apology, Handover, HandoverAttachment, StatusChange
from egov.dossiers.models.outcome import DeliveryMethod, DossierResult, Rating
from egov.dossiers.models.warnings import DeadlineWarning, WarningKind

__all__ = [
    "Apology",
    "Applicant",
    "Channel",
    "DeadlineWarning",
    "DeliveryMethod",
    "Dossier",
    "DossierDocument",
    "DossierResult",
    "Handover",
    "HandoverAttachment",
    "Rating",
    "StatusChange",
    "WarningKind",
]
