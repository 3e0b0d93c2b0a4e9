"""Forms of the public lookup and the kiosk: the dossier code, the second factor, the QR scan."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.utils.translation import gettext_lazy as _

from egov.dossiers import rules, selectors
from egov.organizations.models import Agency

# {agency electronic ID}-{YYMMDD}-{NNNN}: dot-separated groups of digits and capitals (at most 35
# characters), the date received, a 4-digit sequence (5 digits past the 9,999th of a day).
CODE_PATTERN = re.compile(
    r"(?P<agency>[0-9A-Z]+(?:\.[0-9A-Z]+)*)-(?P<date>[0-9]{6})-(?P<sequence>[0-9]{4,5})"
)
AGENCY_CODE_MAX = 35
CODE_FORMAT_HINT = _(
    "Mã hồ sơ có dạng 000.00.12.H56-250701-0001: mã cơ quan, ngày nộp (năm, tháng, ngày) và số thứ tự."
)
# The random token of the receipt's QR (secrets.token_urlsafe), alone or at the end of its URL.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")
QR_PATH = re.compile(r"/qr/(?P<token>[A-Za-z0-9_-]{16,64})/?$")


def code_problem(code: str) -> str | None:
    """Why ``code`` cannot be a dossier code (the format hint), or ``None``."""
    match = CODE_PATTERN.fullmatch(code)
    if match is None or len(match["agency"]) > AGENCY_CODE_MAX:
        return str(CODE_FORMAT_HINT)
    try:
        datetime.strptime(match["date"], "%y%m%d")
    except ValueError:
        return str(CODE_FORMAT_HINT)
    return None


def token_from_scan(scanned: str) -> str | None:
    """The tracking token from what a QR scanner typed: the receipt's full URL, or the token."""
    scanned = scanned.strip()
    if TOKEN_PATTERN.fullmatch(scanned):
        return scanned
    match = QR_PATH.search(urlsplit(scanned).path)
    return match["token"] if match else None


class SecondFactorField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            label=_("4 chữ số cuối của số điện thoại hoặc số định danh cá nhân"),
            help_text=_(
                "Số điện thoại hoặc số định danh cá nhân (căn cước) đã ghi khi nộp hồ sơ; "
                "tổ chức nhập 4 chữ số cuối của mã số thuế."
            ),
            max_length=4,
            error_messages={"required": _("Hãy nhập 4 chữ số cuối của số điện thoại hoặc số định danh.")},
            widget=forms.TextInput(
                attrs={"inputmode": "numeric", "autocomplete": "off", "class": "code-input", "size": 4}
            ),
            **kwargs,
        )

    def clean(self, value: Any) -> str:
        cleaned = str(super().clean(value)).strip()
        if not rules.SECOND_FACTOR.fullmatch(cleaned):
            raise forms.ValidationError(_("Hãy nhập đúng 4 chữ số, ví dụ 5678."), code="second_factor")
        return cleaned


class LookupForm(forms.Form):
    code = forms.CharField(
        label=_("Mã hồ sơ"),
        help_text=_("In trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả, ví dụ 000.00.12.H56-250701-0001."),
        max_length=60,
        error_messages={"required": _("Hãy nhập mã hồ sơ.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )
    second_factor = SecondFactorField()

    def clean_code(self) -> str:
        code = "".join(str(self.cleaned_data["code"]).split()).upper()
        problem = code_problem(code)
        if problem:
            raise forms.ValidationError(problem, code="format")
        return code


class KioskScanForm(forms.Form):
    scan = forms.CharField(
        label=_("Mã QR trên giấy hẹn"),
        help_text=_("Đưa mã QR trên Giấy tiếp nhận hồ sơ vào máy quét, hoặc nhập đường dẫn in dưới mã."),
        max_length=300,
        error_messages={"required": _("Hãy quét mã QR trên giấy hẹn.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autofocus": True}),
    )

    def clean_scan(self) -> str:
        token = token_from_scan(str(self.cleaned_data["scan"]))
        if token is None:
            raise forms.ValidationError(
                _("Không đọc được mã QR này. Hãy quét lại, hoặc tra cứu bằng mã hồ sơ bên dưới."), code="qr"
            )
        return token


class KioskCodeForm(forms.Form):
    """The dossier code built from big touch inputs: agency, date received, sequence number."""

    agency = forms.ModelChoiceField(
        label=_("Cơ quan giải quyết"),
        queryset=Agency.objects.none(),
        to_field_name="code",
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Hãy chọn cơ quan ghi trên giấy hẹn.")},
    )
    # A text field, not <input type="date">: the browser shows a date field in its own UI locale
    # (mm/dd/yyyy on many machines), and citizens read dates as dd/mm/yyyy.
    received_on = forms.DateField(
        label=_("Ngày nộp hồ sơ"),
        help_text=_("Ngày/tháng/năm, ví dụ 30/11/2026."),
        input_formats=["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"],
        error_messages={
            "required": _("Hãy nhập ngày nộp hồ sơ."),
            "invalid": _("Hãy nhập ngày nộp theo dạng ngày/tháng/năm, ví dụ 30/11/2026."),
        },
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"autocomplete": "off", "class": "date-input"}),
    )
    sequence = forms.IntegerField(
        label=_("Số thứ tự"),
        help_text=_("4 chữ số cuối của mã hồ sơ, ví dụ 0001."),
        min_value=1,
        max_value=99_999,
        error_messages={
            "required": _("Hãy nhập số thứ tự."),
            "invalid": _("Số thứ tự chỉ gồm chữ số."),
            "min_value": _("Số thứ tự bắt đầu từ 1."),
            "max_value": _("Số thứ tự có nhiều nhất 5 chữ số."),
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "class": "code-input"}),
    )
    second_factor = SecondFactorField()

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency_field = self.fields["agency"]
        assert isinstance(agency_field, forms.ModelChoiceField)
        agency_field.queryset = selectors.kiosk_agencies()
        # Most people check on the day they applied or soon after.
        self.fields["received_on"].initial = today

    def dossier_code(self) -> str:
        data = self.cleaned_data
        return rules.dossier_code(data["agency"].code, data["received_on"], data["sequence"])


class RatingForm(forms.Form):
    """The applicant's satisfaction after the return, from the QR tracking page."""

    score = forms.TypedChoiceField(
        label=_("Mức độ hài lòng"),
        choices=list(rules.RATING_LABELS.items()),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Hãy chọn mức độ hài lòng.")},
    )
    comment = forms.CharField(
        label=_("Ý kiến góp ý (không bắt buộc)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
