"""Document types (Decree 30/2020, 29 types and 3 copy forms) and registers (sổ đăng ký)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from egov.organizations.models import Agency


class DocumentType(models.Model):
    """A type of administrative document with its abbreviation; data, loaded by a migration."""

    class Kind(models.TextChoices):
        DOCUMENT = "document", _("Văn bản hành chính")
        COPY = "copy", _("Hình thức bản sao")

    code = models.SlugField(_("mã"), max_length=30, unique=True)
    name = models.CharField(_("tên loại văn bản"), max_length=100)
    abbreviation = models.CharField(
        _("chữ viết tắt"), max_length=10, blank=True, help_text=_("Để trống với công văn và thư công.")
    )
    kind = models.CharField(_("nhóm"), max_length=10, choices=Kind.choices, default=Kind.DOCUMENT)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    is_composable = models.BooleanField(
        _("soạn được bằng biểu mẫu"), default=False, help_text=_("Công văn, thông báo, giấy mời, kế hoạch.")
    )
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        verbose_name = _("loại văn bản")
        verbose_name_plural = pgettext_lazy("plural", "loại văn bản")
        ordering = ["kind", "order"]

    def __str__(self) -> str:
        return f"{self.name} ({self.abbreviation})" if self.abbreviation else self.name


class Register(models.Model):
    """A register of an agency: incoming, outgoing, or secret; optionally one type only.

    Numbers run per register and calendar year in ``core.counters`` (namespace ``register``,
    key ``{register id}:{year}``); an administrator may set an opening number (audited there).
    """

    class Kind(models.TextChoices):
        INCOMING = "incoming", _("Sổ văn bản đến")
        OUTGOING = "outgoing", _("Sổ văn bản đi")

    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="registers"
    )
    kind = models.CharField(_("loại sổ"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("tên sổ"), max_length=120)
    is_secret = models.BooleanField(_("sổ văn bản mật"), default=False)
    document_type = models.ForeignKey(
        DocumentType,
        verbose_name=_("chỉ cho loại văn bản"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Ví dụ một sổ riêng cho quyết định. Để trống: mọi loại."),
    )
    is_active = models.BooleanField(_("đang dùng"), default=True)
    created_at = models.DateTimeField(_("tạo lúc"))

    class Meta:
        verbose_name = _("sổ đăng ký văn bản")
        verbose_name_plural = pgettext_lazy("plural", "sổ đăng ký văn bản")
        ordering = ["agency", "kind", "is_secret", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "name"],
                name="unique_register_name_per_agency",
                violation_error_message=_("Cơ quan đã có một sổ với tên này."),
            ),
            # One general register per agency, kind and secrecy; type registers are extra.
            models.UniqueConstraint(
                fields=["agency", "kind", "is_secret"],
                condition=Q(document_type__isnull=True),
                name="unique_general_register",
            ),
            models.UniqueConstraint(
                fields=["agency", "kind", "is_secret", "document_type"],
                condition=Q(document_type__isnull=False),
                name="unique_type_register",
            ),
        ]

    def __str__(self) -> str:
        return self.name
