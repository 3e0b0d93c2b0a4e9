"""Use cases that write dossiers, one module per phase; import them from here.

Every state change is one call: keyword-only, one transaction, the actor's permission from the
transition table (``rules.TRANSITIONS``), a ``StatusChange`` row, an audit event and the
applicant's notification queued for after the commit.
"""

from egov.dossiers.services.fees import (
    order_submission_fees,
    refund_dossier_fees,
    request_fee_payment,
    unpaid_orders,
)
from egov.dossiers.services.online import (
    SupplementFile,
    deliver_online,
    resubmit_online,
    submit_online,
    submitted_with_key,
)
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
from egov.dossiers.services.result_document import draft_result_document, finish_with_document
from egov.dossiers.services.results import finish, rate, return_result

__all__ = [
    "ApplicantData",
    "CheckedUpload",
    "ReceivedDocument",
    "SupplementFile",
    "accept_dossier",
    "deliver_online",
    "draft_result_document",
    "finish",
    "finish_with_document",
    "hand_over",
    "issue_apology",
    "obligation_met",
    "order_submission_fees",
    "rate",
    "reassign_open_work",
    "record_dossier",
    "refund_dossier_fees",
    "refuse_dossier",
    "request_fee_payment",
    "request_obligation",
    "request_supplement",
    "resubmit",
    "resubmit_online",
    "resume",
    "return_result",
    "start_processing",
    "stop",
    "submit_online",
    "submitted_with_key",
    "take_dossier",
    "unpaid_orders",
    "withdraw",
]
