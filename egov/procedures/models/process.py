"""Process templates (quy trình nội bộ): the ordered steps a dossier of a procedure goes through.

Each step's allotted time is a whole-number percentage of the procedure's processing time, and
the percentages of a template add up to exactly 100 (``rules.share_problems``). Percentages work
for every unit (working days, hours, calendar days, months, same day) and survive a change of the
procedure's time, which working hours per step would not.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from egov.organizations.models import Role
from egov.procedures.models.catalogue import Procedure


class ProcessTemplate(models.Model):
    """The internal process of one procedure (one template per procedure)."""

    procedure = models.OneToOneField(
        Procedure, verbose_name=_("thủ tục"), on_delete=models.CASCADE, related_name="process_template"
    )
    name = models.CharField(_("tên quy trình"), max_length=255)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("quy trình nội bộ")
        verbose_name_plural = pgettext_lazy("plural", "quy trình nội bộ")
        ordering = ["procedure"]

    def __str__(self) -> str:
        return self.name


class ProcessStep(models.Model):
    """One step: who acts (a role, a division of the agency, or another agency) and its share."""

    template = models.ForeignKey(
        ProcessTemplate, verbose_name=_("quy trình"), on_delete=models.CASCADE, related_name="steps"
    )
    order = models.PositiveSmallIntegerField(_("bước"))
    name = models.CharField(_("nội dung công việc"), max_length=255)
    role = models.CharField(_("vai trò thực hiện"), max_length=30, choices=Role.choices, blank=True)
    division_abbreviation = models.CharField(
        _("đơn vị thực hiện (tên viết tắt)"),
        max_length=20,
        blank=True,
        help_text=_("Tên viết tắt của phòng trong cơ quan giải quyết, ví dụ MC, HCTP."),
    )
    other_agency = models.ForeignKey(
        "organizations.Agency",
        verbose_name=_("cơ quan phối hợp (liên thông)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Chỉ điền khi bước này do một cơ quan khác thực hiện."),
    )
    share_percent = models.PositiveSmallIntegerField(
        _("thời gian (% thời hạn)"), help_text=_("Tổng của các bước phải bằng 100.")
    )

    class Meta:
        verbose_name = _("bước xử lý")
        verbose_name_plural = pgettext_lazy("plural", "bước xử lý")
        ordering = ["template", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "order"],
                name="unique_step_order",
                violation_error_message=_("Quy trình đã có một bước ở thứ tự này."),
            ),
            models.CheckConstraint(
                condition=Q(share_percent__gte=1, share_percent__lte=100),
                name="step_share_in_range",
                violation_error_message=_("Thời gian của một bước phải từ 1 đến 100 phần trăm."),
            ),
            models.CheckConstraint(
                condition=~Q(role="") | ~Q(division_abbreviation="") | Q(other_agency__isnull=False),
                name="step_has_actor",
                violation_error_message=_("Hãy chọn vai trò, đơn vị hoặc cơ quan thực hiện bước này."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"
