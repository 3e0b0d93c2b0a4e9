"""Trust anchors an administrator configures, and issued files the public can verify."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from egov.organizations.models import Agency

TOKEN_BYTES = 12  # 16 URL-safe characters: short enough for a QR code, not guessable


def new_verification_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


class TrustedCertificate(models.Model):
    """A CA certificate egov trusts (root) or uses to build chains (intermediate)."""

    class Kind(models.TextChoices):
        ROOT = "root", _("Chứng thư gốc (tin cậy)")
        INTERMEDIATE = "intermediate", _("Chứng thư trung gian")

    kind = models.CharField(_("loại"), max_length=16, choices=Kind.choices)
    subject = models.CharField(_("chủ thể"), max_length=500)
    issuer = models.CharField(_("tổ chức cấp"), max_length=500)
    serial = models.CharField(_("số hiệu"), max_length=100)
    sha256 = models.CharField(_("dấu vân tay SHA-256"), max_length=64, unique=True)
    der = models.BinaryField(_("chứng thư (DER)"))
    not_before = models.DateTimeField(_("hiệu lực từ"))
    not_after = models.DateTimeField(_("hiệu lực đến"))
    is_active = models.BooleanField(_("đang dùng"), default=True)
    note = models.CharField(_("ghi chú"), max_length=200, blank=True)
    added_at = models.DateTimeField(_("thêm lúc"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("chứng thư tin cậy")
        verbose_name_plural = _("chứng thư tin cậy")
        ordering = ["kind", "subject"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"


class IssuedFile(models.Model):
    """A document egov issued, found by the token printed in its QR code.

    The token exists from the moment the draft is frozen (it is on the page before the first
    signature); the final file's hash is recorded when the issuing app registers the issued file.
    """

    token = models.CharField(_("mã xác thực"), max_length=32, unique=True, default=new_verification_token)
    title = models.CharField(_("trích yếu"), max_length=500, blank=True)
    number_notation = models.CharField(_("số, ký hiệu"), max_length=100, blank=True)
    issuer_name = models.CharField(_("cơ quan ban hành"), max_length=300, blank=True)
    sha256 = models.CharField(_("SHA-256 của tệp ban hành"), max_length=64, blank=True, db_index=True)
    size = models.PositiveBigIntegerField(_("dung lượng"), null=True, blank=True)
    stored_name = models.CharField(_("tệp lưu trữ"), max_length=300, blank=True)
    report = models.JSONField(_("kết quả kiểm tra chữ ký"), default=dict, blank=True)
    source = models.CharField(_("nguồn"), max_length=100, blank=True)  # e.g. "documents:42"
    created_at = models.DateTimeField(_("tạo lúc"))
    issued_at = models.DateTimeField(_("ban hành lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("tệp đã ban hành")
        verbose_name_plural = _("tệp đã ban hành")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(issued_at__isnull=True) | ~models.Q(sha256=""),
                name="signatures_issued_file_has_hash",
            )
        ]

    def __str__(self) -> str:
        return self.number_notation or self.token


class SignatureImage(models.Model):
    """The competent person's handwritten signature (blue, transparent PNG) for the signer's stamp
    (DOMAIN.md §3: image only, between the capacity/title lines and the name)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("người ký"), on_delete=models.CASCADE, related_name="+"
    )
    png = models.BinaryField(_("ảnh chữ ký (PNG)"))
    updated_at = models.DateTimeField(_("cập nhật lúc"))

    class Meta:
        verbose_name = _("ảnh chữ ký")
        verbose_name_plural = _("ảnh chữ ký")

    def __str__(self) -> str:
        return str(self.user)


class AgencySeal(models.Model):
    """An agency's seal image (red, actual size, transparent PNG) and the name of its key in the HSM
    (an ``EGOV_SIGNING_KEYS`` entry: a reference, never a PIN)."""

    agency = models.OneToOneField(
        Agency, verbose_name=_("cơ quan"), on_delete=models.CASCADE, related_name="+"
    )
    png = models.BinaryField(_("ảnh con dấu (PNG)"))
    key_name = models.CharField(_("tên khóa ký số của cơ quan"), max_length=100)
    updated_at = models.DateTimeField(_("cập nhật lúc"))

    class Meta:
        verbose_name = _("con dấu số của cơ quan")
        verbose_name_plural = _("con dấu số của cơ quan")

    def __str__(self) -> str:
        return str(self.agency)
