"""Outgoing documents (văn bản đi): drafts with versions, reviews, signature, numbering, recipients;
delegations of signing (ủy quyền, giao ký thay) with validity periods."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from egov.documents.models.incoming import SECRECY_CHOICES, URGENCY_CHOICES, StoredFileFields
from egov.documents.models.types import DocumentType, Register
from egov.documents.rules import OUTGOING_STATUS_LABELS, OutgoingStatus, Secrecy, Urgency
from egov.organizations.models import Agency, Division


class OutgoingDocument(models.Model):
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan ban hành"),
        on_delete=models.PROTECT,
        related_name="outgoing_documents",
    )
    division = models.ForeignKey(
        Division,
        verbose_name=_("đơn vị soạn thảo"),
        on_delete=models.PROTECT,
        related_name="outgoing_documents",
    )
    drafter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người soạn thảo"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    document_type = models.ForeignKey(DocumentType, verbose_name=_("loại văn bản"), on_delete=models.PROTECT)
    summary = models.TextField(_("trích yếu"))
    in_reply_to = models.ForeignKey(
        "documents.IncomingDocument",
        verbose_name=_("trả lời văn bản đến"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replies",
    )
    composed = models.JSONField(_("nội dung soạn theo mẫu"), default=dict, blank=True)
    urgency = models.CharField(_("độ khẩn"), max_length=12, choices=URGENCY_CHOICES, default=Urgency.NORMAL)
    secrecy = models.CharField(_("độ mật"), max_length=12, choices=SECRECY_CHOICES, default=Secrecy.NONE)
    status = models.CharField(
        _("trạng thái"),
        max_length=20,
        choices=[(s.value, label) for s, label in OUTGOING_STATUS_LABELS.items()],
        default=OutgoingStatus.DRAFT,
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ký"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    capacity = models.CharField(_("thẩm quyền ký"), max_length=6, blank=True)
    signed_at = models.DateTimeField(_("ký lúc"), null=True, blank=True)
    register = models.ForeignKey(
        Register,
        verbose_name=_("sổ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outgoing",
    )
    year = models.PositiveSmallIntegerField(_("năm"), null=True, blank=True)
    number = models.PositiveIntegerField(_("số"), null=True, blank=True)
    notation = models.CharField(_("số, ký hiệu"), max_length=60, blank=True)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    issued_at = models.DateTimeField(_("phát hành lúc"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("tạo lúc"))
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("thay thế văn bản"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
        help_text=_("Văn bản sai nội dung được thay thế (thu hồi khi văn bản này phát hành)."),
    )
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("đính chính văn bản"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrected_by",
        help_text=_("Văn bản đã phát hành có sai sót về thể thức, kỹ thuật trình bày được đính chính."),
    )
    recalled_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    recall_reason = models.TextField(_("lý do thu hồi"), blank=True)
    # Signing (DOMAIN.md §3): the verification token is fixed when the draft is frozen for signature.
    issued_file = models.OneToOneField(
        "signatures.IssuedFile",
        verbose_name=_("mã xác thực"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signature_placement = models.JSONField(
        _("vị trí chữ ký"),
        default=dict,
        blank=True,
        help_text=_("Trang và khung chữ ký người ký trên tệp tải lên (chọn trên ảnh xem trước)."),
    )
    # What this document answers outside the documents app, e.g. "dossiers:H12.34-261130-0001"
    # for a one-stop dossier's result; the owning app reacts to ``signals.outgoing_issued``.
    origin = models.CharField(_("nguồn"), max_length=100, blank=True, db_index=True)
    text = models.TextField(_("nội dung văn bản (trích từ tệp)"), blank=True)
    search_text = models.TextField(editable=False, blank=True)

    class Meta:
        verbose_name = _("văn bản đi")
        verbose_name_plural = pgettext_lazy("plural", "văn bản đi")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["register", "year", "number"], name="unique_outgoing_number_per_register_year"
            ),
            models.CheckConstraint(
                condition=Q(status=OutgoingStatus.ISSUED, number__isnull=False, issued_on__isnull=False)
                | ~Q(status=OutgoingStatus.ISSUED),
                name="issued_document_has_number_and_date",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "status", "-created_at"]),
            models.Index(fields=["signer", "status"]),
            models.Index(fields=["drafter", "status"]),
        ]

    def __str__(self) -> str:
        return self.notation or self.summary[:60]

    @property
    def status_label(self) -> str:
        return str(OUTGOING_STATUS_LABELS[OutgoingStatus(self.status)])

    @property
    def is_secret(self) -> bool:
        return self.secrecy != Secrecy.NONE


class OutgoingVersion(StoredFileFields):
    """One PDF of a draft, kept: every upload or composition, and the signed PDF."""

    class Kind(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        FROZEN = "frozen", _("Bản trình ký")  # QR, empty number/date and signature fields
        SIGNED = "signed", _("Bản đã ký")
        ISSUED = "issued", _("Bản phát hành")  # numbered, dated and sealed

    document = models.ForeignKey(OutgoingDocument, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("phiên bản"))
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("lúc"))
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("phiên bản dự thảo")
        verbose_name_plural = pgettext_lazy("plural", "phiên bản dự thảo")
        ordering = ["document", "number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="unique_outgoing_version")]

    def __str__(self) -> str:
        return f"v{self.number}"


class ReviewComment(models.Model):
    """A reviewer's comment: the division head on the content, the clerk on the form, the signer."""

    document = models.ForeignKey(OutgoingDocument, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(max_length=20)
    text = models.TextField(_("góp ý"))
    sent_back = models.BooleanField(_("trả lại"), default=False)
    created_at = models.DateTimeField(_("lúc"))

    class Meta:
        ordering = ["document", "created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class Recipient(models.Model):
    """A recipient (nơi nhận): an agency in this instance (gets an incoming document at issue) or an
    outside one (listed for the exchange or paper)."""

    document = models.ForeignKey(OutgoingDocument, on_delete=models.CASCADE, related_name="recipients")
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("nơi nhận"), max_length=255)
    delivered = models.ForeignKey(
        "documents.IncomingDocument", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["document", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "agency"],
                condition=Q(agency__isnull=False),
                name="unique_internal_recipient",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Delegation(models.Model):
    """The head's delegation of signing to an official: TL. (thừa lệnh) or TUQ. (thừa ủy quyền),
    valid from a day to a day (inclusive)."""

    class Kind(models.TextChoices):
        BY_ORDER = "TL.", _("Thừa lệnh (TL.)")
        BY_AUTHORISATION = "TUQ.", _("Thừa ủy quyền (TUQ.)")

    agency = models.ForeignKey(Agency, verbose_name=_("cơ quan"), on_delete=models.CASCADE, related_name="+")
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người được giao ký"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("hình thức"), max_length=5, choices=Kind.choices)
    valid_from = models.DateField(_("từ ngày"))
    valid_until = models.DateField(_("đến ngày"), null=True, blank=True)
    reason = models.CharField(_("căn cứ"), max_length=255)

    class Meta:
        verbose_name = _("ủy quyền, giao ký thay")
        verbose_name_plural = pgettext_lazy("plural", "ủy quyền, giao ký thay")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="delegation_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.delegate}"
