"""Rows and their history rows written in bulk for batches of events, through COPY on
PostgreSQL and the ORM elsewhere.

Django's bulk_create on PostgreSQL binds each column as an array that psycopg dumps value by
value in Python: for a worker storing a batch of articles (hundreds of claims, each with its
history row) that cost more than extracting them. COPY sends the rows as they are.
"""

from __future__ import annotations

import json
from datetime import date

from django.db import connection, models
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

# simple-history's columns, set from the instance's `_history_*` attributes (`stamp_history`).
_HISTORY_COLUMNS = ("history_date", "history_change_reason", "history_type", "history_user_id")


def create_with_history(instances: list[models.Model]) -> None:
    """`bulk_create_with_history` for instances stamped with their event's history fields."""
    if not instances:
        return
    model = type(instances[0])
    if connection.vendor != "postgresql":
        bulk_create_with_history(instances, model)
        return
    fields = list(model._meta.concrete_fields)
    copy_rows(model, fields, [[getattr(i, f.attname) for f in fields] for i in instances])
    _copy_history(model, instances, "+")


def update_with_history(instances: list[models.Model], fields: list[str]) -> None:
    """`bulk_update_with_history` for instances stamped with their event's history fields:
    one UPDATE from a JSON recordset on PostgreSQL (Django's CASE per field and row costs
    more to build than to run)."""
    if not instances:
        return
    model = type(instances[0])
    if connection.vendor != "postgresql":
        bulk_update_with_history(instances, model, fields)
        return
    columns = [model._meta.get_field(name) for name in fields]
    pk = model._meta.pk
    table = connection.ops.quote_name(model._meta.db_table)
    sets = ", ".join(f"{_q(f.column)} = x.{_q(f.column)}" for f in columns)
    types = ", ".join(f"{_q(f.column)} {f.db_type(connection)}" for f in [pk, *columns])
    records = [
        {f.column: _json_value(f, getattr(i, f.attname)) for f in [pk, *columns]} for i in instances
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {sets} FROM jsonb_to_recordset(%s::jsonb) AS x({types}) "
            f"WHERE {table}.{_q(pk.column)} = x.{_q(pk.column)}",
            [json.dumps(records)],
        )
    _copy_history(model, instances, "~")


def copy_rows(model: type[models.Model], fields: list[models.Field], rows: list[list]) -> None:
    """COPY rows (values in `fields` order) into the model's table; JSON goes as its text."""
    columns = ", ".join(_q(f.column) for f in fields)
    json_at = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's cursor, for COPY
        with raw.copy(f"COPY {_q(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
            for values in rows:
                for i in json_at:
                    if values[i] is not None:
                        values[i] = json.dumps(values[i])
                copy.write_row(values)


def _copy_history(model: type[models.Model], instances: list[models.Model], kind: str) -> None:
    history = model.history.model
    tracked = [f.attname for f in history.tracked_fields]
    fields = [history._meta.get_field(name) for name in tracked]
    fields += [history._meta.get_field(name) for name in _HISTORY_COLUMNS]
    rows = []
    for instance in instances:
        user = getattr(instance, "_history_user", None)
        rows.append(
            [getattr(instance, name) for name in tracked]
            + [instance._history_date, instance._change_reason, kind, user and user.pk]
        )
    copy_rows(history, fields, rows)


def _json_value(field: models.Field, value):
    """A value as jsonb_to_recordset reads it back into the column's type."""
    if value is None or isinstance(field, models.JSONField):
        return value
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    return str(value)  # UUIDs


def _q(name: str) -> str:
    return connection.ops.quote_name(name)
