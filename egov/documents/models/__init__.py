from egov.documents.models.incoming import Assignment, IncomingDocument, Opinion, Reminder
from egov.documents.models.outgoing import (
    Delegation,
    OutgoingDocument,
    OutgoingVersion,
    Recipient,
    ReviewComment,
)
from egov.documents.models.types import DocumentType, Register

__all__ = [
    "Assignment",
    "Delegation",
    "DocumentType",
    "IncomingDocument",
    "Opinion",
    "OutgoingDocument",
    "OutgoingVersion",
    "Recipient",
    "Register",
    "Reminder",
    "ReviewComment",
]
