"""Rows and their history rows written in bulk: COPY and one UPDATE from a JSON recordset on
PostgreSQL, the ORM elsewhere. Every projection writes through these: the rebuild, and each
live append (`ProjectionState.write_changes`).

Django's bulk_create on PostgreSQL binds each column as an array that psycopg dumps value by
value in Python, and bulk_update builds a CASE per field and row: for a batch of articles
(hundreds of claims, each with its history row) either cost more than extracting them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import orjson
from django.db import connection, models

# simple-history's own columns of a history row, after the row's (`ProjectionState.history`).
HISTORY_OWN = ("history_date", "history_change_reason", "history_type", "history_user_id")


class JsonText:
    """A JSON value kept as the text the log holds: the rebuild reads the fields projectors
    carry (`eventlog.registry.Projector.carries`) this way, and they are written as they are.
    `eventlog.state.json_value` decodes one for a projector that must look inside."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def decoded(self) -> Any:
        return orjson.loads(self.text)


def insert_rows(model: type[models.Model], fields: list[models.Field], rows: Iterable[Sequence]):
    """Insert rows given as values in `fields` order: COPY on PostgreSQL."""
    table, columns = _table_and_columns(model, fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # psycopg's cursor, for COPY; its errors translated as Django's own cursor's are,
            # so callers catch IntegrityError (two uploads of one text racing) either way
            with connection.wrap_database_errors:
                copy_rows(cursor.cursor, model, fields, rows)
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                [
                    [f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True)]
                    for row in rows
                ],
            )


def copy_rows(raw_cursor, model: type[models.Model], fields: list[models.Field], rows) -> None:
    """COPY rows of values in `fields` order on a psycopg cursor (of any thread)."""
    table, columns = _table_and_columns(model, fields)
    with raw_cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for values in _copy_values(fields, rows):
            copy.write_row(values)


def update_rows(model: type[models.Model], rows: list[dict], attnames: list[str]) -> None:
    """Set `attnames` of rows (dicts by attname, with the primary key) in one statement."""
    if not rows:
        return
    pk = model._meta.pk
    columns = [model._meta.get_field(_field_name(model, name)) for name in attnames]
    if connection.vendor != "postgresql":
        model.objects.bulk_update([model(**row) for row in rows], [f.name for f in columns])
        return
    table = _quote(model._meta.db_table)
    sets = ", ".join(f"{_quote(f.column)} = x.{_quote(f.column)}" for f in columns)
    types = ", ".join(f"{_quote(f.column)} {f.db_type(connection)}" for f in [pk, *columns])
    records = [{f.column: row[f.attname] for f in [pk, *columns]} for row in rows]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {sets} FROM jsonb_to_recordset(%s::jsonb) AS x({types}) "
            f"WHERE {table}.{_quote(pk.column)} = x.{_quote(pk.column)}",
            [orjson.dumps(records).decode()],
        )


def delete_rows(model: type[models.Model], pks: list) -> None:
    """Delete rows by primary key: no signals, no cascade (projectors make those changes)."""
    pk = model._meta.pk
    table = _quote(model._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(pks), 500):
            chunk = [pk.get_db_prep_value(value, connection) for value in pks[start : start + 500]]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {table} WHERE {_quote(pk.column)} IN ({marks})", chunk)


def history_fields(model: type[models.Model]) -> list[models.Field]:
    """A history row's columns: the row's own, then simple-history's (`HISTORY_OWN`)."""
    history = model.history.model._meta
    own = {"history_id", *HISTORY_OWN}
    copied = [f for f in history.concrete_fields if f.attname not in own]
    return copied + [history.get_field(name) for name in HISTORY_OWN]


def _copy_values(fields: list[models.Field], rows: Iterable[Sequence]) -> Iterable[Sequence]:
    """The rows as COPY takes them: Python values as they are, except JSON, which goes as its
    text (a `JsonText` already is); history rows share their row's JSON values, so each is
    encoded once."""
    json_columns = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    if not json_columns:
        yield from rows
        return
    encoded: dict[int, tuple[Any, str]] = {}  # id(value) -> (value, text); the value pins the id
    for row in rows:
        values = list(row)
        for i in json_columns:
            value = values[i]
            if type(value) is JsonText:
                values[i] = value.text
            elif value == []:
                values[i] = "[]"
            elif value is not None:
                known = encoded.get(id(value))
                if known is None or known[0] is not value:
                    known = encoded[id(value)] = (value, orjson.dumps(value).decode())
                values[i] = known[1]
        yield values


def _field_name(model: type[models.Model], attname: str) -> str:
    return next(f.name for f in model._meta.concrete_fields if f.attname == attname)


def _table_and_columns(model: type[models.Model], fields: list[models.Field]) -> tuple[str, str]:
    return _quote(model._meta.db_table), ", ".join(_quote(f.column) for f in fields)


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)
