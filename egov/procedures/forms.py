"""Render a form schema as a Django form: used by the one-stop desk and the online wizard.

Every field is optional at the Django level: whether an answer is required depends on the other
answers (conditions), so ``clean()`` hands the whole submission to ``rules.check_answers`` and
shows its Vietnamese messages on the fields. Widgets carry ``autocomplete`` and ``inputmode`` so
that phones show the right keyboard, and ``data-show-if-*`` attributes for the optional script
that hides conditional fields; without the script every field shows and the server still decides.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext as _

from egov.core import clock
from egov.procedures.models import FormSchema
from egov.procedures.rules import DEFAULT_MAX_LENGTH, FieldType, check_answers

# Radio buttons up to this many choices (all visible at once), a drop-down list beyond.
_MAX_RADIO_CHOICES = 4

_INPUT_ATTRS: dict[FieldType, dict[str, str]] = {
    FieldType.TEXT: {},
    FieldType.NUMBER: {"inputmode": "decimal", "autocomplete": "off"},
    FieldType.DATE: {"inputmode": "numeric", "placeholder": "dd/mm/yyyy", "autocomplete": "off"},
    FieldType.PERSON: {"autocomplete": "name", "autocapitalize": "words"},
    FieldType.ID_NUMBER: {"inputmode": "numeric", "autocomplete": "off", "maxlength": "15"},
    FieldType.PHONE: {"inputmode": "tel", "autocomplete": "tel"},
    FieldType.EMAIL: {"inputmode": "email", "autocomplete": "email", "spellcheck": "false"},
}


class SchemaForm(forms.Form):
    """Base of the generated forms: server-side validation delegated to ``rules.check_answers``."""

    schema_fields: ClassVar[Sequence[Mapping[str, Any]]] = ()
    schema_version: ClassVar[int | None] = None

    def __init__(self, *args: Any, today: date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today or clock.today()
        self.answers: dict[str, str] = {}

    def clean(self) -> dict[str, Any]:
        submitted = {key: value for key, value in (super().clean() or {}).items() if value not in (None, "")}
        result = check_answers(self.schema_fields, submitted, today=self.today)
        for key, message in result.errors.items():
            if key not in self.errors:  # a choice Django already refused keeps its one message
                self.add_error(key if key in self.fields else None, message)
        self.answers = result.cleaned
        return dict(result.cleaned)


def build_form_class(schema: FormSchema | Sequence[Mapping[str, Any]]) -> type[SchemaForm]:
    """A form class for a published schema (or a bare field list, e.g. a preview in the admin)."""
    fields = schema.fields if isinstance(schema, FormSchema) else list(schema)
    attrs: dict[str, Any] = {spec["key"]: form_field(spec) for spec in fields}
    attrs["schema_fields"] = fields
    attrs["schema_version"] = schema.version if isinstance(schema, FormSchema) else None
    return type("GeneratedSchemaForm", (SchemaForm,), attrs)


def form_field(spec: Mapping[str, Any]) -> forms.Field:
    """The Django field for one specification (labels and help as written in the schema)."""
    kind = FieldType(spec["type"])
    common: dict[str, Any] = {"label": spec["label"], "required": False, "help_text": spec.get("help", "")}
    if kind is FieldType.CHOICE:
        field: forms.Field = _choice_field(spec, common)
    else:
        field = forms.CharField(widget=_text_widget(kind, spec), strip=True, **common)
    _mark_required_and_condition(field, spec)
    return field


def _choice_field(spec: Mapping[str, Any], common: dict[str, Any]) -> forms.ChoiceField:
    choices = [(c["value"], c["label"]) for c in spec["choices"]]
    if len(choices) <= _MAX_RADIO_CHOICES:
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
    return forms.ChoiceField(choices=[("", _("— Chọn —")), *choices], widget=forms.Select, **common)


def _text_widget(kind: FieldType, spec: Mapping[str, Any]) -> forms.Widget:
    if kind in (FieldType.TEXTAREA, FieldType.ADDRESS):
        attrs = {"rows": "3" if kind is FieldType.TEXTAREA else "2"}
        if kind is FieldType.ADDRESS:
            attrs["autocomplete"] = "street-address"
        return forms.Textarea(attrs=attrs)
    attrs = dict(_INPUT_ATTRS[kind])
    if kind in (FieldType.TEXT, FieldType.PERSON):
        attrs["maxlength"] = str(spec.get("max_length", DEFAULT_MAX_LENGTH))
    if kind is FieldType.EMAIL:
        return forms.EmailInput(attrs=attrs)
    if kind is FieldType.PHONE:
        return forms.TextInput(attrs={**attrs, "type": "tel"})
    return forms.TextInput(attrs=attrs)


def _mark_required_and_condition(field: forms.Field, spec: Mapping[str, Any]) -> None:
    condition = spec.get("show_if")
    if spec.get("required", False):
        # aria-required, not the HTML attribute: a field hidden by its condition must not block
        # the browser's submission; the server checks requiredness with the conditions applied.
        field.widget.attrs["aria-required"] = "true"
    if condition is not None:
        field.widget.attrs["data-show-if-field"] = condition["field"]
        field.widget.attrs["data-show-if-equals"] = condition["equals"]
