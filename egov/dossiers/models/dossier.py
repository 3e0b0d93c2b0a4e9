"""The dossier (hồ sơ) and what was received with it.

Times of the legal clock (DOMAIN.md §1): ``received_at`` is acceptance, when the clock starts;
``due_at`` is the legal appointment, stored when computed and moved only by paused working time
(``paused_working_seconds`` sums what was added); ``paused_since`` is set while the clock is
paused (supplement during processing, financial obligation, stop). Lateness is never stored:
``selectors.is_late`` and ``selectors.on_time_result`` derive it.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from egov.dossiers.models.applicant import Applicant
from egov.dossiers.rules import OPEN, STATUS_LABELS, Status
from egov.procedures.models import DocumentForm

# Statuses in which the clock has started (5 may occur before or after acceptance: not listed).
_STARTED = [s.value for s in (Status.ACCEPTED, Status.IN_PROGRESS, Status.OBLIGATION_REQUESTED,
                              Status.STOPPED, Status.FINISHED, Status.RETURNED)]  # fmt: skip
_PAUSED = [Status.OBLIGATION_REQUESTED.value, Status.STOPPED.value]
OPEN_VALUES = sorted(s.value for s in OPEN)


def new_tracking_token() -> str:
    """The random token in the receipt's QR code: opens the tracking page without a second factor."""
    return secrets.token_urlsafe(24)


class Channel(models.IntegerChoices):
    """How the dossier arrived (the national portal's channel codes)."""

    DESK = 1, _("Trực tiếp")
    ONLINE = 2, _("Trực tuyến")
    POST = 3, _("Qua bưu chính")


class Dossier(models.Model):
    code = models.CharField(_("mã hồ sơ"), max_length=50, unique=True, editable=False)
    procedure = models.ForeignKey(
        "procedures.Procedure",
        verbose_name=_("thủ tục"),
        on_delete=models.PROTECT,
        related_name="dossiers",
        db_index=False,  # led by a composite index in Meta
    )
    agency = models.ForeignKey(
        "organizations.Agency",
        verbose_name=_("cơ quan giải quyết"),
        on_delete=models.PROTECT,
        related_name="dossiers",
        db_index=False,  # led by a composite index in Meta
    )
    receiving_agency = models.ForeignKey(
        "organizations.Agency",
        verbose_name=_("nơi tiếp nhận"),
        on_delete=models.PROTECT,
        related_name="received_dossiers",
        help_text=_("Trung tâm Phục vụ hành chính công có thể tiếp nhận thay cơ quan giải quyết."),
        db_index=False,  # led by a composite index in Meta
    )
    receiving_division = models.ForeignKey(
        "organizations.Division",
        verbose_name=_("bộ phận tiếp nhận"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="received_dossiers",
    )
    applicant = models.ForeignKey(
        Applicant, verbose_name=_("người nộp"), on_delete=models.PROTECT, related_name="dossiers"
    )
    channel = models.PositiveSmallIntegerField(_("hình thức nộp"), choices=Channel.choices)
    status = models.PositiveSmallIntegerField(
        _("trạng thái"), choices=[(s.value, label) for s, label in STATUS_LABELS.items()]
    )
    form_schema = models.ForeignKey(
        "procedures.FormSchema",
        verbose_name=_("mẫu tờ khai"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    answers: models.JSONField[dict[str, Any], dict[str, Any]] = models.JSONField(
        _("nội dung tờ khai"), default=dict, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ghi nhận"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recorded_dossiers",
    )
    submitted_at = models.DateTimeField(_("nộp lúc"))
    received_at = models.DateTimeField(_("tiếp nhận lúc"), null=True, blank=True)
    due_at = models.DateTimeField(_("hẹn trả kết quả"), null=True, blank=True)
    paused_since = models.DateTimeField(_("tạm dừng tính thời gian từ"), null=True, blank=True)
    paused_working_seconds = models.PositiveBigIntegerField(
        _("thời gian tạm dừng (giây làm việc)"), default=0
    )
    finished_at = models.DateTimeField(_("giải quyết xong lúc"), null=True, blank=True)
    returned_at = models.DateTimeField(_("trả kết quả lúc"), null=True, blank=True)
    closed_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)
    supplement_count = models.PositiveSmallIntegerField(_("số lần yêu cầu bổ sung"), default=0)
    tracking_token = models.CharField(
        _("mã tra cứu QR"), max_length=64, unique=True, default=new_tracking_token, editable=False
    )
    # Where the work is now: the inbox of an agency (another one for an inter-agency step),
    # optionally narrowed to a division and a person.
    current_step = models.ForeignKey(
        "procedures.ProcessStep",
        verbose_name=_("bước hiện tại"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    current_agency = models.ForeignKey(
        "organizations.Agency",
        verbose_name=_("cơ quan đang xử lý"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers_in_inbox",
        db_index=False,  # led by a composite index in Meta
    )
    current_division = models.ForeignKey(
        "organizations.Division",
        verbose_name=_("phòng đang xử lý"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers_in_inbox",
        db_index=False,  # led by a composite index in Meta
    )
    current_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ đang xử lý"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_dossiers",
        db_index=False,  # led by a composite index in Meta
    )

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = pgettext_lazy("plural", "hồ sơ")
        ordering = ["-submitted_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in Status]),
                name="dossier_status_known",
                violation_error_message=_("Trạng thái hồ sơ không hợp lệ."),
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values),
                name="dossier_channel_known",
                violation_error_message=_("Hình thức nộp không hợp lệ."),
            ),
            models.CheckConstraint(
                condition=~Q(status__in=_STARTED) | Q(received_at__isnull=False, due_at__isnull=False),
                name="dossier_started_has_due_date",
                violation_error_message=_("Hồ sơ đã tiếp nhận phải có thời điểm tiếp nhận và ngày hẹn trả."),
            ),
            models.CheckConstraint(
                condition=~Q(status__in=_PAUSED) | Q(paused_since__isnull=False),
                name="dossier_paused_has_start",
                violation_error_message=_("Hồ sơ đang tạm dừng phải có thời điểm bắt đầu tạm dừng."),
            ),
            models.CheckConstraint(
                condition=Q(due_at__isnull=True) | Q(received_at__isnull=False),
                name="dossier_due_after_reception",
                violation_error_message=_("Chỉ hồ sơ đã tiếp nhận mới có ngày hẹn trả."),
            ),
        ]
        indexes = [
            # The officials' tabs: open work of an agency by due date (late, due today, at risk).
            models.Index(
                fields=["agency", "due_at"], condition=Q(status__in=OPEN_VALUES), name="open_by_due"
            ),
            # The officers' lists OR three ways in (competent, receiving desk, current inbox): each
            # branch needs an index limited to open dossiers, or PostgreSQL reads an agency's history.
            models.Index(
                fields=["receiving_agency", "due_at"],
                condition=Q(status__in=OPEN_VALUES),
                name="open_by_receiving_due",
            ),
            models.Index(
                fields=["current_agency", "due_at"],
                condition=Q(status__in=OPEN_VALUES),
                name="open_by_inbox_due",
            ),
            models.Index(fields=["agency", "status", "submitted_at"], name="dossier_agency_status"),
            # The "all" tab, newest first, read branch by branch (workspace.selectors.TabRows)
            # with ``dossier_register`` for the receiving desk.
            models.Index(fields=["agency", "submitted_at"], name="dossier_agency_received"),
            models.Index(fields=["current_agency", "submitted_at"], name="dossier_inbox_received"),
            models.Index(fields=["receiving_agency", "submitted_at"], name="dossier_register"),
            models.Index(fields=["current_agency", "status"], name="dossier_inbox_agency"),
            models.Index(fields=["current_division", "status"], name="dossier_inbox_division"),
            models.Index(fields=["current_assignee", "status"], name="dossier_inbox_person"),
            models.Index(fields=["procedure", "status"], name="dossier_procedure_status"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def status_enum(self) -> Status:
        return Status(self.status)

    @property
    def is_accepted(self) -> bool:
        """Whether the legal clock has started (tells the two uses of status 5 apart)."""
        return self.received_at is not None


class DossierDocument(models.Model):
    """One document of the dossier as received, against the procedure's required document."""

    dossier = models.ForeignKey(
        Dossier, verbose_name=_("hồ sơ"), on_delete=models.CASCADE, related_name="documents"
    )
    required_document = models.ForeignKey(
        "procedures.RequiredDocument",
        verbose_name=_("thành phần hồ sơ"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    form = models.CharField(_("hình thức"), max_length=20, choices=DocumentForm.choices)
    count = models.PositiveSmallIntegerField(_("số lượng"), default=1)
    is_required = models.BooleanField(_("bắt buộc"), default=True)
    received = models.BooleanField(_("đã nhận"), default=False)
    # Metadata of the scan stored by core.files (empty when only paper was received).
    file_name = models.CharField(_("tệp"), max_length=255, blank=True)
    file_size = models.PositiveBigIntegerField(_("dung lượng"), null=True, blank=True)
    file_sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    file_content_type = models.CharField(_("kiểu tệp"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("giấy tờ trong hồ sơ")
        verbose_name_plural = pgettext_lazy("plural", "giấy tờ trong hồ sơ")
        ordering = ["dossier", "order"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "order"], name="unique_dossier_document_order"),
            models.CheckConstraint(condition=Q(count__gte=1), name="dossier_document_count_positive"),
        ]

    def __str__(self) -> str:
        return self.name
