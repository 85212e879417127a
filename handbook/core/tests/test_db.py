"""`core.db.hot_cursor`: on PostgreSQL meeting day's hand-written statements are prepared once per
connection (HANDBOOK_DB_PREPARED_STATEMENTS), and plain cursors are used when that is off."""

import pytest
from django.db import connection

from handbook.core.db import hot_cursor

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")

SQL = "SELECT %s::int + 1 AS handbook_hot_cursor_probe"


def _prepared() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%%handbook_hot_cursor_probe%%'"
        )
        return cursor.fetchone()[0]


def test_a_hot_statement_is_prepared_once_per_connection(db):
    from django.db.backends.postgresql.base import ServerBindingCursor

    assert connection.connection.prepare_threshold == 0  # the settings' default
    for n in range(3):
        with hot_cursor() as cursor:
            assert isinstance(cursor.cursor, ServerBindingCursor)  # bound server-side: preparable
            cursor.execute(SQL, [n])
            assert cursor.fetchone() == (n + 1,)
    assert _prepared() == 1


def test_without_prepared_statements_it_is_an_ordinary_cursor(db, monkeypatch):
    connection.ensure_connection()
    monkeypatch.setattr(connection.connection, "prepare_threshold", None)
    with hot_cursor() as cursor:
        from django.db.backends.postgresql.base import ServerBindingCursor

        assert not isinstance(cursor.cursor, ServerBindingCursor)  # Django's own, client-side binding
        cursor.execute(SQL, [1])
        assert cursor.fetchone() == (2,)
    assert _prepared() == 0
