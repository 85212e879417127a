"""Database helpers shared by the hand-written hot paths (meeting day: handbook.meetings.hotpath,
bearer-token authentication, idempotency records, audit inserts)."""

from django.db import DEFAULT_DB_ALIAS, connections

_pg = None  # Django's PostgreSQL backend module, imported on first use


def hot_cursor():
    """A cursor for a hot hand-written statement: on PostgreSQL a server-side binding cursor, so
    that psycopg prepares each statement once per connection (the settings' `prepare_threshold`;
    see HANDBOOK_DB_PREPARED_STATEMENTS) and PostgreSQL plans it once instead of on every request —
    planning the joins of the token and meeting reads cost more than running them. Elsewhere (SQLite,
    or prepared statements turned off) Django's ordinary cursor. Either way the cursor is wrapped as
    Django wraps its own, so query logging, execute wrappers and test query counts see it."""
    global _pg
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql":
        return db.cursor()
    db.ensure_connection()
    raw = db.connection
    if raw.prepare_threshold is None:
        return db.cursor()
    if _pg is None:
        from django.db.backends.postgresql import base as _pg
    cursor = _pg.ServerBindingCursor(raw)
    if db.timezone != raw.adapters.get_loader(_pg.TIMESTAMPTZ_OID, _pg.Format.TEXT).timezone:
        _pg.register_tzloader(db.timezone, cursor)  # as Django's own create_cursor does
    return db._prepare_cursor(cursor)
