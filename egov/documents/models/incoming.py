"""Incoming documents (văn bản đến), the leader's instruction as assignments, and opinions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from egov.documents.models.types import DocumentType, Register
from egov.documents.rules import (
    INCOMING_STATUS_LABELS,
    SECRECY_LABELS,
    URGENCY_LABELS,
    IncomingStatus,
    Secrecy,
    Urgency,
)
from egov.organizations.models import Agency, Division

URGENCY_CHOICES = [(value.value, label) for value, label in URGENCY_LABELS.items()]
SIGNATURE_STATUS_CHOICES = [
    ("", _("Chưa kiểm tra (bản giấy)")),
    ("valid", _("Chữ ký số hợp lệ")),
    ("invalid", _("Chữ ký số không hợp lệ")),
    ("unsigned", _("Không có chữ ký số")),
]
SECRECY_CHOICES = [(value.value, label) for value, label in SECRECY_LABELS.items()]


class StoredFileFields(models.Model):
    """The stored name and identity of one file checked by ``core.files``."""

    file_name = models.CharField(_("tệp"), max_length=255, blank=True)
    file_sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    file_size = models.PositiveBigIntegerField(_("dung lượng"), null=True, blank=True)

    class Meta:
        abstract = True


class IncomingDocument(StoredFileFields):
    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan nhận"), on_delete=models.PROTECT, related_name="incoming_documents"
    )
    register = models.ForeignKey(
        Register, verbose_name=_("sổ"), on_delete=models.PROTECT, related_name="incoming"
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    incoming_number = models.PositiveIntegerField(_("số đến"))
    received_at = models.DateTimeField(_("ngày đến"))
    issuer_name = models.CharField(_("cơ quan ban hành"), max_length=255)
    issuer_agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan ban hành (trong hệ thống)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    notation = models.CharField(_("số, ký hiệu"), max_length=60)
    issued_on = models.DateField(_("ngày văn bản"), null=True, blank=True)
    document_type = models.ForeignKey(DocumentType, verbose_name=_("loại văn bản"), on_delete=models.PROTECT)
    summary = models.TextField(_("trích yếu"))
    urgency = models.CharField(_("độ khẩn"), max_length=12, choices=URGENCY_CHOICES, default=Urgency.NORMAL)
    secrecy = models.CharField(_("độ mật"), max_length=12, choices=SECRECY_CHOICES, default=Secrecy.NONE)
    pages = models.PositiveIntegerField(_("số trang"), null=True, blank=True)
    deadline = models.DateField(_("hạn xử lý"), null=True, blank=True)
    status = models.CharField(
        _("trạng thái"),
        max_length=12,
        choices=[(s.value, label) for s, label in INCOMING_STATUS_LABELS.items()],
        default=IncomingStatus.REGISTERED,
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lãnh đạo cho ý kiến"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    instruction = models.TextField(_("ý kiến chỉ đạo"), blank=True)
    instructed_at = models.DateTimeField(_("chỉ đạo lúc"), null=True, blank=True)
    completed_at = models.DateTimeField(_("hoàn thành lúc"), null=True, blank=True)
    completion_note = models.TextField(_("kết quả xử lý"), blank=True)
    recalled_at = models.DateTimeField(_("bị thu hồi lúc"), null=True, blank=True)
    recall_reason = models.TextField(_("lý do thu hồi"), blank=True)
    source_outgoing = models.ForeignKey(
        "documents.OutgoingDocument",
        verbose_name=_("văn bản đi gốc"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deliveries",
    )
    text = models.TextField(_("nội dung văn bản (trích từ tệp)"), blank=True)
    search_text = models.TextField(editable=False, blank=True)
    # Electronic documents are validated on arrival (DOMAIN.md §3); paper scans stay "".
    signature_status = models.CharField(
        _("chữ ký số"), max_length=10, choices=SIGNATURE_STATUS_CHOICES, blank=True, default=""
    )
    signature_report = models.JSONField(_("kết quả kiểm tra chữ ký số"), default=dict, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("văn thư vào sổ"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("văn bản đến")
        verbose_name_plural = pgettext_lazy("plural", "văn bản đến")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["register", "year", "incoming_number"],
                name="unique_incoming_number_per_register_year",
            ),
            # Secret documents keep metadata only (DOMAIN.md §2): never a file nor its text.
            models.CheckConstraint(
                condition=Q(secrecy=Secrecy.NONE) | (Q(file_name="") & Q(text="")),
                name="secret_incoming_has_no_content",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "status", "-received_at"]),
            models.Index(fields=["agency", "-received_at"]),
            models.Index(fields=["agency", "issued_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.incoming_number:02d} – {self.notation}"

    @property
    def status_label(self) -> str:
        return str(INCOMING_STATUS_LABELS[IncomingStatus(self.status)])

    @property
    def is_secret(self) -> bool:
        return self.secrecy != Secrecy.NONE


class Assignment(models.Model):
    """One line of a leader's instruction: lead, cooperating or for-information, a person or a unit."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Chủ trì")
        COOPERATE = "cooperate", _("Phối hợp")
        INFORM = "inform", _("Để biết")

    document = models.ForeignKey(IncomingDocument, on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField(_("vai trò"), max_length=10, choices=Role.choices)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người được giao"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="document_assignments",
    )
    division = models.ForeignKey(
        Division,
        verbose_name=_("đơn vị được giao"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="document_assignments",
    )
    deadline = models.DateField(_("hạn xử lý"), null=True, blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(_("giao lúc"))
    is_open = models.BooleanField(_("đang mở"), default=True)
    closed_at = models.DateTimeField(_("đóng lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("phân công xử lý")
        verbose_name_plural = pgettext_lazy("plural", "phân công xử lý")
        ordering = ["document", "role", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(assignee__isnull=False) | Q(division__isnull=False),
                name="assignment_has_a_person_or_a_unit",
            )
        ]
        indexes = [
            models.Index(fields=["assignee", "is_open"]),
            models.Index(fields=["division", "is_open"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.assignee or self.division}"


class Opinion(StoredFileFields):
    """A processing note (ý kiến xử lý) with an optional attachment."""

    document = models.ForeignKey(IncomingDocument, on_delete=models.CASCADE, related_name="opinions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("ý kiến"))
    created_at = models.DateTimeField(_("lúc"))

    class Meta:
        verbose_name = _("ý kiến xử lý")
        verbose_name_plural = pgettext_lazy("plural", "ý kiến xử lý")
        ordering = ["document", "created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class Reminder(models.Model):
    """A deadline reminder sent once per (assignment, kind, deadline): a rerun sends nothing new."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Sắp đến hạn")
        LATE = "late", _("Quá hạn")

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    deadline = models.DateField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "kind", "deadline"], name="unique_document_reminder"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.kind} {self.deadline}"
