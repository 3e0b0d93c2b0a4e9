"""Administrators upload trust roots and intermediates here (egov.signatures.trust checks them)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from egov.signatures import trust
from egov.signatures.models import IssuedFile, TrustedCertificate


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
