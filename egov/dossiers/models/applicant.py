"""Who applied: a person (personal ID number) or an organisation (tax code).

An applicant row is the applicant *as entered on one dossier* (the name, phone and address on its
receipt), not a master record: correcting a phone number on today's dossier must not change the
second factor of last year's lookup. The same person's dossiers are found through ``national_id``
(indexed) or the linked citizen account.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact, GreaterThanOrEqual
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Applicant(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", _("Cá nhân")
        ORGANISATION = "organisation", _("Tổ chức, doanh nghiệp")

    kind = models.CharField(_("loại người nộp"), max_length=20, choices=Kind.choices, default=Kind.PERSON)
    name = models.CharField(_("họ tên / tên tổ chức"), max_length=255)
    national_id = models.CharField(_("số định danh cá nhân"), max_length=12, blank=True)
    tax_code = models.CharField(_("mã số thuế"), max_length=14, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=15, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    address = models.CharField(_("địa chỉ"), max_length=500, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản công dân"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applications",
    )

    class Meta:
        verbose_name = _("người nộp hồ sơ")
        verbose_name_plural = pgettext_lazy("plural", "người nộp hồ sơ")
        constraints = [
            models.CheckConstraint(
                condition=Q(Q(kind="organisation"), GreaterThanOrEqual(Length("tax_code"), 10))
                | Q(Q(kind="person"), Exact(Length("national_id"), 12)),
                name="applicant_identified",
                violation_error_message=_("Cá nhân cần số định danh 12 chữ số; tổ chức cần mã số thuế."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["national_id"], condition=~Q(national_id=""), name="applicant_by_national_id"
            ),
            models.Index(fields=["tax_code"], condition=~Q(tax_code=""), name="applicant_by_tax_code"),
            models.Index(fields=["user"], condition=Q(user__isnull=False), name="applicant_by_user"),
        ]

    def __str__(self) -> str:
        return self.name
