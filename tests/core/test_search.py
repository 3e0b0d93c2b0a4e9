"""The full-text search adapter: folding, whole-word AND matching, ranking and highlighting give the
same result sets on SQLite (FTS5) and PostgreSQL (tsvector); this file runs on both.

It indexes through a real table of the documents app (``IncomingDocument.search_text``, indexed by
``documents`` migration 0003 with ``search.index_operations``).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from egov.core import search
from egov.core.text import strip_diacritics


def test_normalise_folds_accents_d_with_stroke_case_and_punctuation():
    assert search.normalise("Kế hoạch 07/STP-VP") == "ke hoach 07 stp vp"
    assert search.normalise("ĐỖ Đức", "  Quyết   định ") == "do duc quyet dinh"
    assert search.normalise("") == ""


@given(st.text(max_size=60))
def test_normalised_text_is_stable_and_has_no_marks_no_capitals_no_d_with_stroke(text):
    once = search.normalise(text)
    assert search.normalise(once) == once
    assert "đ" not in once and "Đ" not in once
    assert once == once.casefold()
    assert strip_diacritics(once) == once
    assert "  " not in once


@given(
    st.text(
        alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ ",
        max_size=40,
    )
)
def test_accented_and_accent_free_queries_have_the_same_words(text):
    assert search.query_words(text) == search.query_words(strip_diacritics(text))
    assert search.query_words(text.upper()) == search.query_words(text)


def test_query_words_are_bounded():
    words = search.query_words(" ".join(["a" * 100] * 40))
    assert len(words) == search.MAX_QUERY_WORDS
    assert all(len(w) == search.MAX_WORD_LENGTH for w in words)


def test_highlight_marks_matching_words_in_the_original_text_and_escapes_the_rest():
    html = search.highlight("Kế hoạch <b>chuyển đổi</b> số; Đề án", "ke hoach chuyen DOI de")
    expected = (
        "<mark>Kế</mark> <mark>hoạch</mark> &lt;b&gt;<mark>chuyển</mark> <mark>đổi</mark>&lt;/b&gt; "
        "số; <mark>Đề</mark> án"
    )
    assert html == expected
    assert search.highlight("<x>", "") == "&lt;x&gt;"


SUMMARIES = [
    "Kế hoạch chuyển đổi số năm 2027",
    "Kế hoạch cải cách hành chính",
    "Quyết định về việc đào tạo cán bộ",
    "Báo cáo tình hình đầu tư công",
    "Công văn về dịch vụ công trực tuyến chuyển đổi",
    "Giấy mời họp Ban chỉ đạo Đề án 06",
]


@pytest.fixture
def indexed(db: Any) -> Any:
    from tests.documents.conftest import build_world, doc_type, register

    world = build_world()
    for n, summary in enumerate(SUMMARIES, start=1):
        register(world, notation=f"{n}/X-UBND", summary=summary, document_type=doc_type("phieu-bao"))
    from egov.documents.models import IncomingDocument

    return IncomingDocument.objects.all()


def summaries(rows: Any) -> set[str]:
    return {row.summary for row in rows}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Kế hoạch chuyển đổi số", {SUMMARIES[0]}),
        ("ke hoach chuyen doi so", {SUMMARIES[0]}),
        ("KE HOACH", {SUMMARIES[0], SUMMARIES[1]}),
        ("dao tao", {SUMMARIES[2]}),  # đ matches d
        ("đào tạo", {SUMMARIES[2]}),
        ("chuyen doi", {SUMMARIES[0], SUMMARIES[4]}),
        ("de an 06", {SUMMARIES[5]}),
        ("3/X-UBND", {SUMMARIES[2]}),
        ("hoa", set()),  # whole words only
        ("ke OR hoach", set()),  # FTS5 operators are plain words
        ('"', set()),
    ],
)
def test_exact_and_accent_free_queries_find_the_same_documents(indexed, query, expected):
    assert summaries(search.matching(indexed, query)) == expected


def test_ranked_puts_the_closer_match_first_and_is_bounded(indexed):
    rows = list(search.ranked(indexed, "chuyển đổi số", limit=5))
    assert rows[0].summary == SUMMARIES[0]
    assert len(list(search.ranked(indexed, "ke hoach", limit=1))) == 1


def test_the_index_follows_updates_and_deletes(indexed):
    row = indexed.get(summary=SUMMARIES[3])
    type(row).objects.filter(pk=row.pk).update(search_text=search.normalise("Tờ trình ngân sách"))
    assert summaries(search.matching(indexed, "ngan sach")) == {SUMMARIES[3]}
    assert summaries(search.matching(indexed, "dau tu cong")) == set()
    row.assignments.all().delete()
    type(row).objects.filter(pk=row.pk).delete()
    assert summaries(search.matching(indexed, "ngan sach")) == set()


def test_filters_combine_with_the_match(indexed):
    assert summaries(search.matching(indexed.filter(notation__startswith="1/"), "ke hoach")) == {SUMMARIES[0]}


def test_ranking_considers_only_the_newest_candidates(indexed):
    newest_first = list(search.matching(indexed, "ke hoach").order_by("-pk"))
    assert [row.pk for row in search.ranked(indexed, "ke hoach", candidates=1)] == [newest_first[0].pk]
    assert len(list(search.ranked(indexed, "ke hoach", candidates=10))) == len(newest_first)
