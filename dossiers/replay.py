"""Rebuild every read model from the log in memory, then write it with a few bulk statements.

Applying events one by one through the ORM costs several queries per event (a few hundred
events a second); a full replay instead folds the whole log into rows held in memory and
writes each table once (COPY on PostgreSQL). Each event type has a replay twin of its live
projection (registered with `eventstore.replays`) that makes the same rows and the same
history rows; `tests/dossiers/test_replay.py` compares every row of both.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from operator import itemgetter
from typing import Any, NamedTuple

from django.contrib.auth import get_user_model
from django.db import connection, models

from dossiers.eventstore import history_reason

# simple-history's own columns, set by `history()` rather than copied from the row.
_HISTORY_OWN = {
    "history_id",
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user",
}


class ReplayEvent(NamedTuple):
    """The fields of a logged event the projections read (lighter than a model instance)."""

    position: int
    stream_type: str
    stream_id: Any
    stream_version: int
    type: str
    data: dict
    metadata: dict
    team_id: Any
    recorded_at: datetime


class ReplayState:
    """Rows of every read model by primary key, and the history rows made along the way."""

    def __init__(self) -> None:
        self.rows: dict[type[models.Model], dict[Any, dict]] = defaultdict(dict)
        self.history_rows: dict[type[models.Model], list[dict]] = defaultdict(list)
        self._user_ids = set(get_user_model().objects.values_list("pk", flat=True))
        self._defaults: dict[type[models.Model], list[models.Field]] = {}
        self._indexes: dict[str, dict[str, dict]] = defaultdict(lambda: defaultdict(dict))
        self._loaded: dict[type[models.Model], dict[str, dict]] = defaultdict(dict)

    # --- rows ---

    def get(self, model: type[models.Model], pk) -> dict:
        return self.rows[model][_key(pk)]

    def where(self, model: type[models.Model], **match) -> list[dict]:
        """Rows whose fields equal `match` (a scan: only for small tables or rare events)."""
        return [
            row
            for row in self.rows[model].values()
            if all(row[name] == value for name, value in match.items())
        ]

    def index(self, name: str) -> dict[str, dict]:
        """A lookup the projections keep for themselves (e.g. claims by article)."""
        return self._indexes[name]

    def insert(self, model: type[models.Model], event, reason: str | None = None, **row) -> dict:
        """A row saved through the ORM: model defaults filled in, a "+" history row."""
        for field in self._fields_with_defaults(model):
            if field.attname not in row:
                row[field.attname] = field.get_default()
        self.rows[model][_key(row["id"])] = row
        self.history(model, row, event, "+", reason)
        return row

    def save(self, model: type[models.Model], row: dict, event, reason: str | None = None) -> None:
        """A changed row saved through the ORM: a "~" history row of its new state."""
        self.history(model, row, event, "~", reason)

    def delete(self, model: type[models.Model], row: dict, event) -> None:
        del self.rows[model][_key(row["id"])]
        self.history(model, row, event, "-")

    def history(self, model, row: dict, event, kind: str, reason: str | None = None) -> None:
        """`reason` None means the reason `eventstore.stamp_history` gives."""
        if model not in _HISTORY_FIELDS:
            _HISTORY_FIELDS[model] = [
                f.attname
                for f in model.history.model._meta.concrete_fields
                if f.name not in _HISTORY_OWN
            ]
        if reason is None:
            reason = history_reason(event)
        actor_id = event.metadata.get("actor_id")
        history = {name: row[name] for name in _HISTORY_FIELDS[model]}
        history["history_date"] = event.recorded_at
        history["history_change_reason"] = reason
        history["history_type"] = kind
        history["history_user_id"] = actor_id if actor_id in self._user_ids else None
        self.history_rows[model].append(history)

    def _fields_with_defaults(self, model: type[models.Model]) -> list[models.Field]:
        if model not in self._defaults:
            self._defaults[model] = list(model._meta.concrete_fields)
        return self._defaults[model]

    # --- live batches: load some rows, apply events, write what changed ---

    def load(self, model: type[models.Model], queryset) -> list[dict]:
        """Rows from the database, ids as strings (as the projections write them)."""
        uuids = [f.attname for f in model._meta.concrete_fields if _holds_uuid(f)]
        rows = []
        for row in queryset.values():
            for name in uuids:
                if row[name] is not None:
                    row[name] = str(row[name])
            self.rows[model][_key(row["id"])] = row
            self._loaded[model][_key(row["id"])] = dict(row)
            rows.append(row)
        return rows

    def write_changes(self) -> None:
        """Insert new rows, update changed ones and insert every history row, in bulk."""
        for model, rows in self.rows.items():
            loaded = self._loaded[model]
            new = [model(**row) for pk, row in rows.items() if pk not in loaded]
            changed: dict[str, dict] = {}
            for pk, row in rows.items():
                if pk in loaded and row != loaded[pk]:
                    changed[pk] = row
            model.objects.bulk_create(new, batch_size=1000)
            if changed:
                names = sorted(
                    {
                        _field_name(model, attname)
                        for row in changed.values()
                        for attname, value in row.items()
                        if loaded[_key(row["id"])][attname] != value
                    }
                )
                model.objects.bulk_update(
                    [model(**row) for row in changed.values()], names, batch_size=1000
                )
        for model, history in self.history_rows.items():
            history_model = model.history.model
            history_model.objects.bulk_create(
                [history_model(**row) for row in history], batch_size=1000
            )

    # --- writing ---

    def write(self, models_in_order: Iterable[type[models.Model]]) -> None:
        """Insert every row, parents before children, then every history row."""
        for model in models_in_order:
            _insert(model, self.rows[model].values())
            _insert(model.history.model, self.history_rows[model], skip={"history_id"})


_HISTORY_FIELDS: dict[type[models.Model], list[str]] = {}


def _holds_uuid(field: models.Field) -> bool:
    target = field.target_field if field.is_relation else field
    return isinstance(target, models.UUIDField)


def _field_name(model: type[models.Model], attname: str) -> str:
    return next(f.name for f in model._meta.concrete_fields if f.attname == attname)


def _key(pk) -> str:
    return str(pk)


def _insert(model: type[models.Model], rows: Iterable[dict], skip: frozenset | set = frozenset()):
    fields = [f for f in model._meta.concrete_fields if f.name not in skip]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg's cursor, for COPY
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for values in _copy_values(fields, rows):
                    copy.write_row(values)
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                [[f.get_db_prep_save(row[f.attname], connection) for f in fields] for row in rows],
            )


def _copy_values(fields: list[models.Field], rows: Iterable[dict]) -> Iterable:
    """Each row's values in column order. COPY takes Python values as they are, except JSON,
    which goes as its text; history rows share their row's JSON values, so each is encoded once.
    """
    get = itemgetter(*[f.attname for f in fields])
    json_columns = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    if not json_columns:
        yield from map(get, rows)
        return
    encoded: dict[int, tuple[Any, str]] = {}  # id(value) -> (value, text); the value pins the id
    for row in rows:
        values = list(get(row))
        for i in json_columns:
            value = values[i]
            if value == []:
                values[i] = "[]"
            elif value is not None:
                known = encoded.get(id(value))
                if known is None or known[0] is not value:
                    known = encoded[id(value)] = (value, json.dumps(value))
                values[i] = known[1]
        yield values


def delete_all(*models_in_order: type[models.Model]) -> None:
    """Empty the tables and their history tables, children first (no per-row signals)."""
    with connection.cursor() as cursor:
        for model in models_in_order:
            for table in (model._meta.db_table, model.history.model._meta.db_table):
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")
