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


@pytest.fixture
def crowded(indexed: Any) -> Any:
    """60 more documents, the newest 40 about "kế hoạch" one in two: a common word in recent rows."""
    import copy

    template = indexed.order_by("pk").first()
    model = type(template)
    rows = []
    for n in range(60):
        summary = "Kế hoạch tuyển sinh" if n >= 20 and n % 2 else "Báo cáo tình hình"
        row = copy.copy(template)
        row.pk, row.incoming_number = None, 100 + n
        row.summary, row.search_text = summary, search.normalise(summary)
        rows.append(row)
    model.objects.bulk_create(rows)
    return model.objects.all()


def newest_matches(rows: Any, query: str, n: int) -> set[int]:
    return set(search.matching(rows, query).order_by("-pk").values_list("pk", flat=True)[:n])


@pytest.fixture(params=["probe only", "walk", "index"])
def pool_path(request: Any, monkeypatch: Any) -> str:
    """On PostgreSQL, force each way of finding the newest matches (a no-op on SQLite): the probe
    seeing every row, the walk (a table taken as huge), the GIN index (a table taken as empty)."""
    if request.param != "probe only":
        monkeypatch.setattr(search, "PROBE_ROWS", 10)
        rows = 1e9 if request.param == "walk" else 0.0
        monkeypatch.setattr(search, "_table_rows", lambda queryset: rows)
    return str(request.param)


@pytest.mark.parametrize("candidates", [1, 2, 5, 10, 19, 20, 21, 40])
def test_the_ranked_pool_is_exactly_the_newest_matches(crowded, pool_path, candidates):
    for query in ("ke hoach", "ke hoach tuyen sinh", "chuyen doi so", "bao cao"):
        ranked = {row.pk for row in search.ranked(crowded, query, candidates=candidates, limit=100)}
        assert ranked == newest_matches(crowded, query, candidates), (query, candidates, pool_path)


def test_common_words_in_a_large_table_are_found_by_walking_the_newest_rows(crowded, monkeypatch):
    """On PostgreSQL the newest rows are walked when the words are common among them and the table
    large; the index (which reads every match) otherwise."""
    from django.db import connection

    calls: list[str] = []
    real = search.matching

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(search, "matching", counted)
    monkeypatch.setattr(search, "PROBE_ROWS", 10)

    def index_uses(query: str, table_rows: float) -> int:
        monkeypatch.setattr(search, "_table_rows", lambda queryset: table_rows)
        calls.clear()
        list(search.ranked(crowded, query, candidates=10))
        return len(calls) - 1  # ranked itself builds the matching query once

    uses = (index_uses("ke hoach", 1e9), index_uses("ke hoach", 10.0), index_uses("de an 06", 1e9))
    assert uses == ((0, 1, 1) if connection.vendor == "postgresql" else (0, 0, 0))
