from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ReconcileForm(forms.Form):
    day = forms.DateField(
        label=_("Ngày giao dịch"),
        help_text=_("Định dạng ngày/tháng/năm, ví dụ 30/11/2026."),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
