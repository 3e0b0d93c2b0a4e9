"""Pure rules: procedure codes, step shares, form schemas, conditions and filled answers."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from egov.procedures.rules import (
    FieldType,
    canonical_fields,
    check_answers,
    procedure_code_problem,
    schema_problems,
    share_problems,
    shown_keys,
)
from tests.factories import personal_id
from tests.procedures.conftest import FORM_FIELDS

TODAY = date(2026, 3, 9)


def problems_of(fields: Any) -> list[str]:
    return [str(p) for p in schema_problems(fields)]


@pytest.mark.parametrize("code", ["1.001193", "2.000815", "1.001612", "10.1"])
def test_national_codes_are_digit_groups_separated_by_dots(code: str) -> None:
    assert procedure_code_problem(code) is None


@pytest.mark.parametrize("code", ["", "1001193", "1..001", "1.001193.", "a.001", " 1.001", "1.001193 "])
def test_other_codes_are_refused_with_a_vietnamese_reason(code: str) -> None:
    assert procedure_code_problem(code)


def test_step_shares_must_add_up_to_one_hundred() -> None:
    assert share_problems([10, 50, 15, 15, 10]) == []
    assert "100" in share_problems([10, 50, 15])[0]
    assert share_problems([]) == ["Quy trình cần ít nhất một bước."]
    assert "Bước 2" in share_problems([50, 0, 50])[0]


def test_the_reference_schema_is_valid() -> None:
    assert problems_of(FORM_FIELDS) == []


def test_a_schema_must_be_a_non_empty_list() -> None:
    assert problems_of({"fields": []}) == ["fields: Danh sách trường phải là một mảng JSON."]
    assert problems_of([]) == ["fields: Tờ khai cần ít nhất một trường."]


@pytest.mark.parametrize(
    ("change", "path", "fragment"),
    [
        ({"key": "Họ tên"}, "fields[0].key", "Mã trường"),
        ({"type": "datetime"}, "fields[0].type", "kiểu “datetime”"),
        ({"label": ""}, "fields[0].label", "cần nhãn"),
        ({"required": "có"}, "fields[0].required", "true hoặc false"),
        ({"choices": [{"value": "a", "label": "A"}]}, "fields[0].choices", "không dùng thuộc tính “choices”"),
        ({"max_length": "50"}, "fields[0].max_length", "số nguyên"),
    ],
)
def test_each_field_problem_names_the_field_and_the_attribute(
    change: dict[str, Any], path: str, fragment: str
) -> None:
    fields = copy.deepcopy(FORM_FIELDS)
    fields[0].update(change)
    found = schema_problems(fields)
    assert [p.path for p in found] == [path]
    assert fragment in found[0].message


def test_duplicate_keys_are_refused() -> None:
    fields = copy.deepcopy(FORM_FIELDS)
    fields[1]["key"] = "ho_ten"
    assert problems_of(fields) == ["fields[1].key: Trường “ho_ten” bị trùng mã."]


def test_a_choice_field_needs_unique_single_line_choices() -> None:
    fields = copy.deepcopy(FORM_FIELDS)
    fields[2]["choices"] = [{"value": "a", "label": "A"}, {"value": "a", "label": "B"}]
    assert "bị trùng" in problems_of(fields)[0]
    fields[2]["choices"] = []
    assert "ít nhất một lựa chọn" in problems_of(fields)[0]


def test_a_condition_may_only_refer_to_an_earlier_field_and_an_existing_choice() -> None:
    fields = copy.deepcopy(FORM_FIELDS)
    fields[3]["show_if"] = {"field": "khong_co", "equals": "x"}
    assert "đứng trước nó" in problems_of(fields)[0]
    fields[3]["show_if"] = {"field": "nhan_ket_qua", "equals": "fax"}
    assert problems_of(fields) == [
        "fields[3].show_if.equals: Trường “dia_chi_nhan”: "
        "“fax” không phải một lựa chọn của trường “nhan_ket_qua”."
    ]
    fields[3]["show_if"] = {"field": "dia_chi_nhan", "equals": "x"}  # itself: not earlier
    assert "đứng trước nó" in problems_of(fields)[0]


def test_a_field_shown_only_under_a_condition_is_hidden_otherwise() -> None:
    assert "dia_chi_nhan" not in shown_keys(FORM_FIELDS, {"nhan_ket_qua": "truc_tiep"})
    assert "dia_chi_nhan" in shown_keys(FORM_FIELDS, {"nhan_ket_qua": "buu_chinh"})


def test_hiding_a_field_hides_the_fields_that_depend_on_it() -> None:
    fields = [
        {
            "key": "a",
            "label": "A",
            "type": "choice",
            "choices": [{"value": "1", "label": "1"}, {"value": "2", "label": "2"}],
        },
        {"key": "b", "label": "B", "type": "text", "show_if": {"field": "a", "equals": "1"}},
        {
            "key": "c",
            "label": "C",
            "type": "text",
            "required": True,
            "show_if": {"field": "b", "equals": "x"},
        },
    ]
    assert shown_keys(fields, {"a": "2", "b": "x"}) == {"a"}
    assert check_answers(fields, {"a": "2", "b": "x"}, today=TODAY).cleaned == {"a": "2"}


def valid_answers() -> dict[str, str]:
    return {"ho_ten": "  Nguyễn   Văn An ", "so_dinh_danh": "096 085 004217", "nhan_ket_qua": "truc_tiep"}


def test_valid_answers_are_cleaned() -> None:
    result = check_answers(FORM_FIELDS, valid_answers(), today=TODAY)
    assert result.ok
    assert result.cleaned == {
        "ho_ten": "Nguyễn Văn An",
        "so_dinh_danh": "096085004217",
        "nhan_ket_qua": "truc_tiep",
    }


def test_a_field_is_required_only_when_shown() -> None:
    answers = valid_answers() | {"nhan_ket_qua": "buu_chinh"}
    assert check_answers(FORM_FIELDS, answers, today=TODAY).errors == {
        "dia_chi_nhan": "Hãy nhập “Địa chỉ nhận kết quả”."
    }


def test_the_answer_of_a_hidden_field_is_dropped() -> None:
    answers = valid_answers() | {"dia_chi_nhan": "Số 1, phường An Xuyên"}
    assert "dia_chi_nhan" not in check_answers(FORM_FIELDS, answers, today=TODAY).cleaned


def test_personal_id_numbers_are_checked_with_the_accounts_rules() -> None:
    result = check_answers(FORM_FIELDS, valid_answers() | {"so_dinh_danh": "999085004217"}, today=TODAY)
    assert "Ba chữ số đầu" in result.errors["so_dinh_danh"]


def test_unknown_answers_are_errors() -> None:
    assert check_answers(FORM_FIELDS, valid_answers() | {"la": "x"}, today=TODAY).errors == {
        "la": "Tờ khai không có trường “la”."
    }


@pytest.mark.parametrize(
    ("spec", "text", "cleaned"),
    [
        ({"type": "date"}, "5/3/2026", "05/03/2026"),
        ({"type": "number"}, "85,5", "85.5"),
        ({"type": "number"}, "1.500,0", "1500"),
        ({"type": "number"}, "120", "120"),
        ({"type": "phone"}, "+84 912 345 678", "0912345678"),
        ({"type": "email"}, "an@example.vn", "an@example.vn"),
        ({"type": "choice", "choices": [{"value": "nam", "label": "Nam"}]}, "nam", "nam"),
    ],
)
def test_values_are_cleaned_to_their_canonical_text(spec: dict[str, Any], text: str, cleaned: str) -> None:
    field = {"key": "x", "label": "Giá trị", **spec}
    assert check_answers([field], {"x": text}, today=TODAY).cleaned == {"x": cleaned}


@pytest.mark.parametrize(
    ("spec", "text", "fragment"),
    [
        ({"type": "date"}, "2026-03-05", "ngày/tháng/năm"),
        ({"type": "date"}, "30/02/2026", "không có trên lịch"),
        ({"type": "number", "min": 1}, "0", "không được nhỏ hơn 1"),
        ({"type": "number", "max": 10}, "11", "không được lớn hơn 10"),
        ({"type": "number"}, "mười", "phải là một số"),
        ({"type": "phone"}, "0212345678", "03, 05, 07, 08 hoặc 09"),
        ({"type": "email"}, "an@", "thư điện tử"),
        ({"type": "person"}, "Nguyễn Văn 2", "chữ cái"),
        ({"type": "text", "max_length": 3}, "abcd", "tối đa 3 ký tự"),
        ({"type": "choice", "choices": [{"value": "nam", "label": "Nam"}]}, "nu", "lựa chọn có sẵn"),
    ],
)
def test_bad_values_get_a_message_naming_the_field(spec: dict[str, Any], text: str, fragment: str) -> None:
    field = {"key": "x", "label": "Giá trị", **spec}
    error = check_answers([field], {"x": text}, today=TODAY).errors["x"]
    assert fragment in error


def test_canonical_fields_add_required_and_drop_empty_help() -> None:
    assert canonical_fields([{"type": "text", "label": "A", "key": "a", "help": ""}]) == [
        {"key": "a", "label": "A", "type": "text", "required": False}
    ]


# --- Properties ---------------------------------------------------------------------------------

KEYS = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)
LABELS = st.text(alphabet="abcdeghiklmnopqrstuvxyàáảãạăâđêôơư ", min_size=1, max_size=30).filter(str.strip)
SIMPLE_TYPES = [t for t in FieldType if t is not FieldType.CHOICE]


@st.composite
def schemas(draw: st.DrawFn) -> list[dict[str, Any]]:
    keys = draw(st.lists(KEYS, min_size=1, max_size=8, unique=True))
    fields: list[dict[str, Any]] = []
    for key in keys:
        kind = draw(st.sampled_from(list(FieldType)))
        spec: dict[str, Any] = {
            "key": key,
            "label": draw(LABELS),
            "type": kind.value,
            "required": draw(st.booleans()),
        }
        if kind is FieldType.CHOICE:
            values = draw(st.lists(KEYS, min_size=1, max_size=4, unique=True))
            spec["choices"] = [{"value": v, "label": v.upper()} for v in values]
        choice_fields = [f for f in fields if f["type"] == "choice"]
        if choice_fields and draw(st.booleans()):
            target = draw(st.sampled_from(choice_fields))
            spec["show_if"] = {
                "field": target["key"],
                "equals": draw(st.sampled_from(target["choices"]))["value"],
            }
        fields.append(spec)
    return fields


SAMPLE = {
    FieldType.TEXT: st.just("Nội dung"),
    FieldType.TEXTAREA: st.just("Dòng một\nDòng hai"),
    FieldType.NUMBER: st.integers(0, 10**6).map(str),
    FieldType.DATE: st.dates(date(1930, 1, 1), date(2026, 1, 1)).map(lambda d: f"{d:%d/%m/%Y}"),
    FieldType.ADDRESS: st.just("Số 1, phường An Xuyên, tỉnh Cà Mau"),
    FieldType.PERSON: st.just("Trần Thị Hoa"),
    FieldType.ID_NUMBER: st.integers(0, 999_999).map(personal_id),
    FieldType.PHONE: st.just("0912 345 678"),
    FieldType.EMAIL: st.just("hoa@example.vn"),
}


@st.composite
def schema_and_answers(draw: st.DrawFn) -> tuple[list[dict[str, Any]], dict[str, str]]:
    fields = draw(schemas())
    answers: dict[str, str] = {}
    for spec in fields:
        if not spec["required"] and draw(st.booleans()):
            continue
        kind = FieldType(spec["type"])
        if kind is FieldType.CHOICE:
            answers[spec["key"]] = draw(st.sampled_from(spec["choices"]))["value"]
        else:
            answers[spec["key"]] = draw(SAMPLE[kind])
    return fields, answers


@settings(max_examples=150)
@given(schemas())
def test_random_valid_schemas_validate(fields: list[dict[str, Any]]) -> None:
    assert schema_problems(fields) == []
    assert schema_problems(canonical_fields(fields)) == []


@settings(max_examples=150)
@given(schema_and_answers())
def test_answers_generated_from_a_schema_validate(case: tuple[list[dict[str, Any]], dict[str, str]]) -> None:
    fields, answers = case
    result = check_answers(fields, answers, today=TODAY)
    assert result.errors == {}
    assert set(result.cleaned) <= shown_keys(fields, answers)


@settings(max_examples=150)
@given(schema_and_answers())
def test_hidden_fields_are_never_required(case: tuple[list[dict[str, Any]], dict[str, str]]) -> None:
    fields, answers = case
    shown = shown_keys(fields, answers)
    only_shown = {key: value for key, value in answers.items() if key in shown}
    assert check_answers(fields, only_shown, today=TODAY).errors == {}
