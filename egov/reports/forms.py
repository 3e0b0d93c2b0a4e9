"""The statistics filter: a GET form (bookmarkable), choices limited to the actor's agencies."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from egov.organizations.models import Agency
from egov.procedures.models import Procedure
from egov.reports import selectors
from egov.reports.rules import Period

# A longer range is a multi-year report: fine for the database, but no one reads it on screen.
MAX_PERIOD_DAYS = 366 * 5


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class StatisticsFilter(forms.Form):
    start = forms.DateField(label=_("Từ ngày"), widget=DateInput())
    end = forms.DateField(label=_("Đến ngày"), widget=DateInput())
    agency: forms.ModelChoiceField[Agency] = forms.ModelChoiceField(
        label=_("Cơ quan"), queryset=None, required=False, empty_label=_("Tất cả cơ quan")
    )
    procedure: forms.ModelChoiceField[Procedure] = forms.ModelChoiceField(
        label=_("Thủ tục"), queryset=None, required=False, empty_label=_("Tất cả thủ tục")
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        agency: Any = self.fields["agency"]
        agency.queryset = selectors.report_agencies(actor)
        procedure: Any = self.fields["procedure"]
        procedure.queryset = selectors.report_procedures(actor)
        procedure.label_from_instance = lambda p: f"{p.code} – {p.name}"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start: date | None = data.get("start")
        end: date | None = data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("Ngày kết thúc phải từ ngày bắt đầu trở đi."))
            elif (end - start).days > MAX_PERIOD_DAYS:
                self.add_error("end", _("Kỳ báo cáo dài tối đa 5 năm."))
        return data

    def period(self) -> Period:
        return Period(self.cleaned_data["start"], self.cleaned_data["end"])
