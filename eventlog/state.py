"""Rows of the read models held in memory while projectors apply events to them.

One projector per event type changes rows here, live and on rebuild alike: a live append
loads the rows its events' projectors read (`load`), applies them and writes what changed
(`write_changes`); the rebuild starts from nothing, applies the whole log and writes every
row once (`write`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import cache
from operator import itemgetter
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models

from eventlog.bulk import (
    HISTORY_OWN,
    JsonText,
    delete_rows,
    history_fields,
    insert_rows,
    update_rows,
)
from eventlog.registry import read_models_in_write_order

# django-simple-history's change-reason column is a varchar(100); the event keeps it whole.
HISTORY_REASON_LENGTH = 100


def history_reason(event) -> str:
    return (event.metadata.get("reason") or event.type)[:HISTORY_REASON_LENGTH]


def json_value(value: Any) -> Any:
    """A JSON column's value to look inside: a field the rebuild carried as text
    (`eventlog.registry.Projector.carries`) decoded, any other value as it is."""
    return value.decoded() if type(value) is JsonText else value


HistorySink = Callable[[type[models.Model], list[tuple]], None]


class ProjectionState:
    """Rows of every read model by primary key, and the history rows made along the way
    (as tuples in `_history_columns` order: no dict to build, nothing to pick when written).

    A history row is final once made, so with a `history_sink` they can be handed on in
    batches (`flush_history`) while the fold goes on; `write` writes whatever is left.

    `every_user`: the rebuild reads every user id at once (history rows name their actor
    when the user still exists); a live batch asks about the few actors it meets.
    """

    HISTORY_BATCH = 20_000

    def __init__(
        self, history_sink: HistorySink | None = None, *, every_user: bool = False
    ) -> None:
        self.rows: dict[type[models.Model], dict[Any, dict]] = defaultdict(dict)
        self.history_rows: dict[type[models.Model], list[tuple]] = defaultdict(list)
        self._history_sink = history_sink
        self._pending_history = 0
        self._users: dict[Any, bool] = {}
        if every_user:
            self._users = dict.fromkeys(get_user_model().objects.values_list("pk", flat=True), True)
        self._every_user = every_user
        self._indexes: dict[str, dict[str, dict]] = defaultdict(lambda: defaultdict(dict))
        self._loaded: dict[type[models.Model], dict[str, dict]] = defaultdict(dict)
        self._deleted: dict[type[models.Model], list] = defaultdict(list)
        self._event = None  # the event whose history values `_history_of` holds
        self._event_history: tuple = ()

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
        fixed, made = _defaults(model)
        row = {**fixed, **row}
        for name, make in made.items():
            if name not in row:
                row[name] = make()
        self.rows[model][_key(row["id"])] = row
        self.history(model, row, event, "+", reason)
        return row

    def save(self, model: type[models.Model], row: dict, event, reason: str | None = None) -> None:
        """A changed row saved through the ORM: a "~" history row of its new state."""
        self.history(model, row, event, "~", reason)

    def delete(self, model: type[models.Model], row: dict, event) -> None:
        """A row deleted through the ORM: a "-" history row of its last state."""
        key = _key(row["id"])
        del self.rows[model][key]
        if self._loaded[model].pop(key, None) is not None:
            self._deleted[model].append(row["id"])
        self.history(model, row, event, "-")

    def history(self, model, row: dict, event, kind: str, reason: str | None = None) -> None:
        """`reason` None means the event's reason cut to the column (`history_reason`)."""
        date, event_reason, user_id = self._history_of(event)
        values = _copied_to_history(model)(row)
        self.history_rows[model].append(
            (*values, date, event_reason if reason is None else reason, kind, user_id)
        )
        self._pending_history += 1

    def _history_of(self, event) -> tuple:
        """The date, reason and user of every history row `event` makes, worked out once per
        event: a re-clustering's event makes a history row for each claim it moves."""
        if event is not self._event:
            user_id = self._history_user_id(event.metadata.get("actor_id"))
            self._event_history = (event.recorded_at, history_reason(event), user_id)
            self._event = event
        return self._event_history

    def _history_user_id(self, actor_id):
        """The actor's id if that user exists (history rows point at users), else None."""
        if actor_id is None:
            return None
        if actor_id not in self._users and not self._every_user:
            self._users[actor_id] = get_user_model().objects.filter(pk=actor_id).exists()
        return actor_id if self._users.get(actor_id) else None

    def flush_history(self) -> None:
        """Hand the history rows made so far to the sink, once there are enough of them."""
        if self._history_sink is None or self._pending_history < self.HISTORY_BATCH:
            return
        for model, rows in self.history_rows.items():
            if rows:
                self._history_sink(model, rows)
        self.history_rows = defaultdict(list)
        self._pending_history = 0

    # --- live batches: load some rows, apply events, write what changed ---

    def load(self, model: type[models.Model], queryset) -> list[dict]:
        """Rows from the database, ids as strings (as the projections write them)."""
        uuids = [f.attname for f in model._meta.concrete_fields if _holds_uuid(f)]
        rows = []
        for row in queryset.values():
            key = _key(row["id"])
            if key in self.rows[model]:  # loaded already: keep the row the indexes hold
                rows.append(self.rows[model][key])
                continue
            for name in uuids:
                if row[name] is not None:
                    row[name] = str(row[name])
            self.rows[model][key] = row
            self._loaded[model][_key(row["id"])] = dict(row)
            rows.append(row)
        return rows

    def write_changes(self) -> None:
        """Delete the loaded rows deleted here (children first), insert new rows and update
        changed ones (parents first), then insert every history row, in bulk."""
        models_in_order = read_models_in_write_order()
        unknown = (self.rows.keys() | self._deleted.keys()) - set(models_in_order)
        if unknown:
            raise RuntimeError(f"read models no app registered: {sorted(map(str, unknown))}")
        for model in reversed(models_in_order):
            delete_rows(model, self._deleted.get(model, []))
        for model in models_in_order:
            rows = self.rows.get(model, {})
            loaded = self._loaded[model]
            fields = model._meta.concrete_fields
            get = itemgetter(*[f.attname for f in fields])
            new = [get(row) for pk, row in rows.items() if pk not in loaded]
            if new:
                insert_rows(model, fields, new)
            changed = [row for pk, row in rows.items() if pk in loaded and row != loaded[pk]]
            names = sorted(
                {
                    attname
                    for row in changed
                    for attname, value in row.items()
                    if loaded[_key(row["id"])][attname] != value
                }
            )
            update_rows(model, changed, names)
        for model, history in self.history_rows.items():
            if history:
                insert_rows(model.history.model, history_fields_of(model), history)

    # --- writing ---

    def write(self, models_in_order: Iterable[type[models.Model]]) -> None:
        """Insert every row, parents before children, and every history row not yet flushed."""
        for model in models_in_order:
            fields = model._meta.concrete_fields
            get = itemgetter(*[f.attname for f in fields])
            insert_rows(model, fields, map(get, self.rows[model].values()))
            insert_rows(model.history.model, history_fields_of(model), self.history_rows[model])


@cache
def _defaults(model: type[models.Model]) -> tuple[dict[str, Any], dict[str, Callable[[], Any]]]:
    """Each column's default by attname, as (values, makers): a default given as a callable
    (a JSON field's `list`) is made anew for each row, the others are shared as Django shares
    them. Split once per model: asking every field for its default on every row was about a
    tenth of the fold's CPU."""
    fields = model._meta.concrete_fields
    makers = {f.attname: f.default for f in fields if f.has_default() and callable(f.default)}
    values = {f.attname: f.get_default() for f in fields if f.attname not in makers}
    return values, makers


@cache
def _history_columns(model: type[models.Model]) -> list[str]:
    """The attnames of a history row's values: the row's own, then simple-history's."""
    return [f.attname for f in history_fields_of(model)]


@cache
def _copied_to_history(model: type[models.Model]) -> Callable[[dict], tuple]:
    return itemgetter(*_history_columns(model)[: -len(HISTORY_OWN)])


@cache
def history_fields_of(model: type[models.Model]) -> list[models.Field]:
    return history_fields(model)


def _holds_uuid(field: models.Field) -> bool:
    target = field.target_field if field.is_relation else field
    return isinstance(target, models.UUIDField)


def _key(pk) -> str:
    return str(pk)
