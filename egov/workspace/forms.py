"""GET forms of the workspace lists: bookmarkable filters, choices limited to the actor's scope."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from egov.dossiers.rules import STATUS_LABELS
from egov.organizations.models import Agency
from egov.procedures.models import Procedure
from egov.workspace import selectors

# Register exports render every line of the period at once (the PDF takes time per page).
MAX_REGISTER_DAYS = 92


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _check_period(form: forms.Form, start_field: str, end_field: str, max_days: int | None = None) -> None:
    start: date | None = form.cleaned_data.get(start_field)
    end: date | None = form.cleaned_data.get(end_field)
    if start and end and end < start:
        form.add_error(end_field, _("Ngày kết thúc phải từ ngày bắt đầu trở đi."))
    elif start and end and max_days is not None and (end - start).days >= max_days:
        form.add_error(end_field, _("Mỗi lần xem sổ tối đa 92 ngày."))


class DossierFilterForm(forms.Form):
    procedure: forms.ModelChoiceField[Procedure] = forms.ModelChoiceField(
        label=_("Thủ tục"), queryset=None, required=False, empty_label=_("Tất cả thủ tục")
    )
    status = forms.TypedChoiceField(
        label=_("Trạng thái"),
        choices=[("", _("Tất cả trạng thái")), *((s.value, label) for s, label in STATUS_LABELS.items())],
        coerce=int,
        empty_value=None,
        required=False,
    )
    received_from = forms.DateField(label=_("Tiếp nhận từ ngày"), required=False, widget=DateInput())
    received_to = forms.DateField(label=_("Đến ngày"), required=False, widget=DateInput())

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["procedure"].queryset = selectors.filter_procedures(actor)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_period(self, "received_from", "received_to")
        return data

    def filters(self) -> selectors.DossierFilters:
        """The valid filters; a field with an error is left out rather than emptying the lists."""
        data = getattr(self, "cleaned_data", {})
        procedure = data.get("procedure")
        return selectors.DossierFilters(
            procedure_id=procedure.pk if procedure else None,
            status=data.get("status"),
            received_from=data.get("received_from"),
            received_to=data.get("received_to"),
        )


class RegisterForm(forms.Form):
    desk: forms.ModelChoiceField[Agency] = forms.ModelChoiceField(
        label=_("Nơi tiếp nhận"), queryset=None, empty_label=None
    )
    start = forms.DateField(label=_("Từ ngày"), widget=DateInput())
    end = forms.DateField(label=_("Đến ngày"), widget=DateInput())

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["desk"].queryset = selectors.register_desks(actor)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_period(self, "start", "end", MAX_REGISTER_DAYS)
        return data
