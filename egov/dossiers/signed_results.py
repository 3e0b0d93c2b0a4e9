"""Reads of a dossier's result issued as an outgoing document (văn bản kết quả có ký số): the
document, where it stands, and the verification address its QR code carries.

The link between the two is ``OutgoingDocument.origin = "dossiers:<code>"`` until the issue, then
also ``DossierResult.result_document``. A recalled document is history: it no longer holds the
dossier's place for a new draft.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import CharField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Concat
from django.urls import reverse

from egov.accounts.models import User
from egov.documents import selectors as document_selectors
from egov.documents.models import OutgoingDocument
from egov.documents.rules import OutgoingStatus
from egov.dossiers import rules
from egov.dossiers.models import Dossier, DossierResult
from egov.dossiers.rules import RESULT_STAGE_LABELS, ResultStage
from egov.signatures.services import verification_url


def _pending() -> QuerySet[OutgoingDocument]:
    return OutgoingDocument.objects.exclude(status=OutgoingStatus.RECALLED).order_by("-created_at", "-pk")


def pending_result_document(dossier: Dossier) -> OutgoingDocument | None:
    """The dossier's result document drafted and not recalled (at most one: ``draft_result_document``
    refuses a second one). A dossier read ``with_result_document_id`` that has none costs no query."""
    if getattr(dossier, "result_document_pk", ...) is None:
        return None
    return (
        _pending()
        .filter(origin=rules.result_origin(dossier.code))
        .select_related("document_type", "signer", "issued_file")
        .first()
    )


def with_result_document_id(dossiers: QuerySet[Dossier]) -> QuerySet[Dossier]:
    """The dossiers with ``result_document_pk``, their pending result document's id (or ``None``),
    read in the same query: the dossier's page asks for it on every action."""
    origin = Concat(Value(rules.RESULT_ORIGIN_PREFIX), OuterRef("code"), output_field=CharField())
    return dossiers.annotate(result_document_pk=Subquery(_pending().filter(origin=origin).values("pk")[:1]))


@dataclass(frozen=True)
class ResultDocumentState:
    """What the dossier's page says of its result document."""

    document: OutgoingDocument
    stage: ResultStage
    url: str  # the documents page, or "" when the actor may not open it

    @property
    def label(self) -> str:
        return str(RESULT_STAGE_LABELS[self.stage])


def result_document_state(
    actor: User, dossier: Dossier, pending: OutgoingDocument | None
) -> ResultDocumentState | None:
    """The result document of the dossier (the issued one once finished, else ``pending``, the one
    in progress), with a link for an official who may see it in the documents app."""
    result: DossierResult | None = getattr(dossier, "result", None)
    document = result.result_document if result is not None else None
    document = document or pending
    if document is None:
        return None
    visible = document_selectors.visible_outgoing(actor).filter(pk=document.pk).exists()
    return ResultDocumentState(
        document=document,
        stage=rules.result_stage(document.status),
        url=reverse("documents:outgoing_detail", kwargs={"pk": document.pk}) if visible else "",
    )


@dataclass(frozen=True)
class Verification:
    """Where anyone holding the signed result checks it: the page its QR code opens."""

    token: str

    @property
    def path(self) -> str:
        return reverse("signatures:verify", kwargs={"token": self.token})

    @property
    def address(self) -> str:
        """The address as printed under the QR code (``EGOV_PUBLIC_BASE_URL`` + path)."""
        return verification_url(self.token)


def verification_of(result: DossierResult | None) -> Verification | None:
    """The verification page of a result issued as a signed document; ``None`` for a paper result."""
    if result is None or result.result_document_id is None:
        return None
    token = (
        OutgoingDocument.objects.filter(pk=result.result_document_id)
        .values_list("issued_file__token", flat=True)
        .first()
    )
    return Verification(token=token) if token else None
