from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from egov.organizations.rules import AGENCY_CODE_MAX_LENGTH, agency_code_problem


def validate_agency_code(value: str) -> None:
    problem = agency_code_problem(value)
    if problem:
        raise ValidationError(problem, code="agency_code")


class AdministrativeUnit(models.Model):
    """A province or a commune-level unit (xã, phường, đặc khu) after the 2025 reform."""

    class Level(models.TextChoices):
        PROVINCE = "province", "Tỉnh, thành phố"
        COMMUNE = "commune", "Xã, phường, đặc khu"

    code = models.CharField("mã đơn vị hành chính", max_length=10)
    level = models.CharField("cấp", max_length=10, choices=Level.choices)
    name = models.CharField("tên", max_length=120)
    division_type = models.CharField("loại", max_length=40)
    codename = models.CharField("tên mã", max_length=120)
    parent = models.ForeignKey(
        "self", verbose_name="thuộc", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        verbose_name = "đơn vị hành chính"
        verbose_name_plural = "đơn vị hành chính"
        ordering = ["level", "code"]
        constraints = [models.UniqueConstraint(fields=["level", "code"], name="unique_unit_code_per_level")]
        indexes = [models.Index(fields=["parent", "name"])]

    def __str__(self) -> str:
        return self.name


class Agency(models.Model):
    """A state agency: people's committee, department, public service centre, commune committee."""

    class Kind(models.TextChoices):
        COMMITTEE = "committee", "Ủy ban nhân dân"
        DEPARTMENT = "department", "Sở, ban, ngành"
        SERVICE_CENTRE = "service_centre", "Trung tâm Phục vụ hành chính công"
        OTHER = "other", "Đơn vị khác"

    code = models.CharField(
        "mã định danh điện tử",
        max_length=AGENCY_CODE_MAX_LENGTH,
        unique=True,
        validators=[validate_agency_code],
        help_text="Ví dụ 000.00.00.H49: các nhóm chữ số và chữ in hoa cách nhau bởi dấu chấm.",
    )
    name = models.CharField("tên cơ quan", max_length=255)
    abbreviation = models.CharField(
        "tên viết tắt", max_length=20, help_text="Dùng trong ký hiệu văn bản, ví dụ UBND, STP."
    )
    kind = models.CharField("loại cơ quan", max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="cơ quan cấp trên",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    administrative_unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name="địa bàn",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agencies",
    )
    address = models.CharField("địa chỉ", max_length=255, blank=True)
    phone = models.CharField("điện thoại", max_length=30, blank=True)
    email = models.EmailField("thư điện tử", blank=True)
    website = models.URLField("cổng thông tin", blank=True)
    is_active = models.BooleanField("đang hoạt động", default=True)

    class Meta:
        verbose_name = "cơ quan"
        verbose_name_plural = "cơ quan"
        ordering = ["code"]
        indexes = [models.Index(fields=["parent", "name"]), models.Index(fields=["kind", "name"])]

    def __str__(self) -> str:
        return self.name


class Division(models.Model):
    """A unit inside an agency (phòng, văn phòng, bộ phận một cửa)."""

    agency = models.ForeignKey(
        Agency, verbose_name="cơ quan", on_delete=models.CASCADE, related_name="divisions"
    )
    name = models.CharField("tên đơn vị", max_length=255)
    abbreviation = models.CharField("tên viết tắt", max_length=20, help_text="Ví dụ VP, TCCB.")
    is_one_stop_desk = models.BooleanField("là bộ phận một cửa", default=False)

    class Meta:
        verbose_name = "phòng, đơn vị trực thuộc"
        verbose_name_plural = "phòng, đơn vị trực thuộc"
        ordering = ["agency", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "abbreviation"],
                name="unique_division_abbr_per_agency",
                violation_error_message="Cơ quan đã có một đơn vị với tên viết tắt này.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} – {self.agency.abbreviation}"


class Position(models.Model):
    """A post in an agency or division; its kind decides the signing capacity (DOMAIN.md §2)."""

    class Kind(models.TextChoices):
        HEAD = "head", "Người đứng đầu"
        DEPUTY = "deputy", "Cấp phó"
        ACTING = "acting", "Quyền (phụ trách)"
        SPECIALIST = "specialist", "Chuyên viên"
        CLERK = "clerk", "Văn thư"
        OTHER = "other", "Khác"

    agency = models.ForeignKey(
        Agency, verbose_name="cơ quan", on_delete=models.CASCADE, related_name="positions"
    )
    division = models.ForeignKey(
        Division,
        verbose_name="đơn vị",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="positions",
    )
    title = models.CharField(
        "chức danh", max_length=120, help_text="Ví dụ Chủ tịch, Phó Giám đốc, Trưởng phòng."
    )
    kind = models.CharField("loại chức vụ", max_length=20, choices=Kind.choices)

    class Meta:
        verbose_name = "chức vụ"
        verbose_name_plural = "chức vụ"
        ordering = ["agency", "division", "kind", "title"]

    def __str__(self) -> str:
        return self.title


class Role(models.TextChoices):
    """What an official may do in an agency; the permission table lives in ``accounts.permissions``."""

    ONE_STOP_OFFICER = "one_stop_officer", "Cán bộ một cửa"
    SPECIALIST = "specialist", "Chuyên viên"
    DIVISION_HEAD = "division_head", "Lãnh đạo phòng"
    AGENCY_LEADER = "agency_leader", "Lãnh đạo cơ quan"
    CLERK = "clerk", "Văn thư"
    EDITOR = "editor", "Biên tập viên"
    ADMINISTRATOR = "administrator", "Quản trị hệ thống"


class Membership(models.Model):
    """An official's place in an agency: division, position and one role. An official may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="cán bộ", on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.ForeignKey(
        Agency, verbose_name="cơ quan", on_delete=models.CASCADE, related_name="memberships"
    )
    division = models.ForeignKey(
        Division,
        verbose_name="đơn vị",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="memberships",
    )
    position = models.ForeignKey(
        Position,
        verbose_name="chức vụ",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="memberships",
    )
    role = models.CharField("vai trò", max_length=30, choices=Role.choices)
    is_active = models.BooleanField("đang hiệu lực", default=True)

    class Meta:
        verbose_name = "phân công cán bộ"
        verbose_name_plural = "phân công cán bộ"
        constraints = [
            # Two partial constraints instead of nulls_distinct=False, which SQLite lacks.
            models.UniqueConstraint(
                fields=["user", "agency", "division", "role"],
                condition=Q(division__isnull=False),
                name="unique_membership_role_in_division",
                violation_error_message="Cán bộ này đã có vai trò này tại đơn vị này.",
            ),
            models.UniqueConstraint(
                fields=["user", "agency", "role"],
                condition=Q(division__isnull=True),
                name="unique_membership_role_in_agency",
                violation_error_message="Cán bộ này đã có vai trò này tại cơ quan này.",
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
