"""The end of a dossier: its result (kết quả giải quyết), its return, the applicant's rating."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from egov.dossiers.models.dossier import Dossier


class DeliveryMethod(models.TextChoices):
    DESK = "desk", _("Trả trực tiếp tại bộ phận một cửa")
    ONLINE = "online", _("Trả trực tuyến")
    POST = "post", _("Trả qua bưu chính")


class DossierResult(models.Model):
    """The result file and who took it.

    A dossier processed electronically has its result issued as an outgoing document of the agency
    (``result_document``): the file is then that document's issued, digitally signed PDF. A paper
    result scanned at the end has no document.
    """

    dossier = models.OneToOneField(
        Dossier, verbose_name=_("hồ sơ"), on_delete=models.CASCADE, related_name="result"
    )
    file_name = models.CharField(_("tệp kết quả"), max_length=255)
    file_size = models.PositiveBigIntegerField(_("dung lượng"))
    file_sha256 = models.CharField(_("SHA-256"), max_length=64)
    file_content_type = models.CharField(_("kiểu tệp"), max_length=100)
    issued_at = models.DateTimeField(_("ban hành lúc"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người phê duyệt"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    result_document = models.ForeignKey(
        "documents.OutgoingDocument",
        verbose_name=_("văn bản kết quả"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    delivery = models.CharField(_("hình thức trả"), max_length=10, choices=DeliveryMethod.choices, blank=True)
    returned_to = models.CharField(_("người nhận kết quả"), max_length=255, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ trả kết quả"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("kết quả giải quyết")
        verbose_name_plural = pgettext_lazy("plural", "kết quả giải quyết")
        constraints = [
            models.CheckConstraint(
                condition=Q(delivery="") | Q(delivery__in=DeliveryMethod.values), name="result_delivery_known"
            ),
        ]

    def __str__(self) -> str:
        return self.file_name


class Rating(models.Model):
    """The applicant's satisfaction after the result was returned: one per dossier."""

    dossier = models.OneToOneField(
        Dossier, verbose_name=_("hồ sơ"), on_delete=models.CASCADE, related_name="rating"
    )
    score = models.PositiveSmallIntegerField(_("mức độ hài lòng"), help_text=_("1 (rất không hài lòng) – 5."))
    comment = models.TextField(_("ý kiến"), blank=True)
    rated_at = models.DateTimeField(_("đánh giá lúc"))

    class Meta:
        verbose_name = _("đánh giá mức độ hài lòng")
        verbose_name_plural = pgettext_lazy("plural", "đánh giá mức độ hài lòng")
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="rating_score_range"),
        ]
        indexes = [models.Index(fields=["rated_at"], name="rating_by_time")]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.score}"
