"""Models of the one-stop shop, one module per concern."""

from egov.dossiers.models.applicant import Applicant
from egov.dossiers.models.dossier import Channel, Dossier, DossierDocument
from egov.dossiers.models.history import Apology, Handover, StatusChange
from egov.dossiers.models.outcome import DeliveryMethod, DossierResult, Rating

__all__ = [
    "Apology",
    "Applicant",
    "Channel",
    "DeliveryMethod",
    "Dossier",
    "DossierDocument",
    "DossierResult",
    "Handover",
    "Rating",
    "StatusChange",
]
