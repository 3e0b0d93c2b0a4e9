"""Full-text search over Vietnamese text, the same on SQLite and PostgreSQL.

The one database-specific piece of search (ARCHITECTURE.md, principle 5). An app keeps a
``search_text`` column per searchable row, filled with ``normalise(...)`` of whatever should be
found (number and notation, summary, issuer, the text of the PDFs), and asks this module to index
it (``index_operations`` in a migration) and to match it (``matching``, ``ranked``).

Why the text is folded in Python on *both* databases: SQLite's FTS5 ``remove_diacritics`` never
folds ``đ`` (a letter of its own, not a marked ``d``), and PostgreSQL's ``unaccent`` folds it but
splits tokens differently from FTS5 (``07/STP-VP`` is one "file" token plus parts in the ``simple``
parser). Folding in Python to lower-case ASCII-like words separated by single spaces gives both
tokenizers the same words, so an exact query (``Kế hoạch``) and an accent-free one (``ke hoach``)
return the same result set on either database (tests/core/test_search.py runs on both).

- PostgreSQL: a stored generated column ``search_text_vector`` =
  ``to_tsvector('simple', search_text)`` with a GIN index; a query is
  ``plainto_tsquery('simple', normalise(q))`` (every word must occur); relevance is
  ``ts_rank_cd`` over the stored vector.
- SQLite: an external-content FTS5 table ``<table>_fts`` over ``search_text`` (tokenizer
  ``unicode61 remove_diacritics 0``: the text is already folded), kept in step with the table by
  triggers; a query is every word quoted, joined by spaces (FTS5's implicit AND); relevance is
  ``bm25``.

Matches are whole words: ``hoach`` finds ``Kế hoạch``, ``hoa`` does not. The price of folding is
that words differing only by their marks match each other (``kế`` also finds ``kê``).

Caveat for later migrations on SQLite: Django rebuilds a table to alter a column there, which
drops its triggers. A migration that alters an indexed table must run ``index_operations`` again
(it is idempotent) — the sync test of the owning app catches a forgotten one.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, cast

from django.db import connection, models
from django.db.models import Case, F, Func, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from egov.core.text import strip_diacritics

__all__ = ["highlight", "index_operations", "matching", "normalise", "query_words", "ranked"]

_NON_WORD = re.compile(r"[\W_]+")
_WORD = re.compile(r"[^\W_]+")
MAX_QUERY_WORDS = 16
MAX_WORD_LENGTH = 64


def normalise(*parts: str | None) -> str:
    """Fold text for indexing and querying: ``Kế hoạch 07/STP-VP`` → ``ke hoach 07 stp vp``.

    NFKC, case folding, NFD, drop combining marks, ``đ→d``, and every run of non-letters/digits becomes one
    space, so both databases' tokenizers see the same words.
    """
    text = " ".join(part for part in parts if part)
    folded = strip_diacritics(unicodedata.normalize("NFKC", text).casefold())
    return _NON_WORD.sub(" ", folded).strip()


def query_words(query: str) -> list[str]:
    """The words of a user's query, folded; at most ``MAX_QUERY_WORDS``, each at most 64 characters."""
    return [w[:MAX_WORD_LENGTH] for w in normalise(query).split()][:MAX_QUERY_WORDS]


def _table(queryset: QuerySet[Any]) -> str:
    return queryset.model._meta.db_table


def _fts5_query(words: list[str]) -> str:
    # Quoted words: FTS5 operators (AND, OR, NEAR, *, :) typed by a user are taken as plain words.
    return " ".join(f'"{word}"' for word in words)


def matching[M: models.Model](
    queryset: QuerySet[M], query: str, *, column: str = "search_text"
) -> QuerySet[M]:
    """Rows of ``queryset`` whose ``column`` contains every word of ``query`` (no words: none)."""
    words = query_words(query)
    if not words:
        return queryset.none()
    table = _table(queryset)
    if connection.vendor == "postgresql":
        return queryset.filter(
            _VectorSql("{vector} @@ plainto_tsquery('simple', %s)", column, words, models.BooleanField())
        )
    fts = _quoted(f"{table}_fts")
    subquery = f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s"  # noqa: S608 - identifiers from _meta only
    return queryset.filter(pk__in=RawSQL(subquery, [_fts5_query(words)]))  # noqa: S611


def ranked[M: models.Model](
    queryset: QuerySet[M],
    query: str,
    *,
    column: str = "search_text",
    limit: int = 200,
    candidates: int = 2000,
) -> QuerySet[M]:
    """The best ``limit`` of the newest ``candidates`` matches, most relevant first (annotated
    ``search_rank``, higher is better).

    Bounded twice on purpose: ranking every one of the 120,000 matches of a common word in a
    million documents took 1.8 s on PostgreSQL (bench/documents_bench.py); ranking the newest
    2,000 is fast whatever the table size, and nobody reads past the first pages of a relevance
    order. A rare query has fewer matches than ``candidates``: all of them are ranked.
    """
    words = query_words(query)
    matched = matching(queryset, query, column=column)
    if not words:
        return matched
    if connection.vendor == "postgresql":
        pool = _newest_matches_postgresql(queryset, words, column=column, candidates=candidates)
        rank = _VectorSql(
            "ts_rank_cd({vector}, plainto_tsquery('simple', %s))", column, words, models.FloatField()
        )
        best = queryset.filter(pk__in=pool).annotate(search_rank=rank).order_by("-search_rank", "-pk")[:limit]
        return cast("QuerySet[M]", best)
    # SQLite: one pass over the FTS5 matches restricted to the caller's rows, bm25 computed once per
    # match and the best ``limit`` kept; then the rows themselves, annotated with their score.
    # "+rowid": without the unary plus SQLite hands the IN list to FTS5, which then runs the MATCH
    # once per candidate row (100× slower at 5,000 rows).
    newest = matched.order_by("-pk").values("pk")[:candidates]
    fts = _quoted(f"{_table(queryset)}_fts")
    inner_sql, inner_params = newest.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid, -bm25({fts}) FROM {fts} WHERE {fts} MATCH %s AND +rowid IN ({inner_sql}) "  # noqa: S608
            f"ORDER BY bm25({fts}) LIMIT %s",
            [_fts5_query(words), *inner_params, limit],
        )
        scores = cursor.fetchall()
    if not scores:
        return queryset.none()
    score = Case(*(When(pk=pk, then=Value(value)) for pk, value in scores), output_field=models.FloatField())
    best = queryset.filter(pk__in=[pk for pk, _value in scores]).annotate(search_rank=score)
    return cast("QuerySet[M]", best.order_by("-search_rank", "-pk"))


# The PostgreSQL pool (``_newest_matches_postgresql``): how many of the newest rows the probe walks,
# and what reading one row while walking costs against fetching one match through the GIN index
# (≈ 5 µs against 10 µs at 100,000 documents, 15 µs at a million: bench/documents_bench.py).
PROBE_ROWS = 500
WALK_COST_RATIO = 0.5


def _newest_matches_postgresql(
    queryset: QuerySet[Any], words: list[str], *, column: str, candidates: int
) -> list[Any]:
    """The pks of the newest ``candidates`` rows of ``queryset`` that match ``words``, found without
    reading every match when that is cheaper.

    The GIN index answers "which rows match" as a bitmap in physical order: taking the newest 2,000
    of them means reading every matching row first (88,890 rows, 1.6 s, for "kế hoạch chuyển đổi
    số" in a million documents; the planner, estimating 152 matches, sees no better plan). Walking
    the caller's rows newest first (primary-key index, backwards), testing each row's stored
    vector, finds the newest 2,000 matches after ≈ 2,000 / density rows and stops.

    A probe walks the newest ``PROBE_ROWS`` rows: if that was every row, its matches are the answer;
    else it estimates the density ``d`` of the words among the newest rows. Walking costs
    ``candidates / d`` rows, the index ``d × table rows`` matches: the walk is taken when it is the
    cheaper (``d² × table rows ≥ candidates × WALK_COST_RATIO``: common words in a large table),
    bounded to three times the rows it should need; otherwise, or when it falls short (the words
    rarer further back), the index gives the matches, newest first. Either way the pool is exactly
    the newest ``candidates`` matches.
    """
    walked, probe = _probe(queryset, words, column=column)
    if walked < PROBE_ROWS or len(probe) >= candidates:
        return probe[:candidates]
    density = len(probe) / walked
    if density**2 * _table_rows(queryset) >= candidates * WALK_COST_RATIO:
        found = _walk(queryset, words, column=column, rows=int(3 * candidates / density), wanted=candidates)
        if len(found) == candidates:
            return found
    newest = matching(queryset, " ".join(words), column=column).order_by("-pk")
    return list(newest.values_list("pk", flat=True)[:candidates])


def _newest_rows(queryset: QuerySet[Any], column: str, rows: int) -> tuple[str, tuple[Any, ...]]:
    """SQL of the newest ``rows`` rows of ``queryset`` (``search_pk``, ``search_vector``).

    Its ``LIMIT`` keeps the planner on the primary-key order, and no condition on the vector can be
    pushed into it (where the GIN index would take over again): callers test the vector above it.
    """
    newest = (
        queryset.order_by("-pk")
        .annotate(search_pk=F("pk"), search_vector=_VectorColumn(column))
        .values_list("search_pk", "search_vector")[:rows]
    )
    return newest.query.sql_with_params()


def _probe(queryset: QuerySet[Any], words: list[str], *, column: str) -> tuple[int, list[Any]]:
    """(rows walked, their matching pks newest first) for the newest ``PROBE_ROWS`` rows."""
    inner_sql, params = _newest_rows(queryset, column, PROBE_ROWS)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), array_agg(newest.search_pk ORDER BY newest.search_pk DESC) FILTER "  # noqa: S608
            "(WHERE newest.search_vector @@ plainto_tsquery('simple', %s)) "
            f"FROM ({inner_sql}) newest",
            [" ".join(words), *params],
        )
        walked, found = cursor.fetchone()
    return walked, list(found or [])


def _walk(queryset: QuerySet[Any], words: list[str], *, column: str, rows: int, wanted: int) -> list[Any]:
    """Up to ``wanted`` matching pks among the newest ``rows`` rows of ``queryset``, newest first;
    the outer ``LIMIT`` stops the walk at ``wanted`` matches."""
    inner_sql, params = _newest_rows(queryset, column, rows)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT newest.search_pk FROM ({inner_sql}) newest "  # noqa: S608 - the ORM's own SQL
            "WHERE newest.search_vector @@ plainto_tsquery('simple', %s) LIMIT %s",
            [*params, " ".join(words), wanted],
        )
        return [row[0] for row in cursor.fetchall()]


def _table_rows(queryset: QuerySet[Any]) -> float:
    """The planner's row count of the table (``ANALYZE``d; 0 when never analysed)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [_table(queryset)])
        row = cursor.fetchone()
    return max(float(row[0]), 0.0) if row else 0.0


class _VectorColumn(Func):
    """The row's stored ``<column>_vector`` itself (PostgreSQL), qualified like ``_VectorSql``."""

    def __init__(self, column: str) -> None:
        super().__init__(F("pk"), output_field=models.TextField())
        self.vector = _quoted(f"{column}_vector")

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        pk_sql, params = compiler.compile(self.get_source_expressions()[0])
        qualifier = pk_sql.rsplit(".", 1)[0] + "." if "." in pk_sql else ""
        return qualifier + self.vector, list(params)


class _VectorSql(Func):
    """PostgreSQL SQL over the row's stored ``<column>_vector``, qualified by the alias the query
    gives the table (``U0`` inside a subquery): raw SQL naming the table would silently turn into
    a correlated condition on the outer query there."""

    def __init__(
        self, template: str, column: str, words: list[str], output_field: models.Field[Any, Any]
    ) -> None:
        super().__init__(F("pk"), output_field=output_field)
        self.sql_template, self.vector, self.words = template, _quoted(f"{column}_vector"), words

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        pk_sql, params = compiler.compile(self.get_source_expressions()[0])
        qualifier = pk_sql.rsplit(".", 1)[0] + "." if "." in pk_sql else ""
        sql = self.sql_template.format(vector=qualifier + self.vector)
        return f"({sql})", [*params, " ".join(self.words)]


def highlight(text: str, query: str) -> SafeString:
    """``text`` HTML-escaped, with the words that match the query (folded) wrapped in ``<mark>``."""
    wanted = set(query_words(query))
    if not wanted:
        return mark_safe(escape(text))  # noqa: S308 - escaped just now
    pieces: list[str] = []
    last = 0
    for found in _WORD.finditer(text):
        if normalise(found.group()) in wanted:
            pieces.append(escape(text[last : found.start()]))
            pieces.append(f"<mark>{escape(found.group())}</mark>")
            last = found.end()
    pieces.append(escape(text[last:]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece escaped above


def _quoted(identifier: str) -> str:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", identifier):
        raise ValueError(f"not a plain SQL identifier: {identifier!r}")
    return f'"{identifier}"'


# --- index DDL, for migrations ---------------------------------------------------------------


def _create_index(schema_editor: Any, table: str, column: str) -> None:
    t, c = _quoted(table), _quoted(column)
    if schema_editor.connection.vendor == "postgresql":
        # A stored generated tsvector: parsed once per write, not once per row and query (ranking
        # 12,000 matches re-parsing their text took 1.4 s at 100,000 rows; see docs/documents.md).
        # Django's models do not declare the column; INSERT and UPDATE never name it.
        vector, name = _quoted(f"{column}_vector"), _quoted(f"{table}_{column}_fts")
        schema_editor.execute(
            f"ALTER TABLE {t} ADD COLUMN IF NOT EXISTS {vector} tsvector "
            f"GENERATED ALWAYS AS (to_tsvector('simple', {c})) STORED"
        )
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {t} USING GIN ({vector})")
        return
    if schema_editor.connection.vendor != "sqlite":
        raise NotImplementedError("full-text search supports PostgreSQL and SQLite")
    fts = _quoted(f"{table}_fts")
    # DDL from identifiers checked by _quoted only; nothing here comes from users.
    statements = [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({c}, content={t}, content_rowid='id', "
        "tokenize='unicode61 remove_diacritics 0')",
        f"CREATE TRIGGER IF NOT EXISTS {_quoted(table + '_fts_ai')} AFTER INSERT ON {t} BEGIN "  # noqa: S608
        f"INSERT INTO {fts}(rowid, {c}) VALUES (new.id, new.{c}); END",
        f"CREATE TRIGGER IF NOT EXISTS {_quoted(table + '_fts_ad')} AFTER DELETE ON {t} BEGIN "  # noqa: S608
        f"INSERT INTO {fts}({fts}, rowid, {c}) VALUES ('delete', old.id, old.{c}); END",
        f"CREATE TRIGGER IF NOT EXISTS {_quoted(table + '_fts_au')} AFTER UPDATE OF {c} ON {t} BEGIN "  # noqa: S608
        f"INSERT INTO {fts}({fts}, rowid, {c}) VALUES ('delete', old.id, old.{c}); "
        f"INSERT INTO {fts}(rowid, {c}) VALUES (new.id, new.{c}); END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",  # noqa: S608
    ]
    for statement in statements:
        schema_editor.execute(statement)


def _drop_index(schema_editor: Any, table: str, column: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {_quoted(f'{table}_{column}_fts')}")
        schema_editor.execute(
            f"ALTER TABLE {_quoted(table)} DROP COLUMN IF EXISTS {_quoted(column + '_vector')}"
        )
        return
    for suffix in ("_fts_ai", "_fts_ad", "_fts_au"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {_quoted(table + suffix)}")
    schema_editor.execute(f"DROP TABLE IF EXISTS {_quoted(table + '_fts')}")


def index_operations(table: str, column: str = "search_text") -> list[Any]:
    """Migration operations that index ``table.column`` for ``matching``/``ranked`` (idempotent)."""
    from django.db import migrations

    def forward(apps: Any, schema_editor: Any) -> None:
        _create_index(schema_editor, table, column)

    def backward(apps: Any, schema_editor: Any) -> None:
        _drop_index(schema_editor, table, column)

    return [migrations.RunPython(forward, backward, elidable=False)]
