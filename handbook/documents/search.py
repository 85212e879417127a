"""Full-text search over documents, diacritic-insensitive on both databases.

PostgreSQL: a GIN index over `to_tsvector('simple', handbook_unaccent(search_text))` (an IMMUTABLE
wrapper around the `unaccent` extension, created by the migration) and prefix `to_tsquery`.
SQLite: an FTS5 table (`documents_fts`, rowid = document id) holding the text folded by
`core.text.fold`, kept in step by the document services. Both treat "nghi quyet" and "Nghị quyết"
alike; every term must match (a prefix of a word).
"""

import re

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from handbook.core.text import fold

_WORD = re.compile(r"\w+", re.UNICODE)


def terms(text: str) -> list[str]:
    return _WORD.findall(fold(text))[:12]


def index_document(document) -> None:
    """Keep the SQLite FTS table in step (PostgreSQL indexes the column itself)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM documents_fts WHERE rowid = %s", [document.pk])
        cursor.execute(
            "INSERT INTO documents_fts (rowid, search_text) VALUES (%s, %s)", [document.pk, fold(document.search_text)]
        )


def search(queryset: QuerySet, text: str) -> QuerySet:
    """`queryset` narrowed to documents matching every term of `text` (as word prefixes)."""
    words = terms(text)
    if not words:
        return queryset
    if connection.vendor == "postgresql":
        tsquery = " & ".join(f"{w}:*" for w in words)
        sql = (
            "SELECT id FROM documents_document WHERE to_tsvector('simple', handbook_unaccent(search_text)) "
            "@@ to_tsquery('simple', handbook_unaccent(%s))"
        )
        return queryset.filter(pk__in=RawSQL(sql, [tsquery]))  # noqa: S611 (constant SQL, bound parameter)
    match = " ".join(f'"{w}"*' for w in words)
    fts = "SELECT rowid FROM documents_fts WHERE documents_fts MATCH %s"
    return queryset.filter(pk__in=RawSQL(fts, [match]))  # noqa: S611 (constant SQL, bound parameter)
