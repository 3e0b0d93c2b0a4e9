"""Forms of the processing screens: one small form per action on a dossier, and reassignment.

Forms only parse what was typed; the services decide whether the move is allowed. Each action's
form carries ``state``, a fingerprint of the dossier as the page showed it, so a second click on
an already done action is recognised instead of repeating it (a second hand-over, say).
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from egov.accounts.models import User
from egov.core import clock
from egov.core.files import FileKind, FileRejected, StoredFile, check_upload, limits_hint, store
from egov.documents.models import DocumentType
from egov.documents.services import ComposedContent
from egov.dossiers.models import DeliveryMethod, Dossier
from egov.dossiers.services.processing import (
    HANDOVER_KINDS,
    MAX_HANDOVER_BYTES,
    MAX_HANDOVER_FILES,
    CheckedUpload,
)
from egov.organizations.models import Agency, Division
from egov.procedures.models import ProcessStep

MAX_RESULT_BYTES = 20 * 1024 * 1024
RESULT_KINDS = frozenset({FileKind.PDF})
DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]
TIME_FORMATS = ["%H:%M", "%Hh%M", "%H"]


class PersonChoice(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class StepChoice(forms.ModelChoiceField[ProcessStep]):
    def label_from_instance(self, obj: ProcessStep) -> str:
        return f"{obj.order}. {obj.name}"


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one ``<input type="file" multiple>``; cleans to a list (empty: none chosen)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class ActionForm(forms.Form):
    """Base of every action: the fingerprint of the page the officer acted on."""

    state = forms.CharField(widget=forms.HiddenInput, required=False)


def _note(label: Any, *, required: bool = False, hint: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=hint,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class TakeForm(ActionForm):
    pass


class HandOverForm(ActionForm):
    step = StepChoice(queryset=ProcessStep.objects.none(), label=_("Bước xử lý"), empty_label=None)
    to_agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        label=_("Cơ quan nhận"),
        required=False,
        empty_label=_("Theo quy trình"),
        help_text=_("Chỉ chọn khi chuyển liên thông sang cơ quan khác."),
    )
    to_division = forms.ModelChoiceField(
        queryset=Division.objects.none(),
        label=_("Phòng nhận"),
        required=False,
        empty_label=_("Theo quy trình"),
    )
    to_user = PersonChoice(
        queryset=User.objects.none(),
        label=_("Người nhận"),
        required=False,
        empty_label=_("Chưa giao cho ai (vào hộp việc của phòng)"),
    )
    note = _note(_("Ý kiến, ghi chú khi chuyển"))
    attachments = MultipleFileField(
        label=_("Tệp đính kèm"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.docx"}),
    )

    def __init__(
        self,
        *args: Any,
        steps: list[ProcessStep],
        agencies: list[Agency],
        divisions: list[Division],
        people: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.checked: list[CheckedUpload] = []
        self.fields["attachments"].help_text = " ".join(
            (
                gettext("Tối đa %(count)d tệp.") % {"count": MAX_HANDOVER_FILES},
                limits_hint(HANDOVER_KINDS, MAX_HANDOVER_BYTES),
            )
        )
        step_field: Any = self.fields["step"]
        step_field.queryset = ProcessStep.objects.filter(pk__in=[s.pk for s in steps]).order_by("order")
        agency_field: Any = self.fields["to_agency"]
        agency_field.queryset = Agency.objects.filter(pk__in=[a.pk for a in agencies])
        if len(agencies) < 2:
            del self.fields["to_agency"]  # no inter-agency step in this procedure
        division_field: Any = self.fields["to_division"]
        division_field.queryset = Division.objects.filter(pk__in=[d.pk for d in divisions])
        user_field: Any = self.fields["to_user"]
        user_field.queryset = people

    def clean_attachments(self) -> list[Any]:
        uploads = self.cleaned_data["attachments"]
        if len(uploads) > MAX_HANDOVER_FILES:
            raise forms.ValidationError(
                gettext("Chỉ đính kèm được tối đa %(count)d tệp mỗi lần chuyển.")
                % {"count": MAX_HANDOVER_FILES},
                code="too_many_files",
            )
        errors: list[str] = []
        for uploaded in uploads:
            try:
                checked = check_upload(uploaded, allowed=HANDOVER_KINDS, max_bytes=MAX_HANDOVER_BYTES)
            except FileRejected as error:
                errors.extend(error.messages)
            else:
                self.checked.append(CheckedUpload(checked=checked, content=uploaded))
        if errors:
            self.checked = []
            raise forms.ValidationError(errors)
        return uploads

    def checked_uploads(self) -> list[CheckedUpload]:
        """The attachments as ``check_upload`` accepted them, for ``services.hand_over``."""
        return list(self.checked)


class SupplementForm(ActionForm):
    reason = _note(_("Lý do yêu cầu bổ sung"), required=True)
    missing = forms.CharField(
        label=_("Giấy tờ cần bổ sung, hoàn thiện"),
        help_text=_("Mỗi giấy tờ một dòng."),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Hãy liệt kê giấy tờ cần bổ sung, hoàn thiện.")},
    )

    def missing_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["missing"].splitlines() if line.strip()]


class ObligationForm(ActionForm):
    note = _note(
        _("Nghĩa vụ tài chính cần thực hiện"), required=True, hint=_("Ví dụ: lệ phí trước bạ 500.000 đ.")
    )
    amount = forms.IntegerField(
        label=_("Số tiền nộp trực tuyến (đồng)"),
        help_text=_(
            "Người nộp thanh toán số tiền này trên Cổng dịch vụ công và nhận biên lai điện tử. Để trống "
            "nếu nghĩa vụ được thực hiện ở nơi khác (cơ quan thuế, kho bạc); khi đó xác nhận bằng tay."
        ),
        required=False,
        min_value=1,
        max_value=10_000_000_000,
        error_messages={
            "invalid": _("Số tiền là số nguyên, tính bằng đồng, ví dụ 500000."),
            "min_value": _("Số tiền phải lớn hơn 0 đồng."),
            "max_value": _("Số tiền quá lớn; hãy kiểm tra lại."),
        },
    )
    exempt_amount = forms.IntegerField(
        label=_("Số tiền được miễn, giảm (đồng)"),
        help_text=_("Chỉ khi người nộp thuộc đối tượng được miễn, giảm; ghi rõ căn cứ bên dưới."),
        required=False,
        min_value=1,
        error_messages={
            "invalid": _("Số tiền là số nguyên, tính bằng đồng, ví dụ 500000."),
            "min_value": _("Số tiền phải lớn hơn 0 đồng."),
        },
    )
    exempt_ground = forms.CharField(
        label=_("Căn cứ miễn, giảm"),
        help_text=_("Văn bản quy định và đối tượng được miễn, giảm."),
        required=False,
        max_length=500,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        exempt, amount = data.get("exempt_amount"), data.get("amount")
        if exempt is not None:
            if amount is None:
                self.add_error(
                    "exempt_amount", _("Miễn, giảm chỉ áp dụng cho khoản thu có số tiền nộp trực tuyến.")
                )
            elif exempt > amount:
                self.add_error("exempt_amount", _("Số tiền miễn, giảm không được lớn hơn số tiền phải nộp."))
            if not (data.get("exempt_ground") or "").strip():
                self.add_error(
                    "exempt_ground", _("Hãy ghi căn cứ miễn, giảm (văn bản, đối tượng được miễn, giảm).")
                )
        return data


class NoteForm(ActionForm):
    note = _note(_("Ghi chú"))


class ReasonForm(ActionForm):
    reason = _note(_("Lý do"), required=True)


class FinishForm(ActionForm):
    result_file = forms.FileField(
        label=_("Tệp kết quả giải quyết (PDF)"),
        help_text=limits_hint(RESULT_KINDS, MAX_RESULT_BYTES),
        error_messages={"required": _("Hãy chọn tệp kết quả giải quyết.")},
    )
    note = _note(_("Ý kiến phê duyệt"))

    def clean_result_file(self) -> Any:
        uploaded = self.cleaned_data["result_file"]
        try:
            self.checked = check_upload(uploaded, allowed=RESULT_KINDS, max_bytes=MAX_RESULT_BYTES)
        except FileRejected as error:
            raise forms.ValidationError(error.messages) from error
        return uploaded

    def stored_file(self) -> StoredFile:
        return store(self.checked, self.cleaned_data["result_file"], folder="dossiers/results")


class ResultDocumentForm(ActionForm):
    """The result drafted as an outgoing document: its type, summary, and an uploaded PDF or DOCX, or
    the body composed in the form (for the types the documents app composes, e.g. công văn)."""

    document_type = forms.ModelChoiceField(
        queryset=DocumentType.objects.filter(kind=DocumentType.Kind.DOCUMENT, is_active=True),
        label=_("Loại văn bản"),
        empty_label=None,
        help_text=_("Ví dụ: Quyết định (cấp, công nhận), Công văn (trả lời)."),
    )
    summary = forms.CharField(label=_("Trích yếu"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    draft_file = forms.FileField(
        label=_("Tệp dự thảo (PDF hoặc DOCX)"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ".pdf,.docx"}),
    )
    body = forms.CharField(
        label=_("Hoặc nội dung văn bản (soạn theo mẫu)"),
        required=False,
        max_length=20000,
        help_text=_("Chỉ với công văn, thông báo: mỗi đoạn một dòng. Để trống khi tải tệp lên."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    place = forms.CharField(
        label=_("Địa danh"),
        required=False,
        max_length=100,
        help_text=_("Khi soạn theo mẫu, ví dụ Thanh Hóa."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_file, body = data.get("draft_file") is not None, (data.get("body") or "").strip()
        if has_file == bool(body):
            raise forms.ValidationError(
                _("Tải lên tệp dự thảo hoặc nhập nội dung để soạn theo mẫu (một trong hai)."), code="source"
            )
        if body and not (data.get("place") or "").strip():
            self.add_error("place", _("Hãy ghi địa danh của văn bản soạn theo mẫu."))
        return data

    def composed(self, addressee: str) -> ComposedContent | None:
        """The composed content for ``documents.services.create_draft`` (``None`` for an upload)."""
        body = self.cleaned_data["body"].strip()
        if not body:
            return None
        return ComposedContent(
            place=self.cleaned_data["place"].strip(),
            title="",
            body=body,
            addressees=addressee,
            recipients=[gettext("Như trên")],
        )


class ReturnForm(ActionForm):
    delivery = forms.ChoiceField(
        label=_("Hình thức trả kết quả"),
        choices=DeliveryMethod.choices,
        initial=DeliveryMethod.DESK,
    )
    returned_to = forms.CharField(
        label=_("Họ tên người nhận kết quả"),
        required=False,
        max_length=255,
        help_text=_("Bắt buộc khi trả trực tiếp hoặc qua bưu chính."),
    )


class ApologyForm(ActionForm):
    promised_on = forms.DateField(
        label=_("Hẹn lại ngày trả kết quả"),
        input_formats=DATE_FORMATS,
        help_text=_("Ngày/tháng/năm, ví dụ 27/02/2026."),
        error_messages={"invalid": _("Hãy nhập ngày theo dạng ngày/tháng/năm, ví dụ 27/02/2026.")},
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    promised_time = forms.TimeField(
        label=_("Giờ hẹn"),
        input_formats=TIME_FORMATS,
        initial=time(17, 0),
        help_text=_("Giờ:phút, ví dụ 16:30."),
        error_messages={"invalid": _("Hãy nhập giờ theo dạng giờ:phút, ví dụ 16:30.")},
        widget=forms.TimeInput(format="%H:%M", attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    reason = _note(_("Lý do chậm trả kết quả"), required=True)

    def promised_at(self) -> datetime:
        return datetime.combine(
            self.cleaned_data["promised_on"], self.cleaned_data["promised_time"], tzinfo=clock.local_zone()
        )


class ReassignForm(forms.Form):
    """A division head moves all open work of one person to another (leave, departure)."""

    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label=_("Cơ quan"), empty_label=None)
    from_user = PersonChoice(queryset=User.objects.none(), label=_("Chuyển hồ sơ của cán bộ"))
    to_user = PersonChoice(queryset=User.objects.none(), label=_("Cho cán bộ"))
    note = _note(_("Lý do"), hint=_("Ví dụ: nghỉ phép từ 02/03/2026 đến 06/03/2026."))

    def __init__(self, *args: Any, agencies: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency_field: Any = self.fields["agency"]
        agency_field.queryset = agencies
        for name in ("from_user", "to_user"):
            field: Any = self.fields[name]
            field.queryset = people
            field.empty_label = _("— Chọn cán bộ —")

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        if data.get("from_user") and data.get("from_user") == data.get("to_user"):
            self.add_error("to_user", _("Hãy chọn một cán bộ khác để nhận hồ sơ."))
        return data


def dossier_state(dossier: Dossier, open_handover_id: int | None) -> str:
    """What the page showed: status, the open control slip row and its holder."""
    return f"{dossier.status}.{open_handover_id or 0}.{dossier.current_assignee_id or 0}"
