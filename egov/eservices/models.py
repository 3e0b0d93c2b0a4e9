"""Application drafts, their uploads, and the citizen's documents wallet.

An application being filled in online is an ``ApplicationDraft``: no dossier code, no status
(DOMAIN.md §1). It is saved at every step and becomes a dossier only through
``dossiers.services.submit_online``; ``dossier`` then points at it, which is also what makes a
repeated submission return the same dossier.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from egov.core import clock
from egov.core.files import human_size


class ApplicationDraft(models.Model):
    public_id = models.UUIDField(_("mã hồ sơ nháp"), default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nộp"),
        on_delete=models.CASCADE,
        related_name="application_drafts",
        db_index=False,  # led by the composite index in Meta
    )
    procedure = models.ForeignKey(
        "procedures.Procedure", verbose_name=_("thủ tục"), on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        "organizations.Agency",
        verbose_name=_("cơ quan giải quyết"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    form_schema = models.ForeignKey(
        "procedures.FormSchema",
        verbose_name=_("mẫu tờ khai"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # What the applicant typed, as typed until the page passes its checks (never lost by an error).
    answers: models.JSONField[dict[str, Any], dict[str, Any]] = models.JSONField(
        _("nội dung đã khai"), default=dict, blank=True
    )
    completed_steps: models.JSONField[list[str], list[str]] = models.JSONField(
        _("các bước đã xong"), default=list, blank=True
    )
    # Whom the application is for: blank = the account holder; else an organisation the account
    # holder is authorised to act for (accounts.OrganisationAuthorisation), re-checked at submission.
    organisation_tax_code = models.CharField(_("nộp cho tổ chức (mã số thuế)"), max_length=14, blank=True)
    organisation_name = models.CharField(_("nộp cho tổ chức (tên)"), max_length=255, blank=True)
    last_step = models.CharField(_("bước gần nhất"), max_length=30, blank=True)
    declared_at = models.DateTimeField(_("cam kết lúc"), null=True, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=clock.now)
    updated_at = models.DateTimeField(_("cập nhật lúc"), default=clock.now)
    dossier = models.OneToOneField(
        "dossiers.Dossier",
        verbose_name=_("hồ sơ đã nộp"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="online_draft",
    )

    class Meta:
        verbose_name = _("hồ sơ đang soạn")
        verbose_name_plural = pgettext_lazy("plural", "hồ sơ đang soạn")
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["user", "updated_at"], name="draft_by_user")]

    def __str__(self) -> str:
        return f"{self.procedure_id}: {self.public_id}"

    @property
    def is_submitted(self) -> bool:
        return self.dossier_id is not None

    @property
    def for_organisation(self) -> bool:
        return bool(self.organisation_tax_code)


class DraftFile(models.Model):
    """An upload of a draft, against one required document (or an extra paper, without one)."""

    draft = models.ForeignKey(
        ApplicationDraft, verbose_name=_("hồ sơ đang soạn"), on_delete=models.CASCADE, related_name="files"
    )
    required_document = models.ForeignKey(
        "procedures.RequiredDocument",
        verbose_name=_("thành phần hồ sơ"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    label = models.CharField(_("tên giấy tờ"), max_length=500)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    stored_name = models.CharField(_("tệp lưu"), max_length=255)
    size = models.PositiveBigIntegerField(_("dung lượng"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    kind = models.CharField(_("loại tệp"), max_length=10)
    content_type = models.CharField(_("kiểu tệp"), max_length=100)
    reused_from = models.ForeignKey(
        "WalletItem",
        verbose_name=_("dùng lại từ kho dữ liệu"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="draft_files",
    )
    uploaded_at = models.DateTimeField(_("tải lên lúc"), default=clock.now)

    class Meta:
        verbose_name = _("tệp của hồ sơ đang soạn")
        verbose_name_plural = pgettext_lazy("plural", "tệp của hồ sơ đang soạn")
        ordering = ["draft", "uploaded_at", "pk"]
        constraints = [
            # One file per required document: a new upload replaces the previous one.
            models.UniqueConstraint(
                fields=["draft", "required_document"],
                condition=Q(required_document__isnull=False),
                name="one_file_per_required_document",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def size_text(self) -> str:
        return human_size(self.size)


class WalletItem(models.Model):
    """A file in the citizen's documents wallet (kho dữ liệu điện tử của cá nhân).

    Filled from what the citizen submitted online and from results delivered to them online; a
    new application reuses an item with one click (once-only principle).
    """

    class Source(models.TextChoices):
        SUBMITTED = "submitted", _("Đã nộp trong hồ sơ")
        RESULT = "result", _("Kết quả giải quyết")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chủ sở hữu"),
        on_delete=models.CASCADE,
        related_name="wallet_items",
        db_index=False,  # led by the unique constraint
    )
    label = models.CharField(_("tên giấy tờ"), max_length=500)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    stored_name = models.CharField(_("tệp lưu"), max_length=255)
    size = models.PositiveBigIntegerField(_("dung lượng"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    kind = models.CharField(_("loại tệp"), max_length=10)
    content_type = models.CharField(_("kiểu tệp"), max_length=100)
    source = models.CharField(_("nguồn"), max_length=20, choices=Source.choices)
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("từ hồ sơ"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    added_at = models.DateTimeField(_("thêm lúc"), default=clock.now)

    class Meta:
        verbose_name = _("giấy tờ trong kho dữ liệu")
        verbose_name_plural = pgettext_lazy("plural", "giấy tờ trong kho dữ liệu")
        ordering = ["user", "-added_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "sha256"], name="wallet_item_once"),
            models.CheckConstraint(
                condition=Q(source__in=["submitted", "result"]), name="wallet_item_source_known"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def size_text(self) -> str:
        return human_size(self.size)


class WalletReuse(models.Model):
    """A wallet item reused in a submitted dossier: what the digitisation statistics count (4.3)."""

    item = models.ForeignKey(
        WalletItem, verbose_name=_("giấy tờ"), on_delete=models.PROTECT, related_name="reuses"
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier", verbose_name=_("hồ sơ"), on_delete=models.CASCADE, related_name="+"
    )
    required_document = models.ForeignKey(
        "procedures.RequiredDocument",
        verbose_name=_("thành phần hồ sơ"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reused_at = models.DateTimeField(_("dùng lại lúc"))

    class Meta:
        verbose_name = _("lần dùng lại giấy tờ")
        verbose_name_plural = pgettext_lazy("plural", "lần dùng lại giấy tờ")
        constraints = [models.UniqueConstraint(fields=["item", "dossier"], name="wallet_reuse_once")]
        indexes = [models.Index(fields=["reused_at"], name="wallet_reuse_by_time")]

    def __str__(self) -> str:
        return f"{self.item_id} → {self.dossier_id}"


class PostalDeliveryRequest(models.Model):
    """The applicant asks for the result by post instead of downloading it (address recorded).

    The desk then sends it and records the return with delivery "post" (``return_result``); the
    desk's screens read it as ``dossier.postal_request``.
    """

    dossier = models.OneToOneField(
        "dossiers.Dossier", verbose_name=_("hồ sơ"), on_delete=models.CASCADE, related_name="postal_request"
    )
    recipient = models.CharField(_("người nhận"), max_length=255)
    address = models.CharField(_("địa chỉ nhận"), max_length=500)
    phone = models.CharField(_("số điện thoại"), max_length=15)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người đề nghị"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("đề nghị lúc"))

    class Meta:
        verbose_name = _("đề nghị trả kết quả qua bưu chính")
        verbose_name_plural = pgettext_lazy("plural", "đề nghị trả kết quả qua bưu chính")

    def __str__(self) -> str:
        return self.address
