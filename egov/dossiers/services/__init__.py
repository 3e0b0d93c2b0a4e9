"""Use cases that write dossiers, one module per phase; import them from here.

Every state change is one call: keyword-only, one transaction, the actor's permission from the
transition table (``rules.TRANSITIONS``), a ``StatusChange`` row, an audit event and the
applicant's notification queued for after the commit.
"""

from egov.dossiers.services.processing import (
    CheckedUpload,
    hand_over,
    issue_apology,
    obligation_met,
    reassign_open_work,
    request_obligation,
    resume,
    start_processing,
    stop,
    take_dossier,
)
from egov.dossiers.services.reception import (
    ApplicantData,
    ReceivedDocument,
    accept_dossier,
    record_dossier,
    refuse_dossier,
    request_supplement,
    resubmit,
    withdraw,
)
from egov.dossiers.services.results import finish, rate, return_result

__all__ = [
    "ApplicantData",
    "CheckedUpload",
    "ReceivedDocument",
    "accept_dossier",
    "finish",
    "hand_over",
    "issue_apology",
    "obligation_met",
    "rate",
    "reassign_open_work",
    "record_dossier",
    "refuse_dossier",
    "request_obligation",
    "request_supplement",
    "resubmit",
    "resume",
    "return_result",
    "start_processing",
    "stop",
    "take_dossier",
    "withdraw",
]
