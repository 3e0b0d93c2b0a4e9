"""The finder's folding and scoring, and the cutting of a form into pages (pure rules)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from egov.eservices import rules

CATALOGUE = [
    rules.Candidate(1, "1.001193", "Thủ tục đăng ký khai sinh"),
    rules.Candidate(2, "1.009122", "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ"),
    rules.Candidate(
        3, "1.014199", "Cấp giấy phép lao động cho người lao động nước ngoài làm việc tại Việt Nam"
    ),
    rules.Candidate(4, "1.009982", "Cấp chứng chỉ hành nghề hoạt động xây dựng hạng II, hạng III"),
    rules.Candidate(5, "1.000656", "Thủ tục đăng ký khai tử"),
    rules.Candidate(6, "1.000689", "Thủ tục đăng ký khai sinh kết hợp đăng ký nhận cha, mẹ, con"),
]


def test_folding_drops_accents_and_d_with_stroke():
    assert rules.fold("Đăng ký KHAI SINH!") == "dang ky khai sinh"
    assert rules.fold("Giấy phép xây dựng (mới)") == "giay phep xay dung moi"


def test_an_unaccented_query_finds_the_accented_name_first():
    assert rules.rank("dang ky khai sinh", CATALOGUE)[:2] == [1, 6]


def test_an_accented_query_finds_the_same():
    assert rules.rank("Đăng ký khai sinh", CATALOGUE)[:2] == [1, 6]


def test_a_typo_still_finds_the_construction_permit_first():
    assert rules.rank("giay phep xay dunh", CATALOGUE)[0] == 2
    assert rules.rank("giay phep xay dung", CATALOGUE)[0] == 2


def test_a_swap_of_two_letters_is_one_typo():
    assert rules.edit_distance("xaydung", "xaydnug", limit=2) == 1


def test_short_words_must_match_exactly_or_as_a_prefix():
    assert rules.rank("khai tu", CATALOGUE) == [5]
    assert sorted(rules.rank("ca", CATALOGUE)) == [2, 3, 4]  # "cấp"; not "cha" by a typo


def test_a_code_finds_its_procedure_by_prefix():
    assert rules.rank("1.00119", CATALOGUE) == [1]


def test_nothing_matches_an_unrelated_query():
    assert rules.rank("hộ chiếu ngoại giao", CATALOGUE) == []
    assert rules.rank("   ", CATALOGUE) == []


words = st.text(alphabet="abcdđeêghiklmnoôơpqrstuưvxyáàảãạ ", min_size=0, max_size=30)


@given(words)
def test_folding_is_idempotent(text):
    assert rules.fold(rules.fold(text)) == rules.fold(text)


@given(st.text(alphabet="abcdeghi", max_size=12), st.text(alphabet="abcdeghi", max_size=12))
def test_edit_distance_is_symmetric_and_zero_only_for_equal_words(a, b):
    d = rules.edit_distance(a, b, limit=20)
    assert d == rules.edit_distance(b, a, limit=20)
    assert (d == 0) == (a == b)


@given(st.sampled_from(CATALOGUE))
def test_every_name_finds_itself_typed_without_accents(candidate):
    assert candidate.pk in rules.rank(rules.fold(candidate.name), CATALOGUE)


def field(key, **extra):  # type: ignore[no-untyped-def]
    return {"key": key, "label": key, "type": "text", **extra}


def test_pages_break_at_a_new_topic_and_keep_conditional_questions_with_their_question():
    fields = [
        field("nguoi_a"), field("nguoi_b"), field("nguoi_c"),
        field("tre_a"), field("tre_b"), field("co_cha"),
        field("cha_ten", show_if={"field": "co_cha", "equals": "co"}),
    ]  # fmt: skip
    assert rules.paginate(fields) == [
        ["nguoi_a", "nguoi_b", "nguoi_c"],
        ["tre_a", "tre_b", "co_cha", "cha_ten"],
    ]


@given(st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=40))
def test_pages_hold_every_question_once_in_order_and_are_never_empty(topics):
    fields = [field(f"{topic}_{index}") for index, topic in enumerate(topics)]
    pages = rules.paginate(fields)
    assert [key for page in pages for key in page] == [f["key"] for f in fields]
    assert all(1 <= len(page) <= rules.MAX_FIELDS_PER_PAGE for page in pages)


def test_missing_documents_ignore_optional_ones_and_those_filled_online():
    requirements = [
        rules.Requirement(1, "Tờ khai", True, True),
        rules.Requirement(2, "Giấy chứng sinh", True, False),
        rules.Requirement(3, "Văn bản khác", False, False),
    ]
    assert [r.pk for r in rules.missing_documents(requirements, [])] == [2]
    assert rules.missing_documents(requirements, [2]) == []
