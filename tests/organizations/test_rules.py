"""The agency electronic ID format (Decision 20/2020/QĐ-TTg, QCVN 102:2016): pure rules, no database."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from egov.organizations.rules import AGENCY_CODE_MAX_LENGTH, agency_code_problem, is_valid_agency_code

GROUP_ALPHABET = string.digits + string.ascii_uppercase


@pytest.mark.parametrize(
    "code",
    ["000.00.00.H49", "000.00.12.H56", "000.01.01.H08", "H12", "0312345678", "A" * AGENCY_CODE_MAX_LENGTH],
)
def test_codes_of_the_decision_format_are_valid(code: str) -> None:
    assert agency_code_problem(code) is None
    assert is_valid_agency_code(code)


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("", "không được để trống"),
        ("000.00.00.h49", "chữ in hoa"),
        ("000..00.H49", "không có nhóm rỗng"),
        (".000.00.H49", "không có nhóm rỗng"),
        ("000.00.00.H49.", "không có nhóm rỗng"),
        ("0000000000.0000000000.0000000000.H49", "tối đa 35 ký tự"),
        ("000.00 .00.H49", "không dấu, không khoảng trắng"),
        (" 000.00.00.H49", "khoảng trắng ở đầu hoặc cuối"),
        ("000.00.00.H49 ", "khoảng trắng ở đầu hoặc cuối"),
        ("000.00.00.HĐ9", "không dấu"),
        ("000.00.00.HÀ", "không dấu"),
        ("000-00-00-H49", "chỉ gồm chữ số 0-9 và chữ in hoa A-Z"),
    ],
)
def test_invalid_codes_are_refused_with_a_vietnamese_reason(code: str, words: str) -> None:
    problem = agency_code_problem(code)
    assert problem is not None
    assert words in problem
    assert not is_valid_agency_code(code)


def test_the_length_message_says_how_long_the_code_is() -> None:
    assert "đang có 36" in (agency_code_problem("A" * 36) or "")


dotted_groups = st.lists(
    st.text(alphabet=GROUP_ALPHABET, min_size=1, max_size=10), min_size=1, max_size=8
).map(".".join)


@given(dotted_groups.filter(lambda code: len(code) <= AGENCY_CODE_MAX_LENGTH))
def test_any_dotted_groups_of_digits_and_capitals_within_35_characters_are_valid(code: str) -> None:
    assert agency_code_problem(code) is None


@given(dotted_groups.filter(lambda code: len(code) > AGENCY_CODE_MAX_LENGTH))
def test_any_code_longer_than_35_characters_is_invalid(code: str) -> None:
    assert agency_code_problem(code) is not None


@given(dotted_groups, st.characters(exclude_characters=GROUP_ALPHABET + "."), st.data())
def test_one_character_outside_digits_capitals_and_dots_makes_a_code_invalid(
    code: str, stray: str, data: st.DataObject
) -> None:
    position = data.draw(st.integers(0, len(code)))
    assert agency_code_problem(code[:position] + stray + code[position:]) is not None
