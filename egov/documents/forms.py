"""Forms of the documents screens; choices are limited to what the actor may pick."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from egov.accounts.models import User
from egov.documents.models import DocumentType, OutgoingDocument, Register
from egov.documents.models.incoming import SECRECY_CHOICES, URGENCY_CHOICES
from egov.documents.rules import INCOMING_STATUS_LABELS, OUTGOING_STATUS_LABELS
from egov.organizations.models import Agency, Division, Membership

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def document_types(*, composable: bool = False) -> Any:
    rows = DocumentType.objects.filter(kind=DocumentType.Kind.DOCUMENT, is_active=True)
    return rows.filter(is_composable=True) if composable else rows


class PeopleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class IssuedDocumentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.notation} – {obj.summary[:80]}"


class PeopleMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


def officials_of(agency_id: int, roles: list[str] | None = None) -> Any:
    members = Membership.objects.filter(agency_id=agency_id, is_active=True)
    if roles:
        members = members.filter(role__in=roles)
    return User.objects.filter(pk__in=members.values("user_id"), is_active=True).order_by("full_name")


class IncomingForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Cơ quan nhận"), queryset=Agency.objects.none())
    issuer_name = forms.CharField(label=_("Cơ quan ban hành"), max_length=255)
    notation = forms.CharField(label=_("Số, ký hiệu"), max_length=60, help_text=_("Ví dụ 125/KH-UBND"))
    issued_on = forms.DateField(label=_("Ngày văn bản"), widget=DATE)
    document_type = forms.ModelChoiceField(label=_("Loại văn bản"), queryset=DocumentType.objects.none())
    summary = forms.CharField(label=_("Trích yếu"), widget=forms.Textarea(attrs={"rows": 3}))
    urgency = forms.ChoiceField(label=_("Độ khẩn"), choices=URGENCY_CHOICES)
    secrecy = forms.ChoiceField(
        label=_("Độ mật"),
        choices=SECRECY_CHOICES,
        help_text=_("Văn bản mật chỉ vào sổ thông tin, không tải tệp lên."),
    )
    pages = forms.IntegerField(label=_("Số trang"), min_value=1, required=False)
    deadline = forms.DateField(label=_("Hạn xử lý"), widget=DATE, required=False)
    scan = forms.FileField(label=_("Bản quét (PDF)"), required=False)
    acknowledge_duplicate = forms.BooleanField(
        label=_("Tôi đã kiểm tra: đây không phải văn bản đã vào sổ"), required=False
    )

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        self.fields["document_type"].queryset = document_types()  # type: ignore[attr-defined]
        if agencies.count() == 1:
            self.fields["agency"].initial = agencies.first()
            self.fields["agency"].widget = forms.HiddenInput()


class SubmitToLeaderForm(forms.Form):
    leader = PeopleChoiceField(label=_("Trình lãnh đạo"), queryset=User.objects.none())

    def __init__(self, *args: Any, agency_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = officials_of(agency_id, ["agency_leader"])  # type: ignore[attr-defined]


class InstructForm(forms.Form):
    instruction = forms.CharField(label=_("Ý kiến chỉ đạo"), widget=forms.Textarea(attrs={"rows": 3}))
    lead = forms.ChoiceField(label=_("Chủ trì xử lý"))
    cooperate = forms.MultipleChoiceField(
        label=_("Phối hợp"), required=False, widget=forms.CheckboxSelectMultiple
    )
    inform = forms.MultipleChoiceField(
        label=_("Để biết"), required=False, widget=forms.CheckboxSelectMultiple
    )
    deadline = forms.DateField(label=_("Hạn xử lý"), widget=DATE, required=False)

    def __init__(self, *args: Any, agency_id: int, secret: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = [
            (f"u:{u.pk}", u.display_name) for u in officials_of(agency_id, ["specialist", "division_head"])
        ]
        units = (
            []
            if secret
            else [
                (f"d:{d.pk}", str(d.name))
                for d in Division.objects.filter(agency_id=agency_id).order_by("name")
            ]
        )
        choices = [(str(_("Đơn vị")), units), (str(_("Cán bộ")), people)] if units else people
        self.fields["lead"].choices = [("", "—"), *choices]  # type: ignore[attr-defined]
        self.fields["cooperate"].choices = units + people  # type: ignore[attr-defined]
        self.fields["inform"].choices = units + people  # type: ignore[attr-defined]


class OpinionForm(forms.Form):
    text = forms.CharField(label=_("Ý kiến xử lý"), widget=forms.Textarea(attrs={"rows": 3}))
    attachment = forms.FileField(label=_("Tệp đính kèm (PDF)"), required=False)


class SubAssignForm(forms.Form):
    assignee = PeopleChoiceField(label=_("Giao tiếp cho"), queryset=User.objects.none())
    role = forms.ChoiceField(
        label=_("Vai trò"), choices=[("cooperate", _("Phối hợp")), ("inform", _("Để biết"))]
    )
    deadline = forms.DateField(label=_("Hạn"), widget=DATE, required=False)

    def __init__(self, *args: Any, agency_id: int, division_ids: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            pk__in=Membership.objects.filter(
                agency_id=agency_id, division_id__in=division_ids, is_active=True
            ).values("user_id")
        ).order_by("full_name")


class CompleteForm(forms.Form):
    note = forms.CharField(label=_("Kết quả xử lý"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Lý do mở lại"), widget=forms.Textarea(attrs={"rows": 2}))
    deadline = forms.DateField(
        label=_("Hạn xử lý mới"), widget=DATE, required=False, help_text=_("Để trống: giữ hạn cũ.")
    )


class DraftForm(forms.Form):
    MODES = [("compose", _("Soạn theo mẫu")), ("upload", _("Tải lên tệp PDF"))]

    division = forms.ModelChoiceField(label=_("Đơn vị soạn thảo"), queryset=Division.objects.none())
    document_type = forms.ModelChoiceField(label=_("Loại văn bản"), queryset=DocumentType.objects.none())
    summary = forms.CharField(label=_("Trích yếu"), widget=forms.Textarea(attrs={"rows": 2}))
    mode = forms.ChoiceField(
        label=_("Cách tạo dự thảo"), choices=MODES, widget=forms.RadioSelect, initial="compose"
    )
    place = forms.CharField(label=_("Địa danh"), max_length=60, required=False, help_text=_("Ví dụ Cà Mau"))
    title = forms.CharField(
        label=_("Tên văn bản"),
        max_length=255,
        required=False,
        help_text=_("Để trống với công văn: trích yếu được ghi sau “V/v”."),
    )
    addressees = forms.CharField(label=_("Kính gửi"), max_length=255, required=False)
    body = forms.CharField(
        label=_("Nội dung"),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        help_text=_("Mỗi dòng là một đoạn."),
    )
    upload = forms.FileField(
        label=_("Tệp dự thảo (PDF hoặc DOCX)"), required=False, help_text=_("Tệp DOCX được chuyển sang PDF.")
    )
    recipient_agencies = forms.ModelMultipleChoiceField(
        label=_("Nơi nhận trong hệ thống"),
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    external_recipients = forms.CharField(
        label=_("Nơi nhận khác"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Mỗi dòng một nơi nhận (gửi qua trục liên thông hoặc bản giấy)."),
    )
    urgency = forms.ChoiceField(label=_("Độ khẩn"), choices=URGENCY_CHOICES)
    corrects = IssuedDocumentChoiceField(
        label=_("Đính chính văn bản"),
        queryset=OutgoingDocument.objects.none(),
        required=False,
        help_text=_(
            "Văn bản đã phát hành có sai sót về thể thức, kỹ thuật trình bày; văn bản đính chính là công văn."
        ),
    )

    def __init__(self, *args: Any, divisions: Any, corrigible: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if corrigible is None:
            del self.fields["corrects"]
        else:
            self.fields["corrects"].queryset = corrigible  # type: ignore[attr-defined]
        self.fields["division"].queryset = divisions  # type: ignore[attr-defined]
        self.fields["document_type"].queryset = document_types()  # type: ignore[attr-defined]
        own = {d.agency_id for d in divisions}
        self.fields["recipient_agencies"].queryset = (  # type: ignore[attr-defined]
            Agency.objects.filter(is_active=True).exclude(pk__in=own).order_by("name")
        )
        if divisions.count() == 1:
            self.fields["division"].initial = divisions.first()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("mode") == "upload" and not data.get("upload"):
            self.add_error("upload", _("Chọn tệp dự thảo (PDF hoặc DOCX)."))
        if data.get("mode") == "compose":
            if not (data.get("body") or "").strip():
                self.add_error("body", _("Cần nhập nội dung văn bản."))
            if not (data.get("place") or "").strip():
                self.add_error("place", _("Cần ghi địa danh."))
        return data


class SecretOutgoingForm(forms.Form):
    """A secret document signed on paper: the clerk records its metadata only."""

    division = forms.ModelChoiceField(label=_("Đơn vị soạn thảo"), queryset=Division.objects.none())
    document_type = forms.ModelChoiceField(label=_("Loại văn bản"), queryset=DocumentType.objects.none())
    summary = forms.CharField(label=_("Trích yếu"), widget=forms.Textarea(attrs={"rows": 2}))
    secrecy = forms.ChoiceField(label=_("Độ mật"), choices=SECRECY_CHOICES[1:])
    signer = PeopleChoiceField(label=_("Người ký"), queryset=User.objects.none())
    recipient_agencies = forms.ModelMultipleChoiceField(
        label=_("Nơi nhận trong hệ thống"),
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    external_recipients = forms.CharField(
        label=_("Nơi nhận khác"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, agency_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = Division.objects.filter(agency_id=agency_id)  # type: ignore[attr-defined]
        self.fields["document_type"].queryset = document_types()  # type: ignore[attr-defined]
        self.fields["signer"].queryset = officials_of(agency_id, ["agency_leader"])  # type: ignore[attr-defined]
        self.fields["recipient_agencies"].queryset = (  # type: ignore[attr-defined]
            Agency.objects.filter(is_active=True).exclude(pk=agency_id).order_by("name")
        )


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Ý kiến"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class IssueForm(forms.Form):
    """The clerk issues: the PIN of the agency's seal key when the signed PDF gets the digital seal
    (used for this request only, never stored)."""

    seal_pin = forms.CharField(
        label=_("Mã PIN con dấu số của cơ quan"),
        required=False,
        strip=False,
        max_length=64,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=_("Văn thư giữ con dấu số: nhập mã PIN của khóa ký số cơ quan để cấp số và đóng dấu."),
    )


class SignerForm(forms.Form):
    signer = PeopleChoiceField(label=_("Người ký"), queryset=User.objects.none())
    comment = forms.CharField(label=_("Ý kiến"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, agency_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["signer"].queryset = officials_of(agency_id, ["agency_leader"])  # type: ignore[attr-defined]


class VersionForm(forms.Form):
    upload = forms.FileField(label=_("Tệp dự thảo mới (PDF hoặc DOCX)"))
    note = forms.CharField(label=_("Ghi chú"), max_length=255, required=False)


class SearchForm(forms.Form):
    KINDS = [("incoming", _("Văn bản đến")), ("outgoing", _("Văn bản đi"))]
    ORDERS = [("newest", _("Mới nhất trước")), ("relevance", _("Phù hợp nhất trước"))]

    q = forms.CharField(
        label=_("Từ khóa"),
        required=False,
        max_length=200,
        help_text=_("Số ký hiệu, trích yếu, cơ quan ban hành, nội dung; gõ có dấu hoặc không dấu."),
    )
    kind = forms.ChoiceField(label=_("Loại"), choices=KINDS, required=False, initial="incoming")
    register = forms.ModelChoiceField(label=_("Sổ"), queryset=Register.objects.none(), required=False)
    document_type = forms.ModelChoiceField(
        label=_("Loại văn bản"), queryset=DocumentType.objects.none(), required=False
    )
    status = forms.ChoiceField(label=_("Trạng thái"), required=False)
    urgency = forms.ChoiceField(label=_("Độ khẩn"), choices=[("", "—"), *URGENCY_CHOICES], required=False)
    date_from = forms.DateField(label=_("Từ ngày"), widget=DATE, required=False)
    date_to = forms.DateField(label=_("Đến ngày"), widget=DATE, required=False)
    person = PeopleChoiceField(
        label=_("Người xử lý, soạn thảo hoặc ký"), queryset=User.objects.none(), required=False
    )
    order = forms.ChoiceField(label=_("Sắp xếp"), choices=ORDERS, required=False, initial="newest")

    def __init__(self, *args: Any, agency_ids: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            pk__in=Membership.objects.filter(agency_id__in=agency_ids, is_active=True).values("user_id"),
            is_official=True,
        ).order_by("full_name")
        self.fields["register"].queryset = Register.objects.filter(agency_id__in=agency_ids)  # type: ignore[attr-defined]
        self.fields["document_type"].queryset = document_types()  # type: ignore[attr-defined]
        statuses = [
            (str(k), v) for k, v in [*INCOMING_STATUS_LABELS.items(), *OUTGOING_STATUS_LABELS.items()]
        ]
        self.fields["status"].choices = [("", "—"), *statuses]  # type: ignore[attr-defined]


class ReassignForm(forms.Form):
    absent = PeopleChoiceField(label=_("Cán bộ vắng mặt"), queryset=User.objects.none())
    to = PeopleChoiceField(label=_("Giao cho"), queryset=User.objects.none())

    def __init__(self, *args: Any, agency_id: int, division_ids: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = User.objects.filter(
            pk__in=Membership.objects.filter(
                agency_id=agency_id, division_id__in=division_ids, is_active=True
            ).values("user_id")
        ).order_by("full_name")
        self.fields["absent"].queryset = people  # type: ignore[attr-defined]
        self.fields["to"].queryset = people  # type: ignore[attr-defined]


PLACEMENT_PARTS = {
    "signer": _("Chữ ký của người ký"),
    "number": _("Số, ký hiệu"),
    "date": _("Ngày ban hành"),
}


class PlacementForm(forms.Form):
    """Where the signature, number and date go on an uploaded draft: page, and the centre of each
    box in millimetres from the page's left and top edges (what a ruler on the printout shows).
    The page previews fill these in on a click; typing them is the keyboard way."""

    def __init__(self, *args: Any, page_count: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for part, label in PLACEMENT_PARTS.items():
            self.fields[f"{part}_page"] = forms.IntegerField(
                label=_("%(part)s: trang") % {"part": label}, min_value=1, max_value=max(page_count, 1)
            )
            self.fields[f"{part}_left"] = forms.DecimalField(
                label=_("%(part)s: cách mép trái (mm)") % {"part": label},
                min_value=0,
                max_digits=5,
                decimal_places=1,
            )
            self.fields[f"{part}_top"] = forms.DecimalField(
                label=_("%(part)s: cách mép trên (mm)") % {"part": label},
                min_value=0,
                max_digits=5,
                decimal_places=1,
            )

    def parts(self) -> list[tuple[str, str, list[Any]]]:
        """(part, label, its three bound fields) for the template."""
        return [
            (part, str(label), [self[f"{part}_{name}"] for name in ("page", "left", "top")])
            for part, label in PLACEMENT_PARTS.items()
        ]
