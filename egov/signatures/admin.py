"""Administrators upload trust roots and intermediates here (egov.signatures.trust checks them), and
signers' signature images and agencies' seal images with the seal's key name (egov.signatures.images
checks the PNG and audits the change)."""

from __future__ import annotations

import base64
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString

from egov.accounts.models import User
from egov.accounts.scope import scope_of
from egov.organizations.models import Agency, Membership
from egov.signatures import images, trust
from egov.signatures.models import AgencySeal, IssuedFile, SignatureImage, TrustedCertificate


class TrustedCertificateForm(forms.ModelForm):
    certificate_file = forms.FileField(label="Tệp chứng thư (PEM hoặc DER)")

    class Meta:
        model = TrustedCertificate
        fields = ["kind", "note"]

    def clean_certificate_file(self) -> bytes:
        data: bytes = self.cleaned_data["certificate_file"].read(trust.MAX_CERTIFICATE_BYTES + 1)
        trust.parse_certificate(data)
        return data

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "certificate_file" in cleaned and "kind" in cleaned:
            trust.check_certificate(cleaned["certificate_file"], cleaned["kind"])
        return cleaned


@admin.register(TrustedCertificate)
class TrustedCertificateAdmin(admin.ModelAdmin):
    list_display = ["subject", "kind", "not_after", "is_active", "sha256"]
    list_filter = ["kind", "is_active"]
    search_fields = ["subject", "sha256"]
    readonly_fields = [
        "subject",
        "issuer",
        "serial",
        "sha256",
        "not_before",
        "not_after",
        "added_at",
        "added_by",
    ]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = TrustedCertificateForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["kind", "note", "certificate_file"]
        return ["kind", "is_active", "note", *self.readonly_fields]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            trust.set_certificate_active(actor=request.user, certificate=obj, active=obj.is_active)  # type: ignore[arg-type]
            return
        created = trust.add_trusted_certificate(
            actor=request.user,  # type: ignore[arg-type]
            data=form.cleaned_data["certificate_file"],
            kind=form.cleaned_data["kind"],
            note=form.cleaned_data.get("note", ""),
        )
        obj.pk = created.pk

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_authenticated and trust.may_manage_trust(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_change_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_change_permission(request, obj)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_change_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate instead: past validations stay explainable


@admin.register(IssuedFile)
class IssuedFileAdmin(admin.ModelAdmin):
    list_display = ["number_notation", "issuer_name", "issued_at", "token"]
    search_fields = ["number_notation", "token", "sha256"]
    readonly_fields = [f.name for f in IssuedFile._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- signature images and seals ---------------------------------------------------------------


def _managed_agency_ids(user: Any) -> set[int] | None:
    """Agencies whose images ``user`` manages; ``None``: all (a superuser)."""
    if not user.is_authenticated:
        return set()
    if user.is_superuser:
        return None
    return set(scope_of(user).agencies_where(images.MANAGE))


class PngUploadForm(forms.ModelForm):
    image_file = forms.FileField(
        label="Tệp ảnh (PNG nền trong suốt)",
        help_text=f"PNG có kênh alpha, mỗi chiều {images.MIN_SIDE}–{images.MAX_SIDE} điểm ảnh, "
        f"tối đa {images.MAX_IMAGE_BYTES // 1024} KB.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # changing the key name alone keeps the image
            self.fields["image_file"].required = False

    def clean_image_file(self) -> bytes:
        upload = self.cleaned_data.get("image_file")
        if not upload:
            return bytes(self.instance.png) if self.instance.pk else b""
        data: bytes = upload.read(images.MAX_IMAGE_BYTES + 1)
        return images.check_png(data, name=upload.name or "anh.png")


class SignatureImageForm(PngUploadForm):
    class Meta:
        model = SignatureImage
        fields = ["user"]


class AgencySealForm(PngUploadForm):
    class Meta:
        model = AgencySeal
        fields = ["agency", "key_name"]
        help_texts = {"key_name": "Tên khóa trong cấu hình EGOV_SIGNING_KEYS, ví dụ agency:000.00.03.H12."}


def _preview(png: bytes | memoryview | None, alt: str) -> SafeString | str:
    if not png:
        return "—"
    data = base64.b64encode(bytes(png)).decode("ascii")
    return format_html('<img src="data:image/png;base64,{}" alt="{}" style="max-height: 90px">', data, alt)


class ImageAdmin(admin.ModelAdmin):
    """Shared rules: administrators of the agency (or superusers); no delete (replace instead)."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        managed = _managed_agency_ids(request.user)
        return managed is None or bool(managed)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a signature image or seal is replaced, never silently removed

    owner = ""  # the one-to-one field: fixed once the row exists

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fixed = [self.owner] if obj is not None else []
        return [*fixed, "preview", "updated_at"]

    def preview(self, obj: Any) -> SafeString | str:
        return _preview(obj.png if obj is not None else None, str(obj))

    preview.short_description = "Ảnh"  # type: ignore[attr-defined]


@admin.register(SignatureImage)
class SignatureImageAdmin(ImageAdmin):
    form = SignatureImageForm
    list_display = ["user", "preview", "updated_at"]
    search_fields = ["user__username", "user__full_name"]
    owner = "user"
    fields = ["user", "image_file", "preview", "updated_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[SignatureImage]:
        rows = super().get_queryset(request).select_related("user")
        managed = _managed_agency_ids(request.user)
        if managed is None:
            return rows
        members = Membership.objects.filter(agency_id__in=managed, is_active=True).values("user_id")
        return rows.filter(user_id__in=members)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "user":
            managed = _managed_agency_ids(request.user)
            officials = User.objects.filter(memberships__is_active=True).distinct()
            if managed is not None:
                officials = officials.filter(memberships__agency_id__in=managed)
            kwargs["queryset"] = officials
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = images.set_signature_image(
            actor=request.user,  # type: ignore[arg-type]
            user=obj.user if change else form.cleaned_data["user"],
            png=form.cleaned_data["image_file"],
        )
        obj.pk = saved.pk


@admin.register(AgencySeal)
class AgencySealAdmin(ImageAdmin):
    form = AgencySealForm
    list_display = ["agency", "key_name", "preview", "updated_at"]
    search_fields = ["agency__name", "agency__code", "key_name"]
    owner = "agency"
    fields = ["agency", "key_name", "image_file", "preview", "updated_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[AgencySeal]:
        rows = super().get_queryset(request).select_related("agency")
        managed = _managed_agency_ids(request.user)
        return rows if managed is None else rows.filter(agency_id__in=managed)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "agency":
            managed = _managed_agency_ids(request.user)
            kwargs["queryset"] = (
                Agency.objects.all() if managed is None else Agency.objects.filter(pk__in=managed)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = images.set_agency_seal(
            actor=request.user,  # type: ignore[arg-type]
            agency=obj.agency if change else form.cleaned_data["agency"],
            png=form.cleaned_data["image_file"],
            key_name=form.cleaned_data["key_name"],
        )
        obj.pk = saved.pk
