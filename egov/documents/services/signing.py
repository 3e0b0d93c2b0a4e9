"""The signer signs outgoing documents awaiting their signature (ký số văn bản đi).

Three ways, all ending in ``outgoing.record_signed_version`` (document → "signed"):

- the official's **USB token** through the signing agent on their computer: ``begin_with_agent``
  prepares each frozen PDF (``signatures.official_keys.begin_agent_signing``) and returns the
  digests the browser hands to the agent (``POST /v1/sign-batch``, one PIN entry on the agent's
  side); ``finish_with_agent`` embeds each returned value and records the signed PDF;
- a **key egov holds** for the official (``EGOV_SIGNING_KEYS`` entry ``official:<username>``, an
  HSM slot; the demo's PKCS#12 file): ``sign_with_server_key`` opens it once with the PIN typed in
  the form (an argument only: never stored, logged or audited) and signs the batch
  (``signatures.services.sign_batch``);
- **remote signing** (ký số từ xa): a CSC signing service holds the official's key (entry
  ``remote:<username>``, kind ``csc``: service address and credential id, no secret);
  ``sign_remotely`` asks it once for the whole batch (``signatures.official_keys.sign_batch_remotely``),
  the official approves (OTP typed in the form, or on their phone). The server-key and remote ways
  share ``_sign_by_agency`` (one batch per agency, each signed PDF recorded).

Every call takes document ids from the request and keeps only those submitted to this signer and
still awaiting signature; the rest get an outcome saying why (not found, already signed). One
document failing never stops the others. The signatures app audits each signature, the documents
app each move.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from egov.accounts.models import User
from egov.core import audit
from egov.documents import placement, rules
from egov.documents.models import OutgoingDocument
from egov.documents.rules import OutgoingStatus
from egov.documents.services.outgoing import frozen_version, latest_draft, read_version, record_signed_version
from egov.organizations.models import Agency
from egov.signatures import official_keys
from egov.signatures import services as signature_services
from egov.signatures.pades import PdfProblem
from egov.signatures.remote import configured_csc_key
from egov.signatures.selectors import signature_image_of
from egov.signatures.services import BatchResult
from egov.signatures.signers import SignerUnavailable, configured_key, configured_keys

logger = logging.getLogger(__name__)

PLACEMENT_STATUSES = frozenset(
    {OutgoingStatus.DRAFT, OutgoingStatus.CONTENT_REVIEW, OutgoingStatus.FORMAT_REVIEW}
)
MAX_BATCH = 50  # documents in one signing request (the agent takes up to 100)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one document of a signing request (shown as is on the screen)."""

    document_id: int
    label: str
    ok: bool
    message: str

    def as_json(self) -> dict[str, Any]:
        return {"id": self.document_id, "label": self.label, "ok": self.ok, "message": self.message}


@dataclass(frozen=True, slots=True)
class Prepared:
    """A document ready for the agent: the digest of its CMS signed attributes (base64 SHA-256)."""

    document_id: int
    label: str
    pending_id: str
    digest: str

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.document_id,
            "label": self.label,
            "pending_id": self.pending_id,
            "digest": self.digest,
            "item_id": f"doc-{self.document_id}",
            "reference": f"#{self.document_id}",
        }


def awaiting_my_signature(signer: User) -> QuerySet[OutgoingDocument]:
    """Documents submitted to ``signer`` and not signed yet, newest submission first."""
    return (
        OutgoingDocument.objects.filter(signer=signer, status=OutgoingStatus.AWAITING_SIGNATURE)
        .select_related("document_type", "division", "agency")
        .order_by("-created_at", "-pk")
    )


def label_of(document: OutgoingDocument) -> str:
    return f"{document.document_type.name}: {document.summary[:120]}"


def signed_message() -> str:
    return _("Đã ký")


def unavailable_message() -> str:
    return _(
        "Không ký được văn bản này lúc này (lỗi máy chủ ký số hoặc dịch vụ dấu thời gian). Vui lòng thử lại."
    )


def _mine(signer: User, document_ids: Iterable[int]) -> tuple[list[OutgoingDocument], list[Outcome]]:
    """The requested documents this signer may sign now, and an outcome for each other one."""
    ids = list(dict.fromkeys(document_ids))
    if len(ids) > MAX_BATCH:
        raise ValidationError(_("Mỗi lần ký tối đa %(n)s văn bản.") % {"n": MAX_BATCH})
    rows = OutgoingDocument.objects.filter(pk__in=ids, signer=signer).select_related(
        "agency", "document_type"
    )
    found = {document.pk: document for document in rows}
    ready, refused = [], []
    for pk in ids:
        document = found.get(pk)
        if document is None:
            refused.append(
                Outcome(pk, f"#{pk}", False, _("Không có văn bản này trong danh sách chờ bạn ký."))
            )
        elif document.status == OutgoingStatus.AWAITING_SIGNATURE:
            ready.append(document)
        elif document.status in (OutgoingStatus.SIGNED, OutgoingStatus.ISSUED):
            refused.append(Outcome(pk, label_of(document), False, _("Văn bản đã được ký trước đó.")))
        else:
            refused.append(
                Outcome(pk, label_of(document), False, _("Văn bản không còn ở trạng thái chờ ký."))
            )
    return ready, refused


def _signature_image(signer: User) -> bytes:
    image = signature_image_of(signer)
    if image is None:
        raise ValidationError(
            _(
                "Chưa có ảnh chữ ký của bạn trên hệ thống nên chưa ký số được. Đề nghị quản trị viên "
                "cập nhật ảnh chữ ký (PNG nền trong suốt) rồi ký lại."
            )
        )
    return image


def _frozen_pdf(document: OutgoingDocument) -> bytes:
    version = frozen_version(document)
    if version is None:
        raise PdfProblem(_("Văn bản chưa có bản trình ký; đề nghị văn thư trình ký lại."))
    return read_version(version)


def _record(signer: User, document: OutgoingDocument, signed_pdf: bytes) -> Outcome:
    """Record the signed PDF; a document signed meanwhile (double submit) reports so."""
    label = label_of(document)
    try:
        record_signed_version(document=document, signed_pdf=signed_pdf, signer=signer)
    except rules.IllegalTransition:
        return Outcome(document.pk, label, False, _("Văn bản đã được ký trước đó."))
    except (ValidationError, PermissionDenied) as error:
        return Outcome(document.pk, label, False, " ".join(getattr(error, "messages", [str(error)])))
    return Outcome(document.pk, label, True, signed_message())


def _in_request_order(ids: Sequence[int], outcomes: list[Outcome]) -> list[Outcome]:
    position = {pk: index for index, pk in enumerate(dict.fromkeys(ids))}
    return sorted(outcomes, key=lambda o: position.get(o.document_id, len(position)))


# --- a key egov holds for the official -------------------------------------------------------


def server_key_name(signer: User) -> str:
    return f"official:{signer.username}"


def has_server_key(signer: User) -> bool:
    return server_key_name(signer) in configured_keys()


def sign_with_server_key(*, signer: User, document_ids: Sequence[int], pin: str) -> list[Outcome]:
    """Sign the documents with the official's configured key, opened once with ``pin``.

    ``signatures.signers.SignerUnavailable`` (wrong PIN, token absent, no key configured) is raised
    before anything is signed; a document that cannot be signed gets its own failed outcome.
    """
    documents, outcomes = _mine(signer, document_ids)
    if not documents:
        return _in_request_order(document_ids, outcomes)
    if not pin:
        raise ValidationError(_("Nhập mã PIN của khóa ký số."))
    image = _signature_image(signer)
    key = configured_key(server_key_name(signer))

    def sign(agency: Agency, items: list[signature_services.BatchItem]) -> list[BatchResult]:
        return signature_services.sign_batch(
            actor=signer, agency=agency, items=items, key=key, pin=pin, signature_image=image
        )

    outcomes += _sign_by_agency(signer, documents, sign)
    return _in_request_order(document_ids, outcomes)


# Signs one agency's batch, one result per item (the key or service opened once for the batch).
BatchSigner = Callable[[Agency, list[signature_services.BatchItem]], list[BatchResult]]


def _sign_by_agency(signer: User, documents: list[OutgoingDocument], sign: BatchSigner) -> list[Outcome]:
    """Sign the documents one batch per agency with ``sign`` and record each signed PDF.

    ``SignerUnavailable`` (the key or the service refused) is raised while nothing is signed yet;
    after that, the documents of the refused batch get a failed outcome, the signed ones stay.
    """
    outcomes: list[Outcome] = []
    for _agency, group in groupby(sorted(documents, key=lambda d: d.agency_id), key=lambda d: d.agency_id):
        batch = list(group)
        items, by_reference = [], {}
        for document in batch:
            try:
                items.append(
                    signature_services.BatchItem(reference=str(document.pk), pdf=_frozen_pdf(document))
                )
            except PdfProblem as problem:
                outcomes.append(Outcome(document.pk, label_of(document), False, str(problem)))
            by_reference[str(document.pk)] = document
        if not items:
            continue
        try:
            results = sign(batch[0].agency, items)
        except SignerUnavailable as refusal:
            if not any(outcome.ok for outcome in outcomes):
                raise
            refused = [by_reference[item.reference] for item in items]
            outcomes += [Outcome(d.pk, label_of(d), False, str(refusal)) for d in refused]
            continue
        for result in results:
            document = by_reference[result.reference]
            if result.ok and result.pdf is not None:
                outcomes.append(_record(signer, document, result.pdf))
            else:
                outcomes.append(Outcome(document.pk, label_of(document), False, result.error))
    return outcomes


# --- remote signing (ký số từ xa): the signing service asks the official to approve -------------

MAX_OTP_LENGTH = 64


def remote_key_name(signer: User) -> str:
    return f"remote:{signer.username}"


def has_remote_credential(signer: User) -> bool:
    spec = configured_keys().get(remote_key_name(signer))
    return spec is not None and spec.get("kind") == "csc"


def sign_remotely(*, signer: User, document_ids: Sequence[int], otp: str) -> list[Outcome]:
    """Sign the documents with the official's remote-signing credential: one approval for all.

    ``otp`` is the code the official typed (empty when the service asks on their phone); it goes
    to the service in this request only. ``SignerUnavailable`` (no credential, the service refused
    or is unreachable) is raised with a Vietnamese message before anything is signed.
    """
    documents, outcomes = _mine(signer, document_ids)
    if not documents:
        return _in_request_order(document_ids, outcomes)
    if len(otp) > MAX_OTP_LENGTH:
        raise ValidationError(_("Mã xác thực (OTP) không hợp lệ."))
    image = _signature_image(signer)
    key = configured_csc_key(remote_key_name(signer))

    def sign(agency: Agency, items: list[signature_services.BatchItem]) -> list[BatchResult]:
        return official_keys.sign_batch_remotely(
            actor=signer, agency=agency, items=items, key=key, otp=otp, signature_image=image
        )

    try:
        outcomes += _sign_by_agency(signer, documents, sign)
    except SignerUnavailable as refusal:
        raise SignerUnavailable(
            _("Ký số từ xa không thành công, chưa văn bản nào được ký. %(reason)s") % {"reason": refusal}
        ) from refusal
    return _in_request_order(document_ids, outcomes)


# --- the official's USB token through the signing agent ---------------------------------------


def _certificate_der(pem: str) -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    try:
        certificate = x509.load_pem_x509_certificate(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise ValidationError(_("Chứng thư số gửi từ trình ký số không đọc được.")) from exc
    return certificate.public_bytes(serialization.Encoding.DER)


def begin_with_agent(
    *, signer: User, document_ids: Sequence[int], certificate_pem: str
) -> tuple[list[Prepared], list[Outcome]]:
    """Prepare each document for the certificate the official chose in the agent.

    Returns what the browser sends to the agent and the outcomes of documents that cannot be
    signed. The prepared state waits in the cache for this signer only (10 minutes).
    """
    documents, outcomes = _mine(signer, document_ids)
    if not documents:
        return [], _in_request_order(document_ids, outcomes)
    image = _signature_image(signer)
    certificate = _certificate_der(certificate_pem)
    prepared = []
    for document in documents:
        try:
            pending_id, signed_attributes = official_keys.begin_agent_signing(
                actor=signer,
                agency=document.agency,
                pdf=_frozen_pdf(document),
                certificate=certificate,
                signature_image=image,
            )
        except (PdfProblem, PermissionDenied) as problem:
            outcomes.append(Outcome(document.pk, label_of(document), False, str(problem)))
            continue
        except Exception:  # the timestamp server down, a PDF pyHanko cannot read: this document only
            logger.exception("preparing outgoing document %s for the signing agent failed", document.pk)
            outcomes.append(Outcome(document.pk, label_of(document), False, unavailable_message()))
            continue
        digest = base64.b64encode(hashlib.sha256(signed_attributes).digest()).decode("ascii")
        prepared.append(Prepared(document.pk, label_of(document), pending_id, digest))
    return prepared, _in_request_order(document_ids, outcomes)


def finish_with_agent(*, signer: User, document_id: int, pending_id: str, signature_value: bytes) -> Outcome:
    """Embed the value the agent returned for one document and record the signed PDF."""
    documents, refused = _mine(signer, [document_id])
    if refused:
        return refused[0]
    document = documents[0]
    try:
        signed = official_keys.finish_agent_signing(
            actor=signer,
            agency=document.agency,
            pending_id=pending_id,
            signature_value=signature_value,
            source=f"documents:{document.pk}",
        )
    except (PdfProblem, PermissionDenied) as problem:
        return Outcome(document.pk, label_of(document), False, str(problem))
    except Exception:  # e.g. the timestamp server down: reported for this document, the others go on
        logger.exception("finishing the agent's signature of outgoing document %s failed", document.pk)
        return Outcome(document.pk, label_of(document), False, unavailable_message())
    return _record(signer, document, signed)


# --- where the fields go on an uploaded PDF ---------------------------------------------------


def may_place(actor: User, document: OutgoingDocument) -> bool:
    """The drafter or the agency's clerk, on an uploaded draft not yet submitted for signature."""
    from egov.accounts.scope import scope_of

    if document.composed or document.status not in PLACEMENT_STATUSES:
        return False
    return document.drafter_id == actor.pk or scope_of(actor).can("documents.issue", document.agency_id)


def draft_page_sizes(document: OutgoingDocument) -> list[placement.PageSize]:
    draft = latest_draft(document)
    return placement.page_sizes(read_version(draft)) if draft is not None else []


def set_signature_placement(
    *, actor: User, document: OutgoingDocument, spots: list[placement.Spot]
) -> OutgoingDocument:
    """Store where the signature, number and date go on the uploaded draft (audited)."""
    sizes = draft_page_sizes(document)
    with transaction.atomic():
        document = OutgoingDocument.objects.select_for_update().get(pk=document.pk)
        if not may_place(actor, document):
            raise PermissionDenied(_("Chỉ người soạn thảo hoặc văn thư chọn vị trí ký, trước khi trình ký."))
        if not sizes:
            raise ValidationError(_("Văn bản chưa có tệp dự thảo."))
        chosen = placement.placement_from_spots(spots, sizes)
        document.signature_placement = chosen
        document.save(update_fields=["signature_placement"])
        audit.record(
            actor=actor,
            action="documents.outgoing.signature_placement",
            obj=document,
            details={part: f"page {v['page'] + 1}, box {v['box']}" for part, v in chosen.items()},
        )
    return document
