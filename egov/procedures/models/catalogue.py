"""The catalogue proper: fields (lĩnh vực), procedures, their fees and required documents.

Who offers a procedure: a procedure is one catalogue entry per national code, whatever the
number of agencies that carry it out. ``level`` says at which tier it is decided (province,
commune…) and the many-to-many ``offered_by`` names the agencies that receive and decide it: every
commune committee for a commune procedure, the one department for a province procedure. A public
service centre receives on behalf of the competent agency and is not listed (DOMAIN.md §1).
"""

from __future__ import annotations

from datetime import time

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from egov.core.calendar import ProcessingTime, Unit
from egov.procedures.rules import SAME_DAY_CUTOFF, procedure_code_problem


def validate_procedure_code(value: str) -> None:
    from django.core.exceptions import ValidationError

    problem = procedure_code_problem(value)
    if problem:
        raise ValidationError(problem, code="procedure_code")


class ImplementingLevel(models.TextChoices):
    """The tier that decides the procedure (two-tier local government since 1 Jul 2025)."""

    MINISTRY = "ministry", _("Cấp bộ, ngành trung ương")
    PROVINCE = "province", _("Cấp tỉnh")
    COMMUNE = "commune", _("Cấp xã")


class OnlineLevel(models.TextChoices):
    """Online public service level (Decree 42/2022): full, partial or none."""

    FULL = "full", _("Dịch vụ công trực tuyến toàn trình")
    PARTIAL = "partial", _("Dịch vụ công trực tuyến một phần")
    NONE = "none", _("Chưa cung cấp trực tuyến")


class DocumentForm(models.TextChoices):
    ORIGINAL = "original", _("Bản chính")
    CERTIFIED_COPY = "certified_copy", _("Bản sao có chứng thực")
    PHOTOCOPY = "photocopy", _("Bản sao, bản chụp")


class ProcessingUnit(models.TextChoices):
    WORKING_DAYS = Unit.WORKING_DAYS.value, _("ngày làm việc")
    WORKING_HOURS = Unit.WORKING_HOURS.value, _("giờ làm việc")
    CALENDAR_DAYS = Unit.CALENDAR_DAYS.value, pgettext_lazy("unit of time", "ngày")
    MONTHS = Unit.MONTHS.value, _("tháng")


class Field(models.Model):
    """A field of state management (lĩnh vực), e.g. Hộ tịch, Chứng thực."""

    code = models.SlugField(
        _("mã lĩnh vực"), max_length=50, unique=True, help_text=_("Ví dụ ho-tich, chung-thuc.")
    )
    name = models.CharField(_("tên lĩnh vực"), max_length=200)

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = pgettext_lazy("plural", "lĩnh vực")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    """An administrative procedure (thủ tục hành chính) as the catalogue publishes it."""

    code = models.CharField(
        _("mã thủ tục"),
        max_length=30,
        unique=True,
        validators=[validate_procedure_code],
        help_text=_("Mã trên Cơ sở dữ liệu quốc gia về thủ tục hành chính, ví dụ 1.001193."),
    )
    name = models.CharField(_("tên thủ tục"), max_length=500)
    field = models.ForeignKey(
        Field, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT, related_name="procedures"
    )
    level = models.CharField(_("cấp thực hiện"), max_length=20, choices=ImplementingLevel.choices)
    implementing_body = models.CharField(
        _("cơ quan thực hiện (như công bố)"),
        max_length=255,
        blank=True,
        help_text=_("Ví dụ “Ủy ban nhân dân cấp xã”. Các cơ quan cụ thể nằm ở mục “cơ quan thực hiện”."),
    )
    offered_by = models.ManyToManyField(
        "organizations.Agency",
        verbose_name=_("cơ quan thực hiện"),
        related_name="offered_procedures",
        blank=True,
    )
    processing_amount = models.PositiveIntegerField(
        _("thời hạn giải quyết"), help_text=_("0 nghĩa là giải quyết trong ngày.")
    )
    processing_unit = models.CharField(
        _("đơn vị thời hạn"), max_length=20, choices=ProcessingUnit.choices, default=Unit.WORKING_DAYS
    )
    cutoff_rule = models.BooleanField(
        _("áp dụng quy tắc 15 giờ"),
        default=False,
        help_text=_("Hồ sơ nhận sau 15 giờ được tính là nhận vào đầu ngày làm việc tiếp theo."),
    )
    processing_note = models.TextField(_("ghi chú về thời hạn"), blank=True)
    result_type = models.CharField(_("kết quả thực hiện"), max_length=500, blank=True)
    legal_basis = models.TextField(_("căn cứ pháp lý"), blank=True)
    online_level = models.CharField(
        _("mức độ trực tuyến"), max_length=20, choices=OnlineLevel.choices, default=OnlineLevel.NONE
    )
    requires_verified_identity = models.BooleanField(
        _("yêu cầu định danh điện tử đã xác thực"), default=False
    )
    accepts_docx = models.BooleanField(
        _("nhận tệp DOCX khi nộp trực tuyến"),
        default=False,
        help_text=_("Ngoài PDF, JPG, PNG, cho phép người nộp tải lên tệp Word (DOCX)."),
    )
    source = models.TextField(_("nguồn dữ liệu"), blank=True)
    is_illustrative = models.BooleanField(
        _("dữ liệu minh họa"),
        default=False,
        help_text=_("Chưa đối chiếu được với nguồn công bố chính thức: hiển thị nhãn “dữ liệu minh họa”."),
    )
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = pgettext_lazy("plural", "thủ tục hành chính")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(processing_unit__in=[u.value for u in Unit]),
                name="procedure_unit_known",
                violation_error_message=_("Đơn vị thời hạn không hợp lệ."),
            ),
            models.CheckConstraint(
                condition=Q(level__in=ImplementingLevel.values),
                name="procedure_level_known",
                violation_error_message=_("Cấp thực hiện không hợp lệ."),
            ),
            models.CheckConstraint(
                condition=Q(online_level__in=OnlineLevel.values),
                name="procedure_online_level_known",
                violation_error_message=_("Mức độ trực tuyến không hợp lệ."),
            ),
        ]
        indexes = [models.Index(fields=["field", "is_active"]), models.Index(fields=["is_active", "name"])]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    def processing_time(self) -> ProcessingTime:
        """The processing time in the calendar's terms (amount 0 = same day)."""
        return ProcessingTime(self.processing_amount, Unit(self.processing_unit))

    def same_day_cutoff(self) -> time | None:
        """The cut-off to pass to ``core.calendar.add_working_time`` (15:00 when the rule applies)."""
        return SAME_DAY_CUTOFF if self.cutoff_rule else None


class Fee(models.Model):
    """A fee or charge (phí, lệ phí): a fixed amount in đồng, or a schedule stated in words."""

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("thủ tục"), on_delete=models.CASCADE, related_name="fees"
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=1)
    name = models.CharField(_("tên khoản thu"), max_length=255)
    amount = models.PositiveBigIntegerField(
        _("mức thu (đồng)"), null=True, blank=True, help_text=_("Để trống khi mức thu là một biểu phí.")
    )
    schedule = models.TextField(_("biểu phí, cách tính"), blank=True)
    collected_by = models.CharField(_("cơ quan thu"), max_length=255, blank=True)
    exemptions = models.TextField(_("đối tượng miễn, giảm"), blank=True)

    class Meta:
        verbose_name = _("phí, lệ phí")
        verbose_name_plural = pgettext_lazy("plural", "phí, lệ phí")
        ordering = ["procedure", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "order"],
                name="unique_fee_order",
                violation_error_message=_("Thủ tục đã có một khoản thu ở thứ tự này."),
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=False) | ~Q(schedule=""),
                name="fee_amount_or_schedule",
                violation_error_message=_("Hãy nhập mức thu hoặc biểu phí."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RequiredDocument(models.Model):
    """A document of the dossier (thành phần hồ sơ) with its form and count."""

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("thủ tục"), on_delete=models.CASCADE, related_name="documents"
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=1)
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    form = models.CharField(
        _("hình thức"), max_length=20, choices=DocumentForm.choices, default=DocumentForm.ORIGINAL
    )
    count = models.PositiveSmallIntegerField(_("số lượng"), default=1)
    is_required = models.BooleanField(_("bắt buộc"), default=True)
    filled_online = models.BooleanField(
        _("thay bằng tờ khai điện tử"),
        default=False,
        help_text=_("Khi nộp trực tuyến, tờ khai điện tử thay cho giấy tờ này (không cần tải tệp)."),
    )
    note = models.TextField(_("ghi chú"), blank=True)
    blank_form = models.FileField(
        _("mẫu đơn, tờ khai"), upload_to="procedures/blank_forms/", blank=True, max_length=255
    )

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = pgettext_lazy("plural", "thành phần hồ sơ")
        ordering = ["procedure", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "order"],
                name="unique_document_order",
                violation_error_message=_("Thủ tục đã có một giấy tờ ở thứ tự này."),
            ),
            models.CheckConstraint(
                condition=Q(count__gte=1),
                name="document_count_positive",
                violation_error_message=_("Số lượng phải từ 1 trở lên."),
            ),
            models.CheckConstraint(
                condition=Q(form__in=DocumentForm.values),
                name="document_form_known",
                violation_error_message=_("Hình thức giấy tờ không hợp lệ."),
            ),
        ]

    def __str__(self) -> str:
        return self.name
