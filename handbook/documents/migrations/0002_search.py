"""Full-text search: PostgreSQL gets `unaccent`, an IMMUTABLE wrapper (so it can be indexed) and a
GIN index; SQLite gets an FTS5 table kept in step by the document services."""

from django.db import migrations

PG_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE OR REPLACE FUNCTION handbook_unaccent(text) RETURNS text "
    "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$",
    "CREATE INDEX document_fts_idx ON documents_document USING GIN "
    "(to_tsvector('simple'::regconfig, handbook_unaccent(search_text)))",
]
PG_BACKWARD = ["DROP INDEX IF EXISTS document_fts_idx", "DROP FUNCTION IF EXISTS handbook_unaccent(text)"]
SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE documents_fts USING fts5(search_text, tokenize = 'unicode61 remove_diacritics 2')"
]
SQLITE_BACKWARD = ["DROP TABLE IF EXISTS documents_fts"]


def forward(apps, schema_editor):
    statements = PG_FORWARD if schema_editor.connection.vendor == "postgresql" else SQLITE_FORWARD
    for sql in statements:
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    statements = PG_BACKWARD if schema_editor.connection.vendor == "postgresql" else SQLITE_BACKWARD
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
