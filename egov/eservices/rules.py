"""Pure rules of the online services: finding a procedure, cutting a form into pages, the task list.

No ORM here. The finder scores a small catalogue (a province publishes a few thousand procedures
at most) in Python, over names folded the same way on every database: ``đ → d``, accents
dropped, lower case, punctuation as spaces. A query word matches a name word exactly, as a prefix
(``khai`` … ``khai sinh``), or within a small edit distance (``dunh`` → ``dung``), so the same
query gives the same results on SQLite and PostgreSQL (docs/eservices.md).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any

from egov.core.text import strip_diacritics

_NON_WORD = re.compile(r"[^0-9a-z.]+")
_CODE_QUERY = re.compile(r"[0-9]+(\.[0-9]*)*")
# Words so common in procedure names that they carry no meaning for the finder.
STOP_WORDS = frozenset({"thu", "tuc"})
MIN_SCORE = 0.6


@lru_cache(maxsize=20_000)
def fold(text: str) -> str:
    """``Đăng ký khai sinh!`` → ``dang ky khai sinh``: what the finder compares."""
    words = _NON_WORD.sub(" ", strip_diacritics(text).lower()).split()
    return " ".join(word.strip(".") for word in words if word.strip("."))


def query_words(query: str) -> list[str]:
    """The query's meaningful words (``thủ tục`` dropped unless it is all there is)."""
    words = fold(query).split()
    meaningful = [word for word in words if word not in STOP_WORDS]
    return meaningful or words


def edit_distance(a: str, b: str, *, limit: int) -> int:
    """Damerau–Levenshtein distance (adjacent swaps count 1), or ``limit + 1`` once it exceeds ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous_previous: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, start=1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous_previous[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous_previous, previous = previous, current
    return previous[-1]


def allowed_typos(word: str) -> int:
    """Short words must match exactly (``xa`` is not ``ca``); longer ones forgive one or two slips."""
    if len(word) < 4:
        return 0
    return 1 if len(word) < 8 else 2


def word_score(word: str, name_words: Sequence[str]) -> float:
    """How well one query word matches the best word of a name: 1 exact, 0.9 prefix, 0.7 typo."""
    return max((_pair_score(word, candidate) for candidate in name_words), default=0.0)


@lru_cache(maxsize=200_000)
def _pair_score(word: str, candidate: str) -> float:
    # Memoised: names share a small vocabulary of syllables, so a query computes each pair once.
    if candidate == word:
        return 1.0
    if len(word) >= 2 and candidate.startswith(word):
        return 0.9
    limit = allowed_typos(word)
    if limit and edit_distance(word, candidate, limit=limit) <= limit:
        return 0.7
    return 0.0


@lru_cache(maxsize=20_000)
def _name_words(name: str) -> tuple[str, ...]:
    return tuple(word for word in fold(name).split() if word not in STOP_WORDS)


def trigrams(text: str) -> set[str]:
    padded = f"  {text} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def similarity(a: str, b: str) -> float:
    """Trigram similarity (as PostgreSQL's pg_trgm computes it), used to order equal scores."""
    first, second = trigrams(a), trigrams(b)
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


def match_score(query: str, name: str, code: str = "") -> float:
    """0 when the procedure does not match ``query``; otherwise higher is better (at most ~2).

    A code query (``1.0011``) matches codes by prefix. Words: at least three quarters of them
    (all of them for one or two words) must match; the mean word score is then raised when the
    whole folded query appears in the name as typed.
    """
    folded_query = fold(query)
    if not folded_query:
        return 0.0
    if _CODE_QUERY.fullmatch(folded_query) and "." in folded_query:
        return 2.0 if code.startswith(folded_query) else 0.0
    words = query_words(query)
    folded_name = fold(name)
    name_words = _name_words(name)
    scores = [word_score(word, name_words) for word in words]
    matched = sum(1 for score in scores if score > 0)
    needed = len(words) if len(words) <= 2 else math.ceil(0.75 * len(words))
    if matched < needed:
        return 0.0
    score = sum(scores) / len(scores)
    if score < MIN_SCORE:
        return 0.0
    if f" {folded_query} " in f" {folded_name} ":
        score += 0.5
    return score + similarity(folded_query, folded_name) / 10


@dataclass(frozen=True)
class Candidate:
    pk: int
    code: str
    name: str


def rank(query: str, candidates: Iterable[Candidate], *, limit: int = 50) -> list[int]:
    """Primary keys of the matching candidates, best first (ties by name)."""
    scored = [(match_score(query, c.name, c.code), c) for c in candidates]
    matching = [(score, c) for score, c in scored if score > 0]
    matching.sort(key=lambda item: (-item[0], fold(item[1].name), item[1].code))
    return [c.pk for _score, c in matching[:limit]]


# --- The wizard's pages ----------------------------------------------------------------------------

MAX_FIELDS_PER_PAGE = 6
MIN_FIELDS_BEFORE_TOPIC_BREAK = 3


def _topic(key: str) -> str:
    return key.split("_", 1)[0]


def paginate(fields: Sequence[Mapping[str, Any]]) -> list[list[str]]:
    """Cut a schema's fields into pages of related questions (keys per page, schema order).

    A page ends when it is full, or at a change of topic (the key's first word: ``tre_…``,
    ``me_…``) once it has a few questions. A conditional question always stays on the page of the
    question it depends on, so the page can show or hide it at once.
    """
    pages: list[list[str]] = []
    page: list[str] = []
    for spec in fields:
        key = spec["key"]
        condition = spec.get("show_if")
        depends_here = isinstance(condition, Mapping) and condition.get("field") in page
        if page and not depends_here:
            full = len(page) >= MAX_FIELDS_PER_PAGE
            new_topic = _topic(key) != _topic(page[-1]) and len(page) >= MIN_FIELDS_BEFORE_TOPIC_BREAK
            if full or new_topic:
                pages.append(page)
                page = []
        page.append(key)
    if page:
        pages.append(page)
    return pages


class TaskState(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANNOT_START = "cannot_start"


@dataclass(frozen=True)
class Task:
    step: str  # the URL slug of the step
    title: str
    state: TaskState


def page_state(
    keys: Sequence[str], answers: Mapping[str, object], completed: Iterable[str], step: str
) -> TaskState:
    if step in set(completed):
        return TaskState.DONE
    if any(answers.get(key) not in (None, "") for key in keys):
        return TaskState.IN_PROGRESS
    return TaskState.NOT_STARTED


@dataclass(frozen=True)
class Requirement:
    """A required document as the wizard sees it."""

    pk: int
    name: str
    is_required: bool
    filled_online: bool


def missing_documents(requirements: Sequence[Requirement], uploaded_for: Iterable[int]) -> list[Requirement]:
    """Required documents with no upload (a document replaced by the e-form is never missing)."""
    have = set(uploaded_for)
    return [r for r in requirements if r.is_required and not r.filled_online and r.pk not in have]
