"""Forms of the one-stop desk: the procedure picker, the applicant, the documents, the decision.

The service (``services.record_dossier``) checks the applicant again; the forms check first so each
message sits on its own field and everything typed comes back when something is wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov.accounts.rules import normalise_personal_id, normalise_phone, personal_id_problem, phone_problem
from egov.core import clock
from egov.core.files import DOCUMENTS_AND_IMAGES, CheckedFile, FileRejected, check_upload, limits_hint
from egov.dossiers import rules
from egov.dossiers.models import Applicant, Dossier, DossierDocument
from egov.dossiers.services.desk import DeskDecision
from egov.dossiers.services.reception import ApplicantData
from egov.organizations.models import Agency
from egov.procedures.models import DocumentForm, Procedure, RequiredDocument

SCAN_KINDS = DOCUMENTS_AND_IMAGES
# A scanned A4 page is ~0.5 MB at 200 dpi: 10 MB holds a 20-page dossier part.
SCAN_MAX_BYTES: int = getattr(settings, "DOSSIER_SCAN_MAX_BYTES", 10 * 1024 * 1024)


def scan_hint() -> str:
    return limits_hint(SCAN_KINDS, SCAN_MAX_BYTES)


class ProcedurePickForm(forms.Form):
    """Which procedure (and, at a public service centre, for which agency) the applicant brings."""

    offer = forms.ChoiceField(label=gettext_lazy("Thủ tục hành chính"))

    def __init__(self, *args: Any, offers: Sequence[tuple[Procedure, Agency]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offers = {offer_key(p, a): (p, a) for p, a in offers}
        field = self.fields["offer"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("— Chọn thủ tục —"))] + [
            (key, f"{p.name} ({p.code}) — {a.name}") for key, (p, a) in self.offers.items()
        ]
        self.fields["offer"].error_messages["required"] = _("Hãy chọn thủ tục hành chính.")
        self.fields["offer"].error_messages["invalid_choice"] = _(
            "Thủ tục đã chọn không còn tiếp nhận tại quầy này; hãy chọn lại."
        )

    def chosen(self) -> tuple[Procedure, Agency]:
        return self.offers[self.cleaned_data["offer"]]


def offer_key(procedure: Procedure, agency: Agency) -> str:
    return f"{procedure.pk}-{agency.pk}"


class ApplicantForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Người nộp là"),
        choices=Applicant.Kind.choices,
        initial=Applicant.Kind.PERSON,
        widget=forms.RadioSelect,
    )
    name = forms.CharField(
        label=gettext_lazy("Họ tên người nộp hoặc tên tổ chức"),
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    national_id = forms.CharField(
        label=gettext_lazy("Số định danh cá nhân (cá nhân)"),
        help_text=gettext_lazy("12 chữ số in trên thẻ căn cước, ví dụ 001090012345."),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    tax_code = forms.CharField(
        label=gettext_lazy("Mã số thuế (tổ chức)"),
        help_text=gettext_lazy("10 chữ số, hoặc 10 chữ số, dấu “-” và 3 chữ số của đơn vị phụ thuộc."),
        max_length=14,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=gettext_lazy("Số điện thoại"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.CharField(
        label=gettext_lazy("Thư điện tử"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    address = forms.CharField(
        label=gettext_lazy("Địa chỉ"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": "2", "autocomplete": "street-address"}),
    )

    def __init__(self, *args: Any, today: date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today or clock.today()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("name", "").strip():
            self.add_error("name", _("Hãy nhập họ tên người nộp hoặc tên tổ chức."))
        if data.get("kind") == Applicant.Kind.PERSON:
            number = normalise_personal_id(data.get("national_id", ""))
            if not number:
                self.add_error("national_id", _("Hãy nhập số định danh cá nhân gồm 12 chữ số."))
            elif problem := personal_id_problem(number, today=self.today):
                self.add_error("national_id", problem)
        elif data.get("kind") == Applicant.Kind.ORGANISATION:
            code = data.get("tax_code", "").strip()
            if not code:
                self.add_error("tax_code", _("Hãy nhập mã số thuế của tổ chức."))
            elif problem := rules.tax_code_problem(code):
                self.add_error("tax_code", problem)
        phone = data.get("phone", "").strip()
        if phone and (problem := phone_problem(normalise_phone(phone))):
            self.add_error("phone", problem)
        email = data.get("email", "").strip()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                self.add_error("email", _("Địa chỉ thư điện tử không hợp lệ, ví dụ ten@example.vn."))
        return data

    def applicant(self) -> ApplicantData:
        data = self.cleaned_data
        person = data["kind"] == Applicant.Kind.PERSON
        return ApplicantData(
            kind=data["kind"],
            name=data["name"],
            national_id=data["national_id"] if person else "",
            tax_code="" if person else data["tax_code"],
            phone=data["phone"],
            email=data["email"],
            address=data["address"],
        )


def _document_label(name: str, form: str, count: int, required: bool) -> str:
    form_label = DocumentForm(form).label if form in DocumentForm.values else form
    label = _("%(name)s (%(form)s, %(count)d bản)") % {"name": name, "form": form_label, "count": count}
    return label if required else _("%(label)s — không bắt buộc") % {"label": label}


class ScanFieldsMixin(forms.Form):
    """Upload fields checked by their content (``core.files.check_upload``); the checked files wait in
    ``self.scans`` until every other field is valid, so a refused form stores nothing."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scans: dict[int, tuple[CheckedFile, UploadedFile]] = {}

    def add_scan_field(self, pk: int, name: str) -> None:
        self.fields[f"file_{pk}"] = forms.FileField(
            label=_("Bản quét: %(name)s") % {"name": name},
            help_text=scan_hint(),
            required=False,
            widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
        )

    def check_scans(self, pks: Sequence[int]) -> None:
        for pk in pks:
            upload = self.cleaned_data.get(f"file_{pk}")
            if not upload:
                continue
            try:
                self.scans[pk] = (check_upload(upload, allowed=SCAN_KINDS, max_bytes=SCAN_MAX_BYTES), upload)
            except FileRejected as refused:
                self.add_error(f"file_{pk}", refused.messages[0])


class DocumentsForm(ScanFieldsMixin):
    """One "received" tick and one optional scan per required document of the procedure."""

    def __init__(self, *args: Any, documents: Sequence[RequiredDocument], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.documents = list(documents)
        for document in self.documents:
            self.fields[f"received_{document.pk}"] = forms.BooleanField(
                label=_document_label(document.name, document.form, document.count, document.is_required),
                required=False,
            )
            self.add_scan_field(document.pk, document.name)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.check_scans([d.pk for d in self.documents])
        return data

    def rows(self) -> list[tuple[RequiredDocument, forms.BoundField, forms.BoundField]]:
        return [(d, self[f"received_{d.pk}"], self[f"file_{d.pk}"]) for d in self.documents]

    def is_received(self, document: RequiredDocument) -> bool:
        return bool(self.cleaned_data.get(f"received_{document.pk}")) or document.pk in self.scans

    def missing_required(self) -> list[str]:
        return [d.name for d in self.documents if d.is_required and not self.is_received(d)]

    def not_received(self) -> list[str]:
        return [d.name for d in self.documents if not self.is_received(d)]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Kết quả kiểm tra hồ sơ"),
        choices=[
            (
                DeskDecision.ACCEPT.value,
                gettext_lazy("Tiếp nhận hồ sơ (in Giấy tiếp nhận và hẹn trả kết quả)"),
            ),
            (DeskDecision.SUPPLEMENT.value, gettext_lazy("Yêu cầu bổ sung, hoàn thiện hồ sơ")),
            (DeskDecision.REFUSE.value, gettext_lazy("Từ chối tiếp nhận hồ sơ")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Hãy chọn tiếp nhận, yêu cầu bổ sung hoặc từ chối.")},
    )
    reason = forms.CharField(
        label=gettext_lazy("Lý do (khi yêu cầu bổ sung hoặc từ chối)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": "3"}),
    )
    missing = forms.CharField(
        label=gettext_lazy("Giấy tờ cần bổ sung, hoàn thiện"),
        help_text=gettext_lazy(
            "Mỗi dòng một giấy tờ. Để trống: liệt kê các giấy tờ chưa đánh dấu “đã nhận” ở trên."
        ),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": "3"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        decision = data.get("decision")
        if decision == DeskDecision.SUPPLEMENT and not data.get("reason", "").strip():
            self.add_error("reason", _("Hãy ghi lý do yêu cầu bổ sung."))
        if decision == DeskDecision.REFUSE and not data.get("reason", "").strip():
            self.add_error("reason", _("Hãy ghi lý do từ chối tiếp nhận."))
        return data

    @property
    def chosen(self) -> DeskDecision:
        return DeskDecision(self.cleaned_data["decision"])

    def missing_lines(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("missing", "").splitlines() if line.strip()]


class ResubmissionForm(ScanFieldsMixin):
    """What the applicant brought back after a supplement request: ticks, scans, a note."""

    note = forms.CharField(
        label=gettext_lazy("Ghi chú"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": "2"}),
    )

    def __init__(self, *args: Any, dossier: Dossier, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pending: list[DossierDocument] = [d for d in dossier.documents.all() if not d.received]
        for document in self.pending:
            self.fields[f"received_{document.pk}"] = forms.BooleanField(
                label=_document_label(document.name, document.form, document.count, document.is_required),
                required=False,
            )
            self.add_scan_field(document.pk, document.name)
        self.order_fields([name for name in self.fields if name != "note"] + ["note"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.check_scans([d.pk for d in self.pending])
        return data

    def rows(self) -> list[tuple[DossierDocument, forms.BoundField, forms.BoundField]]:
        return [(d, self[f"received_{d.pk}"], self[f"file_{d.pk}"]) for d in self.pending]

    def received_pks(self) -> list[int]:
        return [d.pk for d in self.pending if self.cleaned_data.get(f"received_{d.pk}") or d.pk in self.scans]
