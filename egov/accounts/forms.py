"""Forms of the account pages: Vietnamese labels and hints, autocomplete hints for browsers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from egov.accounts.models import OrganisationAuthorisation
from egov.accounts.rules import (
    PersonalIdError,
    normalise_personal_id,
    normalise_phone,
    parse_personal_id,
    phone_problem,
)
from egov.accounts.selectors import login_key
from egov.core import clock
from egov.organizations.models import Agency

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PASSWORD_HINT = _(
    "Ít nhất 10 ký tự. Không dùng mật khẩu phổ biến, không chỉ gồm chữ số, "
    "không giống họ tên hay thư điện tử."
)


def _text(autocomplete: str, **attrs: str) -> forms.TextInput:
    return forms.TextInput(attrs={"autocomplete": autocomplete, **attrs})


def _password(autocomplete: str) -> forms.PasswordInput:
    return forms.PasswordInput(attrs={"autocomplete": autocomplete})


def code_field(help_text: StrOrPromise) -> forms.CharField:
    """One numeric field for authenticator codes and backup codes (both are digits only)."""
    return forms.CharField(
        label=_("Mã xác thực"),
        help_text=help_text,
        max_length=24,
        widget=_text(
            "one-time-code",
            inputmode="numeric",
            autocapitalize="off",
            spellcheck="false",
            **{"class": "code-input"},
        ),
        error_messages={"required": _("Hãy nhập mã xác thực.")},
    )


class RegistrationForm(forms.Form):
    full_name = forms.CharField(
        label=_("Họ và tên"),
        max_length=150,
        widget=_text("name"),
        error_messages={"required": _("Hãy nhập họ và tên.")},
    )
    national_id = forms.CharField(
        label=_("Số định danh cá nhân"),
        help_text=_("12 chữ số in trên thẻ căn cước (căn cước công dân), ví dụ 001099012345."),
        max_length=20,
        widget=_text("off", inputmode="numeric", spellcheck="false"),
        error_messages={"required": _("Hãy nhập số định danh cá nhân (12 chữ số trên thẻ căn cước).")},
    )
    email = forms.EmailField(
        label=_("Thư điện tử"),
        help_text=_(
            "Nhập thư điện tử hoặc số điện thoại, hoặc cả hai. Thư điện tử dùng để đặt lại mật khẩu."
        ),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={"invalid": _("Thư điện tử chưa đúng dạng, ví dụ ten@example.vn.")},
    )
    phone = forms.CharField(
        label=_("Số điện thoại di động"),
        help_text=_("10 chữ số, bắt đầu bằng 0, ví dụ 0912345678."),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        help_text=PASSWORD_HINT,
        strip=False,
        widget=_password("new-password"),
        error_messages={"required": _("Hãy đặt mật khẩu.")},
    )
    password_again = forms.CharField(
        label=_("Nhập lại mật khẩu"),
        strip=False,
        widget=_password("new-password"),
        error_messages={"required": _("Hãy nhập lại mật khẩu.")},
    )
    consent = forms.BooleanField(
        label=_("Tôi đồng ý để cơ quan nhà nước xử lý dữ liệu cá nhân này để giải quyết thủ tục hành chính."),
        error_messages={"required": _("Hãy đồng ý xử lý dữ liệu cá nhân để tạo tài khoản.")},
    )

    def clean_national_id(self) -> str:
        number = normalise_personal_id(self.cleaned_data["national_id"])
        try:
            parse_personal_id(number, today=clock.today())
        except PersonalIdError as invalid:
            raise ValidationError(invalid.message, code=invalid.fault) from invalid
        return number

    def clean_phone(self) -> str:
        phone = normalise_phone(self.cleaned_data["phone"])
        if phone and (problem := phone_problem(phone)):
            raise ValidationError(problem, code="phone")
        return phone

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any((data.get("email"), data.get("phone"), self.has_error("email"), self.has_error("phone"))):
            self.add_error("email", _("Hãy nhập thư điện tử hoặc số điện thoại (ít nhất một trong hai)."))
        password, again = data.get("password"), data.get("password_again")
        if password and again and password != again:
            self.add_error("password_again", _("Hai mật khẩu bạn nhập không giống nhau."))
        return data


class LoginForm(AuthenticationForm):
    """One identifier field for citizens (phone or e-mail) and officials (username)."""

    username = forms.CharField(
        label=_("Số điện thoại, thư điện tử hoặc tên đăng nhập"),
        max_length=254,
        widget=_text("username", autocapitalize="none", spellcheck="false"),
        error_messages={"required": _("Hãy nhập số điện thoại, thư điện tử hoặc tên đăng nhập.")},
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        widget=_password("current-password"),
        error_messages={"required": _("Hãy nhập mật khẩu.")},
    )

    error_messages = {
        "invalid_login": _(
            "Số điện thoại, thư điện tử, tên đăng nhập hoặc mật khẩu không đúng. "
            "Sau %(limit)s lần sai liên tiếp, tài khoản tạm bị khóa."
        ),
        "inactive": _("Tài khoản này đã bị khóa. Hãy liên hệ quản trị hệ thống."),
    }

    def get_invalid_login_error(self) -> ValidationError:
        return ValidationError(
            self.error_messages["invalid_login"],
            code="invalid_login",
            params={"limit": settings.AXES_FAILURE_LIMIT},
        )

    def clean_username(self) -> str:
        # Failures are counted per account, whichever identifier was typed (see selectors.login_key).
        return login_key(self.cleaned_data["username"])


class SecondFactorForm(forms.Form):
    code = code_field(_("Mã 6 chữ số trong ứng dụng xác thực, hoặc một mã dự phòng 10 chữ số."))


class EnrolmentForm(forms.Form):
    code = code_field(_("Mã 6 chữ số đang hiện trong ứng dụng xác thực sau khi bạn thêm tài khoản."))


class PasswordResetRequestForm(PasswordResetForm):
    email = forms.EmailField(
        label=_("Thư điện tử"),
        help_text=_("Thư điện tử bạn đã dùng khi đăng ký tài khoản."),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": _("Hãy nhập thư điện tử."),
            "invalid": _("Thư điện tử chưa đúng dạng, ví dụ ten@example.vn."),
        },
    )


class NewPasswordForm(SetPasswordForm):
    new_password1 = forms.CharField(
        label=_("Mật khẩu mới"),
        help_text=PASSWORD_HINT,
        strip=False,
        widget=_password("new-password"),
        error_messages={"required": _("Hãy đặt mật khẩu mới.")},
    )
    new_password2 = forms.CharField(
        label=_("Nhập lại mật khẩu mới"),
        strip=False,
        widget=_password("new-password"),
        error_messages={"required": _("Hãy nhập lại mật khẩu mới.")},
    )

    error_messages = {"password_mismatch": _("Hai mật khẩu bạn nhập không giống nhau.")}


class AuthorisationSearchForm(forms.Form):
    """Who may act for an organisation: look up by its tax code or by a person's ID number."""

    q = forms.CharField(
        label=_("Mã số thuế của tổ chức hoặc số định danh cá nhân"),
        max_length=20,
        required=False,
        widget=_text("off", inputmode="numeric", spellcheck="false"),
    )

    def lookup(self) -> str:
        return "".join(self.cleaned_data.get("q", "").split()) if self.is_valid() else ""


class OrganisationAuthorisationForm(forms.Form):
    """What the one-stop officer checked on paper before recording an authorisation."""

    agency = forms.ChoiceField(
        label=_("Cơ quan ghi nhận"),
        error_messages={"invalid_choice": _("Hãy chọn một cơ quan bạn được ghi nhận ủy quyền.")},
    )
    national_id = forms.CharField(
        label=_("Số định danh cá nhân của người được ủy quyền"),
        help_text=_("Người này phải có tài khoản đã xác thực định danh (đã đăng nhập bằng VNeID)."),
        max_length=20,
        widget=_text("off", inputmode="numeric", spellcheck="false"),
        error_messages={"required": _("Hãy nhập số định danh cá nhân (12 chữ số).")},
    )
    tax_code = forms.CharField(
        label=_("Mã số thuế của tổ chức"),
        max_length=20,
        widget=_text("off", inputmode="numeric", spellcheck="false"),
        error_messages={"required": _("Hãy nhập mã số thuế của tổ chức.")},
    )
    organisation_name = forms.CharField(
        label=_("Tên tổ chức"), max_length=255, error_messages={"required": _("Hãy nhập tên tổ chức.")}
    )
    basis = forms.ChoiceField(
        label=_("Tư cách"),
        choices=OrganisationAuthorisation.Basis.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Hãy chọn tư cách của người được ủy quyền.")},
    )
    evidence = forms.CharField(
        label=_("Giấy tờ đã đối chiếu"),
        help_text=_("Ví dụ: Giấy chứng nhận đăng ký doanh nghiệp; giấy ủy quyền số 12/UQ ngày 01/03/2027."),
        max_length=255,
        error_messages={"required": _("Hãy ghi giấy tờ đã đối chiếu.")},
    )
    valid_until = forms.DateField(
        label=_("Hiệu lực đến hết ngày (không bắt buộc)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Ngày chưa đúng, ví dụ 31/12/2027.")},
    )

    def __init__(self, *args: Any, agencies: list[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The desks already read by the view: choices and validation without a second query.
        agency_field = cast(forms.ChoiceField, self.fields["agency"])
        agency_field.choices = [(agency.pk, agency.name) for agency in agencies]
        self._agencies = {str(agency.pk): agency for agency in agencies}

    def clean_agency(self) -> Agency:
        return self._agencies[self.cleaned_data["agency"]]

    def clean_national_id(self) -> str:
        number = normalise_personal_id(self.cleaned_data["national_id"])
        if len(number) != 12 or not number.isdigit():
            raise ValidationError(_("Số định danh cá nhân gồm đúng 12 chữ số."), code="national_id")
        return number

    def clean_tax_code(self) -> str:
        return "".join(self.cleaned_data["tax_code"].split())
