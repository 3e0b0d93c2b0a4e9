from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AssuranceLevel(models.TextChoices):
    """How sure egov is of who the account holder is (VNeID verification arrives with e-services)."""

    SELF_DECLARED = "self_declared", _("Tự khai báo")
    VERIFIED = "verified", _("Đã xác thực định danh")


class User(AbstractUser):
    """A person who signs in: a citizen (applicant) or an official (``is_official``).

    Citizens sign in with e-mail or phone; officials with their username. ``username`` stays the
    unique technical login key for both.
    """

    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)
    # NULL rather than "" for a missing e-mail, phone or ID: unique constraints ignore NULLs.
    email = models.EmailField(_("thư điện tử"), null=True, blank=True, unique=True)  # type: ignore[assignment]
    phone = models.CharField(_("số điện thoại"), max_length=15, null=True, blank=True, unique=True)
    national_id = models.CharField(_("số định danh cá nhân"), max_length=12, null=True, blank=True)  # noqa: DJ001
    is_official = models.BooleanField(_("là cán bộ, công chức"), default=False)
    assurance_level = models.CharField(
        _("mức độ xác thực"),
        max_length=20,
        choices=AssuranceLevel.choices,
        default=AssuranceLevel.SELF_DECLARED,
    )

    objects = UserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("tài khoản")
        verbose_name_plural = pgettext_lazy("plural", "tài khoản")
        constraints = [
            # A verified personal ID number belongs to one account only (self-declared ones may repeat
            # until verification decides who holds it).
            models.UniqueConstraint(
                fields=["national_id"],
                condition=Q(assurance_level="verified"),
                name="unique_verified_national_id",
            )
        ]
        indexes = [models.Index(fields=["national_id"])]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username
