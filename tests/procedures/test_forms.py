"""A form schema rendered as a Django form: labels, widgets, conditional requiredness."""

from __future__ import annotations

from datetime import date

from django import forms

from egov.procedures.forms import build_form_class
from tests.procedures.conftest import FORM_FIELDS

TODAY = date(2026, 3, 9)


def make(data: dict[str, str]) -> forms.Form:
    return build_form_class(FORM_FIELDS)(data=data, today=TODAY)


def test_fields_carry_the_vietnamese_labels_and_mobile_friendly_widgets() -> None:
    form = make({})
    assert list(form.fields) == ["ho_ten", "so_dinh_danh", "nhan_ket_qua", "dia_chi_nhan"]
    assert form.fields["ho_ten"].label == "Họ, chữ đệm và tên"
    assert form.fields["ho_ten"].widget.attrs["autocomplete"] == "name"
    assert form.fields["so_dinh_danh"].widget.attrs["inputmode"] == "numeric"
    assert isinstance(form.fields["nhan_ket_qua"].widget, forms.RadioSelect)
    assert form.fields["dia_chi_nhan"].widget.attrs["data-show-if-field"] == "nhan_ket_qua"
    assert form.fields["dia_chi_nhan"].widget.attrs["autocomplete"] == "street-address"
    assert form.fields["ho_ten"].widget.attrs["aria-required"] == "true"


def test_many_choices_render_as_a_select_with_an_empty_option() -> None:
    spec = {
        "key": "x",
        "label": "Chọn",
        "type": "choice",
        "choices": [{"value": str(i), "label": f"Mục {i}"} for i in range(6)],
    }
    field = build_form_class([spec])().fields["x"]
    assert isinstance(field.widget, forms.Select)
    assert field.choices[0] == ("", "— Chọn —")  # type: ignore[attr-defined]


def test_a_valid_submission_gives_the_cleaned_answers() -> None:
    form = make({"ho_ten": "Nguyễn Văn An", "so_dinh_danh": "096085004217", "nhan_ket_qua": "truc_tiep"})
    assert form.is_valid(), form.errors
    assert form.answers == {
        "ho_ten": "Nguyễn Văn An",
        "so_dinh_danh": "096085004217",
        "nhan_ket_qua": "truc_tiep",
    }


def test_server_side_validation_uses_the_rules_messages_and_conditions() -> None:
    form = make({"ho_ten": "An 2", "so_dinh_danh": "123", "nhan_ket_qua": "buu_chinh"})
    assert not form.is_valid()
    assert "chữ cái" in form.errors["ho_ten"][0]
    assert "12 chữ số" in form.errors["so_dinh_danh"][0]
    assert form.errors["dia_chi_nhan"] == ["Hãy nhập “Địa chỉ nhận kết quả”."]


def test_a_field_hidden_by_its_condition_is_not_required() -> None:
    form = make({"ho_ten": "Nguyễn Văn An", "so_dinh_danh": "096085004217", "nhan_ket_qua": "truc_tiep"})
    assert form.is_valid()
    assert "dia_chi_nhan" not in form.answers


def test_a_published_schema_builds_a_form_that_remembers_its_version(db: object) -> None:
    from egov.procedures.models import Field, FormSchema, Procedure

    procedure = Procedure.objects.create(
        code="1.0",
        name="Thủ tục",
        field=Field.objects.create(code="f", name="F"),
        level="commune",
        processing_amount=1,
    )
    schema = FormSchema.objects.create(procedure=procedure, version=3, title="Tờ khai", fields=FORM_FIELDS)
    assert build_form_class(schema).schema_version == 3
