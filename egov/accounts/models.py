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
    birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    # When an identity provider (VNeID) last confirmed the personal ID number, name and birth date.
    identity_verified_at = models.DateTimeField(_("thời điểm xác thực định danh"), null=True, blank=True)

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


class ExternalIdentity(models.Model):
    """The subject (``sub``) an identity provider such as VNeID knows the account holder by.

    One subject per provider belongs to one account, and an account has at most one subject at each
    provider: signing in through the provider again finds the same account.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="external_identities")
    provider = models.CharField(_("nhà cung cấp định danh"), max_length=40)
    subject = models.CharField(_("mã chủ thể tại nhà cung cấp"), max_length=255)
    linked_at = models.DateTimeField(_("thời điểm liên kết"))
    last_sign_in_at = models.DateTimeField(_("lần đăng nhập gần nhất"))

    class Meta:
        verbose_name = _("định danh liên kết")
        verbose_name_plural = pgettext_lazy("plural", "định danh liên kết")
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="unique_provider_subject"),
            models.UniqueConstraint(fields=["user", "provider"], name="one_subject_per_provider"),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.subject}"


class OrganisationAuthorisation(models.Model):
    """A recorded right of a verified person to act for an organisation (by its tax code).

    Granted at the desk (an official checked the papers: the legal representative on the business
    registration, or a power of attorney) or asserted by the identity provider at sign-in. Revoking
    keeps the row: who could act for whom, and when, stays answerable.
    """

    class GrantedVia(models.TextChoices):
        DESK = "desk", _("Cán bộ đối chiếu giấy tờ tại bộ phận một cửa")
        PROVIDER = "provider", _("Nhà cung cấp định danh xác nhận khi đăng nhập")

    class Basis(models.TextChoices):
        LEGAL_REPRESENTATIVE = "legal_representative", _("Người đại diện theo pháp luật")
        POWER_OF_ATTORNEY = "power_of_attorney", _("Người được ủy quyền")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="organisation_authorisations")
    tax_code = models.CharField(_("mã số thuế"), max_length=14)
    organisation_name = models.CharField(_("tên tổ chức"), max_length=255)
    basis = models.CharField(_("tư cách"), max_length=30, choices=Basis.choices)
    granted_via = models.CharField(_("hình thức ghi nhận"), max_length=20, choices=GrantedVia.choices)
    evidence = models.CharField(_("giấy tờ đối chiếu"), max_length=255, blank=True)
    valid_from = models.DateTimeField(_("hiệu lực từ"))
    valid_until = models.DateTimeField(_("hiệu lực đến"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("thời điểm ghi nhận"))
    recorded_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người ghi nhận"),
    )
    revoked_at = models.DateTimeField(_("thời điểm thu hồi"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người thu hồi"),
    )
    revocation_reason = models.CharField(_("lý do thu hồi"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("ủy quyền đại diện tổ chức")
        verbose_name_plural = pgettext_lazy("plural", "ủy quyền đại diện tổ chức")
        constraints = [
            # One standing authorisation per person and organisation; history stays in revoked rows.
            models.UniqueConstraint(
                fields=["user", "tax_code"],
                condition=Q(revoked_at__isnull=True),
                name="one_standing_authorisation_per_organisation",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=models.F("valid_from")),
                name="authorisation_ends_after_it_starts",
            ),
        ]
        indexes = [models.Index(fields=["tax_code"])]

    def __str__(self) -> str:
        return f"{self.user} → {self.organisation_name} ({self.tax_code})"
