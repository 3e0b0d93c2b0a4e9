"""Reception at the desk in one step: record what the applicant brought and decide on it.

The officer records and decides at the same counter visit; doing both in one transaction means a
refused decision (an incomplete dossier accepted, a permission missing) leaves no dossier and uses
no code, so the officer can correct the screen and submit again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum

from django.db import transaction

from egov.dossiers.models import Channel, Dossier
from egov.dossiers.services._base import Actor
from egov.dossiers.services.reception import (
    ApplicantData,
    ReceivedDocument,
    accept_dossier,
    record_dossier,
    refuse_dossier,
    request_supplement,
)
from egov.organizations.models import Agency, Division
from egov.procedures.models import Procedure


class DeskDecision(StrEnum):
    ACCEPT = "accept"
    SUPPLEMENT = "supplement"
    REFUSE = "refuse"


def decide_at_desk(
    *,
    dossier: Dossier,
    officer: Actor,
    decision: DeskDecision,
    reason: str = "",
    missing_documents: Sequence[str] = (),
) -> Dossier:
    """Accept (1 → 2), ask for supplements (1 → 5) or refuse (1 → 3) a submitted dossier."""
    match decision:
        case DeskDecision.ACCEPT:
            return accept_dossier(dossier=dossier, officer=officer)
        case DeskDecision.SUPPLEMENT:
            return request_supplement(
                dossier=dossier, officer=officer, reason=reason, missing_documents=missing_documents
            )
        case DeskDecision.REFUSE:
            return refuse_dossier(dossier=dossier, officer=officer, reason=reason)


def receive_at_desk(
    *,
    officer: Actor,
    procedure: Procedure,
    agency: Agency,
    receiving_agency: Agency,
    receiving_division: Division | None,
    applicant: ApplicantData,
    answers: Mapping[str, object],
    documents: Sequence[ReceivedDocument],
    decision: DeskDecision,
    reason: str = "",
    missing_documents: Sequence[str] = (),
) -> Dossier:
    """Record a desk dossier (status 1) and apply the officer's decision, all or nothing."""
    with transaction.atomic():
        dossier = record_dossier(
            actor=officer,
            procedure=procedure,
            agency=agency,
            applicant=applicant,
            channel=Channel.DESK,
            answers=answers,
            documents=documents,
            receiving_agency=receiving_agency,
            receiving_division=receiving_division,
        )
        return decide_at_desk(
            dossier=dossier,
            officer=officer,
            decision=decision,
            reason=reason,
            missing_documents=missing_documents,
        )
