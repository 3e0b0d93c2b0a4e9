from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from egov.organizations.rules import AGENCY_CODE_MAX_LENGTH, agency_code_problem


def validate_agency_code(value: str) -> None:
    problem = agency_code_problem(value)
    if problem:
        raise ValidationError(problem, code="agency_code")


class AdministrativeUnit(models.Model):
    """A province or a commune-level unit (xã, phường, đặc khu) after the 2025 reform."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Tỉnh, thành phố")
        COMMUNE = "commune", _("Xã, phường, đặc khu")

    code = models.CharField(_("mã đơn vị hành chính"), max_length=10)
    level = models.CharField(_("cấp"), max_length=10, choices=Level.choices)
    name = models.CharField(_("tên"), max_length=120)
    division_type = models.CharField(_("loại"), max_length=40)
    codename = models.CharField(_("tên mã"), max_length=120)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("thuộc"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = pgettext_lazy("plural", "đơn vị hành chính")
        ordering = ["level", "code"]
        constraints = [models.UniqueConstraint(fields=["level", "code"], name="unique_unit_code_per_level")]
        indexes = [models.Index(fields=["parent", "name"])]

    def __str__(self) -> str:
        return self.name


class Agency(models.Model):
    """A state agency: people's committee, department, public service centre, commune committee."""

    class Kind(models.TextChoices):
        COMMITTEE = "committee", _("Ủy ban nhân dân")
        DEPARTMENT = "department", _("Sở, ban, ngành")
        SERVICE_CENTRE = "service_centre", _("Trung tâm Phục vụ hành chính công")
        OTHER = "other", _("Đơn vị khác")

    code = models.CharField(
        _("mã định danh điện tử"),
        max_length=AGENCY_CODE_MAX_LENGTH,
        unique=True,
        validators=[validate_agency_code],
        help_text=_("Ví dụ 000.00.00.H49: các nhóm chữ số và chữ in hoa cách nhau bởi dấu chấm."),
    )
    name = models.CharField(_("tên cơ quan"), max_length=255)
    abbreviation = models.CharField(
        _("tên viết tắt"), max_length=20, help_text=_("Dùng trong ký hiệu văn bản, ví dụ UBND, STP.")
    )
    kind = models.CharField(_("loại cơ quan"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("cơ quan cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    administrative_unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("địa bàn"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agencies",
    )
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    website = models.URLField(_("cổng thông tin"), blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        verbose_name = _("cơ quan")
        verbose_name_plural = pgettext_lazy("plural", "cơ quan")
        ordering = ["code"]
        indexes = [models.Index(fields=["parent", "name"]), models.Index(fields=["kind", "name"])]

    def __str__(self) -> str:
        return self.name


class Division(models.Model):
    """A unit inside an agency (phòng, văn phòng, bộ phận một cửa)."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan"), on_delete=models.CASCADE, related_name="divisions"
    )
    name = models.CharField(_("tên đơn vị"), max_length=255)
    abbreviation = models.CharField(_("tên viết tắt"), max_length=20, help_text=_("Ví dụ VP, TCCB."))
    is_one_stop_desk = models.BooleanField(_("là bộ phận một cửa"), default=False)

    class Meta:
        verbose_name = _("phòng, đơn vị trực thuộc")
        verbose_name_plural = pgettext_lazy("plural", "phòng, đơn vị trực thuộc")
        ordering = ["agency", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "abbreviation"],
                name="unique_division_abbr_per_agency",
                violation_error_message=_("Cơ quan đã có một đơn vị với tên viết tắt này."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} – {self.agency.abbreviation}"


class Position(models.Model):
    """A post in an agency or division; its kind decides the signing capacity (DOMAIN.md §2)."""

    class Kind(models.TextChoices):
        HEAD = "head", _("Người đứng đầu")
        DEPUTY = "deputy", _("Cấp phó")
        ACTING = "acting", _("Quyền (phụ trách)")
        SPECIALIST = "specialist", _("Chuyên viên")
        CLERK = "clerk", _("Văn thư")
        OTHER = "other", _("Khác")

    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan"), on_delete=models.CASCADE, related_name="positions"
    )
    division = models.ForeignKey(
        Division,
        verbose_name=_("đơn vị"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="positions",
    )
    title = models.CharField(
        _("chức danh"), max_length=120, help_text=_("Ví dụ Chủ tịch, Phó Giám đốc, Trưởng phòng.")
    )
    kind = models.CharField(_("loại chức vụ"), max_length=20, choices=Kind.choices)

    class Meta:
        verbose_name = _("chức vụ")
        verbose_name_plural = pgettext_lazy("plural", "chức vụ")
        ordering = ["agency", "division", "kind", "title"]

    def __str__(self) -> str:
        return self.title


class Role(models.TextChoices):
    """What an official may do in an agency; the permission table lives in ``accounts.permissions``."""

    ONE_STOP_OFFICER = "one_stop_officer", _("Cán bộ một cửa")
    SPECIALIST = "specialist", _("Chuyên viên")
    DIVISION_HEAD = "division_head", _("Lãnh đạo phòng")
    AGENCY_LEADER = "agency_leader", _("Lãnh đạo cơ quan")
    CLERK = "clerk", _("Văn thư")
    EDITOR = "editor", _("Biên tập viên")
    ADMINISTRATOR = "administrator", _("Quản trị hệ thống")


class Membership(models.Model):
    """An official's place in an agency: division, position and one role. An official may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan"), on_delete=models.CASCADE, related_name="memberships"
    )
    division = models.ForeignKey(
        Division,
        verbose_name=_("đơn vị"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="memberships",
    )
    position = models.ForeignKey(
        Position,
        verbose_name=_("chức vụ"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="memberships",
    )
    role = models.CharField(_("vai trò"), max_length=30, choices=Role.choices)
    is_active = models.BooleanField(_("đang hiệu lực"), default=True)

    class Meta:
        verbose_name = _("phân công cán bộ")
        verbose_name_plural = pgettext_lazy("plural", "phân công cán bộ")
        constraints = [
            # Two partial constraints instead of nulls_distinct=False, which SQLite lacks.
            models.UniqueConstraint(
                fields=["user", "agency", "division", "role"],
                condition=Q(division__isnull=False),
                name="unique_membership_role_in_division",
                violation_error_message=_("Cán bộ này đã có vai trò này tại đơn vị này."),
            ),
            models.UniqueConstraint(
                fields=["user", "agency", "role"],
                condition=Q(division__isnull=True),
                name="unique_membership_role_in_agency",
                violation_error_message=_("Cán bộ này đã có vai trò này tại cơ quan này."),
            ),
        ]
        indexes = [
            models.Index(fields=["user", "is_active"]),
            models.Index(
                fields=["agency", "role"], condition=Q(is_active=True), name="active_members_by_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.agency.abbreviation}"
