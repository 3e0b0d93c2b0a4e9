"""Django admin for the catalogue: administrators only.

Procedures are edited with their fees and documents inline; process templates with their steps
(the shares must add up to 100 %); form schemas are published as new versions through
``services.publish_form_schema`` and never edited in place, since filled applications refer to
the version they used. Every save leaves an audit event.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov.accounts.models import User
from egov.core import audit
from egov.procedures import services
from egov.procedures.models import (
    Fee,
    Field,
    FormSchema,
    Procedure,
    ProcessStep,
    ProcessTemplate,
    RequiredDocument,
)
from egov.procedures.rules import schema_problems, share_problems


def _actor(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied(_("Bạn cần đăng nhập."))
    return user


def _record(request: HttpRequest, obj: Model, verb: str, fields: list[str]) -> None:
    audit.record(
        actor=_actor(request),
        action=f"procedures.{verb}_{obj._meta.model_name}",
        obj=obj,
        details={"fields": fields},
    )


class AuditedAdmin[M: Model](admin.ModelAdmin[M]):
    """Saves, inline changes and deletions leave audit events, as the services do."""

    def save_model(self, request: HttpRequest, obj: M, form: forms.ModelForm[M], change: bool) -> None:
        services.require_manage(_actor(request))
        super().save_model(request, obj, form, change)
        _record(request, obj, "change" if change else "add", list(form.changed_data))

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            _record(request, obj, "add", [])
        for obj, fields in formset.changed_objects:
            _record(request, obj, "change", list(fields))
        for obj in formset.deleted_objects:
            _record(request, obj, "delete", [])

    def delete_model(self, request: HttpRequest, obj: M) -> None:
        _record(request, obj, "delete", [])
        super().delete_model(request, obj)


@admin.register(Field)
class FieldAdmin(AuditedAdmin[Field]):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


class FeeInline(admin.TabularInline[Fee, Procedure]):
    model = Fee
    fields = ["order", "name", "amount", "schedule", "collected_by", "exemptions"]
    extra = 0


class RequiredDocumentInline(admin.TabularInline[RequiredDocument, Procedure]):
    model = RequiredDocument
    fields = ["order", "name", "form", "count", "is_required", "filled_online", "note", "blank_form"]
    extra = 0


@admin.register(Procedure)
class ProcedureAdmin(AuditedAdmin[Procedure]):
    list_display = [
        "code",
        "name",
        "field",
        "level",
        "processing_display",
        "online_level",
        "is_illustrative",
        "is_active",
    ]
    list_filter = ["is_active", "is_illustrative", "level", "online_level", "field"]
    search_fields = ["code", "name", "field__name"]
    list_select_related = ["field"]
    autocomplete_fields = ["field"]
    filter_horizontal = ["offered_by"]
    inlines = [FeeInline, RequiredDocumentInline]
    fieldsets = [
        (
            None,
            {"fields": ["code", "name", "field", "level", "implementing_body", "offered_by", "is_active"]},
        ),
        (
            gettext_lazy("Thời hạn giải quyết"),
            {"fields": ["processing_amount", "processing_unit", "cutoff_rule", "processing_note"]},
        ),
        (
            gettext_lazy("Kết quả, căn cứ, trực tuyến"),
            {
                "fields": [
                    "result_type",
                    "legal_basis",
                    "online_level",
                    "requires_verified_identity",
                    "accepts_docx",
                ]
            },
        ),
        (gettext_lazy("Nguồn dữ liệu"), {"fields": ["source", "is_illustrative"]}),
    ]

    @admin.display(description=gettext_lazy("thời hạn"))
    def processing_display(self, obj: Procedure) -> str:
        return str(obj.processing_time())


class ProcessStepInlineFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        shares = [
            form.cleaned_data["share_percent"]
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and "share_percent" in form.cleaned_data
        ]
        problems = share_problems(shares)
        if problems:
            raise ValidationError(problems)


class ProcessStepInline(admin.TabularInline[ProcessStep, ProcessTemplate]):
    model = ProcessStep
    formset = ProcessStepInlineFormSet
    fields = ["order", "name", "role", "division_abbreviation", "other_agency", "share_percent"]
    autocomplete_fields = ["other_agency"]
    extra = 0


@admin.register(ProcessTemplate)
class ProcessTemplateAdmin(AuditedAdmin[ProcessTemplate]):
    list_display = ["name", "procedure"]
    search_fields = ["name", "procedure__code", "procedure__name"]
    list_select_related = ["procedure"]
    autocomplete_fields = ["procedure"]
    inlines = [ProcessStepInline]


class FormSchemaAdminForm(forms.ModelForm[FormSchema]):
    """The fields as JSON text; problems shown in Vietnamese with the field they concern."""

    fields_json = forms.CharField(
        label=gettext_lazy("các trường (JSON)"),
        widget=forms.Textarea(attrs={"rows": 24, "cols": 100, "spellcheck": "false"}),
        help_text=gettext_lazy("Danh sách trường theo docs/catalogue-format.md, mục 4."),
    )

    class Meta:
        model = FormSchema
        fields = ["procedure", "title"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["fields_json"].initial = json.dumps(
                self.instance.fields, ensure_ascii=False, indent=2
            )

    def clean_fields_json(self) -> list[Any]:
        try:
            fields = json.loads(self.cleaned_data["fields_json"])
        except json.JSONDecodeError as error:
            raise ValidationError(
                _("JSON không hợp lệ ở dòng %(line)d, cột %(column)d.")
                % {"line": error.lineno, "column": error.colno}
            ) from None
        problems = schema_problems(fields)
        if problems:
            raise ValidationError([str(problem) for problem in problems])
        return list(fields)


@admin.register(FormSchema)
class FormSchemaAdmin(admin.ModelAdmin[FormSchema]):
    """Adding publishes a new version; existing versions are read-only."""

    form = FormSchemaAdminForm
    list_display = ["title", "procedure", "version", "is_current", "created_at"]
    list_filter = ["is_current"]
    search_fields = ["title", "procedure__code", "procedure__name"]
    list_select_related = ["procedure"]
    autocomplete_fields = ["procedure"]

    @admin.display(description=gettext_lazy("các trường (JSON)"))
    def fields_json(self, obj: FormSchema) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.fields, ensure_ascii=False, indent=2))

    def has_change_permission(self, request: HttpRequest, obj: FormSchema | None = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: FormSchema | None = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: FormSchema, form: forms.ModelForm[FormSchema], change: bool
    ) -> None:
        published = services.publish_form_schema(
            actor=_actor(request),
            procedure=form.cleaned_data["procedure"],
            title=form.cleaned_data["title"],
            fields=form.cleaned_data["fields_json"],
        )
        obj.pk, obj.version = published.pk, published.version
        obj._state.adding = False
