"""What happened to a dossier: status changes, hand-overs (form 06 rows) and their attachments,
apology letters (form 04).

These rows are history: written by the services, never edited afterwards (the admin shows them
read-only), and the public timeline is built from them.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from egov.core.files import human_size
from egov.dossiers.models.dossier import Dossier
from egov.dossiers.rules import STATUS_LABELS, Form

_STATUS_CHOICES = [(s.value, label) for s, label in STATUS_LABELS.items()]


class StatusChange(models.Model):
    dossier = models.ForeignKey(
        Dossier,
        verbose_name=_("hồ sơ"),
        on_delete=models.CASCADE,
        related_name="status_changes",
        db_index=False,
    )
    source = models.PositiveSmallIntegerField(
        _("từ trạng thái"), choices=_STATUS_CHOICES, null=True, blank=True
    )
    target = models.PositiveSmallIntegerField(_("sang trạng thái"), choices=_STATUS_CHOICES)
    at = models.DateTimeField(_("lúc"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("ghi chú, lý do"), blank=True)
    form = models.CharField(
        _("biểu mẫu"), max_length=2, blank=True, choices=[(f.value, f.value) for f in Form]
    )
    details: models.JSONField[dict[str, Any], dict[str, Any]] = models.JSONField(
        _("chi tiết"), default=dict, blank=True
    )

    class Meta:
        verbose_name = _("thay đổi trạng thái")
        verbose_name_plural = pgettext_lazy("plural", "thay đổi trạng thái")
        ordering = ["dossier", "at", "id"]
        indexes = [models.Index(fields=["dossier", "at"], name="status_change_by_dossier")]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.source} → {self.target}"


class Handover(models.Model):
    """A row of the control slip: who handed the dossier to whom, and the step's own deadline.

    Early / on time / late is derived from ``completed_at`` against ``step_due_at``
    (``rules.timeliness``), never stored.
    """

    dossier = models.ForeignKey(
        Dossier, verbose_name=_("hồ sơ"), on_delete=models.CASCADE, related_name="handovers", db_index=False
    )
    step = models.ForeignKey(
        "procedures.ProcessStep",
        verbose_name=_("bước"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    step_name = models.CharField(_("nội dung công việc"), max_length=255, blank=True)
    from_agency = models.ForeignKey(
        "organizations.Agency", verbose_name=_("từ cơ quan"), on_delete=models.PROTECT, related_name="+"
    )
    from_division = models.ForeignKey(
        "organizations.Division",
        verbose_name=_("từ đơn vị"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người giao"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_agency = models.ForeignKey(
        "organizations.Agency", verbose_name=_("đến cơ quan"), on_delete=models.PROTECT, related_name="+"
    )
    to_division = models.ForeignKey(
        "organizations.Division",
        verbose_name=_("đến đơn vị"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nhận"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handed_at = models.DateTimeField(_("giao lúc"))
    received_at = models.DateTimeField(_("nhận lúc"), null=True, blank=True)
    step_due_at = models.DateTimeField(_("hạn của bước"), null=True, blank=True)
    completed_at = models.DateTimeField(_("hoàn thành lúc"), null=True, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("bàn giao hồ sơ")
        verbose_name_plural = pgettext_lazy("plural", "bàn giao hồ sơ")
        ordering = ["dossier", "handed_at", "id"]
        constraints = [
            # One open row at a time: the step the dossier is at now.
            models.UniqueConstraint(
                fields=["dossier"], condition=Q(completed_at__isnull=True), name="one_open_handover"
            ),
        ]
        indexes = [
            models.Index(fields=["dossier", "handed_at"], name="handover_by_dossier"),
            models.Index(
                fields=["to_agency", "step_due_at"],
                condition=Q(completed_at__isnull=True),
                name="open_step_by_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.step_name}"


class HandoverAttachment(models.Model):
    """A file handed over with a step (a draft, an opinion, a site photo), checked by its content.

    The bytes live in the default storage under ``handovers/``; the row keeps what identifies them
    (SHA-256) and what the download needs (the storage's name, the user's name, the content type).
    """

    handover = models.ForeignKey(
        Handover, verbose_name=_("lần bàn giao"), on_delete=models.CASCADE, related_name="attachments"
    )
    file_name = models.CharField(_("tệp lưu trữ"), max_length=255)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    file_size = models.PositiveBigIntegerField(_("dung lượng"))
    file_sha256 = models.CharField(_("SHA-256"), max_length=64)
    file_content_type = models.CharField(_("kiểu tệp"), max_length=100)
    uploaded_at = models.DateTimeField(_("tải lên lúc"))

    class Meta:
        verbose_name = _("tệp đính kèm khi bàn giao")
        verbose_name_plural = pgettext_lazy("plural", "tệp đính kèm khi bàn giao")
        ordering = ["handover", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def size_text(self) -> str:
        return human_size(self.file_size)


class Apology(models.Model):
    """An apology letter (form 04): a promised date for the applicant; the legal due date stays."""

    dossier = models.ForeignKey(
        Dossier, verbose_name=_("hồ sơ"), on_delete=models.CASCADE, related_name="apologies", db_index=False
    )
    promised_at = models.DateTimeField(_("hẹn lại ngày trả kết quả"))
    reason = models.TextField(_("lý do"))
    issued_at = models.DateTimeField(_("ban hành lúc"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ban hành"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("văn bản xin lỗi")
        verbose_name_plural = pgettext_lazy("plural", "văn bản xin lỗi")
        ordering = ["dossier", "issued_at"]
        indexes = [models.Index(fields=["dossier", "issued_at"], name="apology_by_dossier")]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.promised_at:%d/%m/%Y}"
