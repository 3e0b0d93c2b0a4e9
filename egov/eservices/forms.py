"""Forms of the online services: the finder's filters, one page of questions, uploads, declaration."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from egov.procedures.forms import SchemaForm, build_form_class
from egov.procedures.models import ImplementingLevel, OnlineLevel
from egov.procedures.rules import check_answers


class FinderForm(forms.Form):
    q = forms.CharField(
        label=_("Tìm thủ tục"),
        required=False,
        max_length=200,
        help_text=_("Gõ có dấu hoặc không dấu, ví dụ: dang ky khai sinh."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "enterkeyhint": "search"}),
    )
    field = forms.ChoiceField(label=_("Lĩnh vực"), required=False)
    agency = forms.TypedChoiceField(
        label=_("Cơ quan thực hiện"), required=False, coerce=int, empty_value=None
    )
    level = forms.ChoiceField(
        label=_("Cấp thực hiện"),
        required=False,
        choices=[("", _("Tất cả")), *list(ImplementingLevel.choices)],
    )
    online_level = forms.ChoiceField(
        label=_("Mức độ trực tuyến"), required=False, choices=[("", _("Tất cả")), *list(OnlineLevel.choices)]
    )

    def __init__(
        self,
        *args: Any,
        fields: Sequence[tuple[str, str]],
        agencies: Sequence[tuple[int, str]],
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [("", _("Tất cả")), *fields]  # type: ignore[attr-defined]
        self.fields["agency"].choices = [("", _("Tất cả")), *agencies]  # type: ignore[attr-defined]


def page_form_class(
    all_fields: Sequence[Mapping[str, Any]], page_keys: Sequence[str], other_answers: Mapping[str, object]
) -> type[SchemaForm]:
    """The form of one page: its own questions, checked together with the answers of other pages
    (a question may depend on an answer given earlier)."""
    page_fields = [spec for spec in all_fields if spec["key"] in page_keys]
    base = build_form_class(page_fields)

    def clean(self: SchemaForm) -> dict[str, Any]:
        submitted = {k: v for k, v in (forms.Form.clean(self) or {}).items() if v not in (None, "")}
        merged = {k: v for k, v in other_answers.items() if k not in page_keys} | submitted
        result = check_answers(all_fields, merged, today=self.today)
        for key in page_keys:
            if key in result.errors and key not in self.errors:
                self.add_error(key, result.errors[key])
        self.answers = {k: v for k, v in result.cleaned.items() if k in page_keys}
        return dict(self.answers)

    return type("PageForm", (base,), {"clean": clean})


def typed_values(form: forms.Form, keys: Sequence[str]) -> dict[str, str]:
    """What the applicant typed on the page, kept even when it does not pass the checks."""
    return {key: str(form.data.get(key, "")).strip()[:4000] for key in keys}


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Chọn tệp"))
    requirement = forms.IntegerField(required=False, widget=forms.HiddenInput)
    label = forms.CharField(label=_("Tên giấy tờ"), required=False, max_length=200)


class DeclarationForm(forms.Form):
    declared = forms.BooleanField(
        label=_(
            "Tôi xin cam đoan những thông tin đã khai là đúng sự thật và chịu trách nhiệm trước pháp luật "
            "về lời cam đoan của mình."
        ),
        required=True,
        error_messages={"required": _("Hãy đánh dấu vào ô cam đoan trước khi nộp hồ sơ.")},
    )


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("Mức độ hài lòng"),
        coerce=int,
        choices=[
            (5, _("Rất hài lòng")),
            (4, _("Hài lòng")),
            (3, _("Bình thường")),
            (2, _("Không hài lòng")),
            (1, _("Rất không hài lòng")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Ý kiến (không bắt buộc)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PostalDeliveryForm(forms.Form):
    address = forms.CharField(
        label=_("Địa chỉ nhận kết quả"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "street-address"}),
    )
    phone = forms.CharField(
        label=_("Số điện thoại người nhận"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
