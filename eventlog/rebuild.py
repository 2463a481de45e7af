"""Rebuild every read model from the log in memory, then write it with a few bulk statements.

Applying events one by one through the ORM costs several queries per event (a few hundred
events a second); a full replay instead folds the whole log into rows held in memory and
writes each table once (COPY on PostgreSQL). The fold runs the projectors a live append runs
(`eventlog.registry.projector`), on a `ProjectionState` that holds every row;
`tests/dossiers/test_replay.py` compares every row of the rebuild with the live ones.

On PostgreSQL a replay that owns its transaction also overlaps the database's work with
Python's (the machine's second core): the log is read on a second connection
(`log_in_order`) so that the replay's own connection is free to COPY history rows from a
thread while the fold goes on (`HistoryCopier`); and the foreign keys of the rebuilt rows
are checked with one query per key rather than one trigger call per row
(`foreign_keys_checked_once`).
"""

from __future__ import annotations

import gc
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, NamedTuple

import orjson
from django.db import DatabaseError, IntegrityError, connection, models, transaction

from eventlog.bulk import JsonText, copy_rows
from eventlog.models import Event
from eventlog.registry import projectors, read_models_in_write_order
from eventlog.state import HistorySink, ProjectionState, history_fields_of
from eventlog.store import lock_appends


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


def delete_all(*models_in_order: type[models.Model]) -> None:
    """Empty the tables and their history tables, children first (no per-row signals)."""
    with connection.cursor() as cursor:
        for model in models_in_order:
            for table in (model._meta.db_table, model.history.model._meta.db_table):
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")


# --- the rebuild ------------------------------------------------------------------------


def replay_all(*, progress: Callable[[int], None] | None = None, chunk_size: int = 2000) -> int:
    """Empty every projection and rebuild it from the whole log. Returns the event count.

    One transaction: readers see the old read models until it commits. The log is folded in
    memory by the projectors, then written table by table, parents first. On
    PostgreSQL the history rows go to the database while the fold runs, and foreign keys are
    checked once per key (see below).
    """
    overlap = overlaps_database_work()
    models = read_models_in_write_order()
    with transaction.atomic(), foreign_keys_checked_once(models):
        lock_appends()  # appends wait: an event committed mid-replay would be lost or doubled
        compress_with_lz4()
        delete_all(*reversed(models))
        # The fold makes millions of rows that all live until written: the cyclic collector
        # would scan them over and over for nothing (projections make no cycles).
        gc.disable()
        try:
            return _fold_and_write(models, overlap, chunk_size, progress)
        finally:
            gc.enable()


def _fold_and_write(models: list, overlap: bool, chunk_size: int, progress) -> int:
    """Fold the log into rows and write them; returns the event count.

    The rows are dropped when this returns, while the collector is still off: its first
    pass would otherwise walk every one of them (seconds, at a million events).
    """
    count = 0
    with (
        history_copier(enabled=overlap) as history_sink,
        log_in_order(chunk_size, elsewhere=overlap) as events,
    ):
        state = ProjectionState(history_sink=history_sink, every_user=True)
        apply = {event_type: p.apply for event_type, p in projectors().items()}
        for event in events:
            apply[event.type](state, event)
            count += 1
            if count % chunk_size == 0:
                state.flush_history()
                if progress:
                    progress(count)
    state.write(models)
    return count


# --- PostgreSQL: overlap the database's work with the fold --------------------------------


def compress_with_lz4() -> None:
    """Have PostgreSQL compress the long values this transaction writes with lz4, if built
    with it (PostgreSQL 14+), rather than its default pglz.

    Most of what the rebuild writes is history, and a cluster's history row (~1.7 KB, its
    member links, origins and contradictions as JSON) is long enough to be compressed:
    COPYing the history of 94k clusters cost the server 3.9 s of CPU with pglz and 2.7 s
    with lz4. The values read back the same; only how they are stored differs.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        if cursor.fetchone() == (True,):
            cursor.execute("SET LOCAL default_toast_compression = lz4")


def overlaps_database_work() -> bool:
    """Whether a replay may read the log on a second connection and COPY from a thread.

    Only on PostgreSQL, and only when the replay opens the transaction itself: events
    appended earlier in an enclosing transaction would not be visible to a second connection.
    """
    return connection.vendor == "postgresql" and not connection.in_atomic_block


@contextmanager
def log_in_order(chunk_size: int, *, elsewhere: bool) -> Iterator[Iterable[ReplayEvent]]:
    """Every logged event by position, read `chunk_size` at a time.

    `elsewhere`: on a second connection (PostgreSQL), so that the replay's connection stays
    free for COPY while the fold reads. The log cannot change meanwhile: the replay holds the
    append lock, taken before this connection's first query.
    """
    if not elsewhere:
        yield _events_through_the_orm(chunk_size)
        return
    reader = connection.get_new_connection(connection.get_connection_params())
    events = _events_copied_out(reader, chunk_size)
    try:
        reader.execute("SELECT set_config('TimeZone', 'UTC', false)")
        yield events
    finally:
        events.close()  # first: it stops the thread that reads ahead on `reader`
        reader.close()


def _events_through_the_orm(chunk_size: int) -> Iterator[ReplayEvent]:
    last = 0
    while True:
        chunk = list(
            Event.objects.filter(position__gt=last)
            .order_by("position")
            .values_list(*ReplayEvent._fields)[:chunk_size]
        )
        if not chunk:
            return
        yield from map(ReplayEvent._make, chunk)
        last = chunk[-1][0]


def _events_copied_out(reader, chunk_size: int) -> Iterator[ReplayEvent]:
    """The log in one COPY, each event a JSON array, decoded by orjson `chunk_size` at a time.

    One JSON document per query of `chunk_size` events (json_agg) cost the server twice the
    CPU of this COPY (3.8 s against 2.0 s per 200k events), and row by row the driver's
    decoding of the two JSON fields and the uuids cost more than the fold. The first column
    of a chunk's lines are the elements of one JSON array (`_log_query`); the fields
    projectors carry come as `JsonText` from the other columns. Ids stay strings (the
    projections write them as strings); times are UTC ISO strings. One statement: one
    snapshot of the log.
    """
    carried = {t: p.carries for t, p in projectors().items() if p.carries}
    parse_time = datetime.fromisoformat

    def chunks() -> Iterator[bytes]:
        """Whole lines, about `chunk_size` of them at a time (PostgreSQL sends a line a
        message; a cut mid-line is carried to the next chunk all the same)."""
        with reader.cursor().copy(_log_query(carried)) as copy:
            lines, count = [], 0
            for data in copy:
                lines.append(data)
                count += 1
                if count >= chunk_size:
                    text = b"".join(lines)
                    end = text.rfind(b"\n") + 1
                    lines, count = [text[end:]], 0
                    yield text[:end]
            if text := b"".join(lines):
                yield text

    make = ReplayEvent._make
    for chunk in _read_ahead(chunks()):
        lines = [line.split(_COLUMNS_APART) for line in chunk.split(b"\n")[:-1]]
        array = orjson.loads(b"[" + b",".join([line[0] for line in lines]) + b"]")
        for values, line in zip(array, lines, strict=True):
            if values[4] in carried:
                data = values[5]
                for name, text in zip(carried[values[4]], line[1:], strict=False):
                    if text:  # empty: NULL, an old event without the field
                        data[name] = JsonText(text.decode())
            values[-1] = parse_time(values[-1])  # recorded_at
            yield make(values)


# COPY's CSV format escapes nothing unless a value holds the delimiter, the quote character
# or a line break, and a JSON text as PostgreSQL writes it holds none of these three (it
# writes control characters in strings as escapes). Text format doubled every backslash,
# and undoing that cost more than orjson's decoding.
_COLUMNS_APART = b"\x02"
_COPY_FORMAT = "FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x01'"


def _log_query(carried: dict[str, tuple[str, ...]]) -> str:
    """COPY of the log: per event a JSON array of the `ReplayEvent` fields, less the data
    fields its projector carries, whose texts follow in columns of their own (NULL when the
    event has none): decoded, a re-clustering's member links and origins cost most of the
    fold's CPU, and inside the array as JSON strings their quotes were escaped."""
    quote = connection.ops.quote_name
    columns = [quote(name) for name in ReplayEvent._fields]
    texts = []
    if carried:
        kept = " ".join(
            f"WHEN {_literal(t)} THEN data - ARRAY[{', '.join(map(_literal, names))}]"
            for t, names in carried.items()
        )
        columns[ReplayEvent._fields.index("data")] = f"CASE type {kept} ELSE data END"
        for i in range(max(map(len, carried.values()))):
            field = " ".join(
                f"WHEN {_literal(t)} THEN (data -> {_literal(names[i])})::text"
                for t, names in carried.items()
                if i < len(names)
            )
            texts.append(f"CASE type {field} END")
    selected = ", ".join([f"json_build_array({', '.join(columns)})", *texts])
    return (
        f"COPY (SELECT {selected} FROM {quote(Event._meta.db_table)} ORDER BY position) "
        f"TO STDOUT WITH ({_COPY_FORMAT})"
    )


def _literal(text: str) -> str:
    """An SQL string literal (COPY takes no parameters); names from the code, not input."""
    return "'" + text.replace("'", "''") + "'"


def _read_ahead(items: Iterator[bytes], depth: int = 2) -> Iterator[bytes]:
    """`items`, produced by a thread up to `depth` ahead of the consumer.

    For the log's chunks: the server makes the next chunk while this process folds the
    current one, instead of the two taking turns. Stops the thread when closed.
    """
    ready: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put((item, None)):
                    return
            put((None, None))
        except BaseException as error:  # noqa: BLE001 - raised again in the consumer
            put((None, error))

    thread = threading.Thread(target=produce, name="replay-log-reader")
    thread.start()
    try:
        while True:
            item, error = ready.get()
            if error is not None:
                raise error
            if item is None:
                return
            yield item
    finally:
        stop.set()
        thread.join()


class HistoryCopier:
    """A `HistorySink` that COPYs each batch on the replay's connection from a thread.

    While PostgreSQL inserts a batch (its rows, their indexes and the WAL: most of a COPY's
    time), this process goes on folding; psycopg releases the GIL while it waits on the
    socket. The batches go in order and in the replay's transaction. At most
    `QUEUED_BATCHES` wait: the fold then waits for the thread, so that the server gets the
    history as it is made rather than in one backlog at the end (measured at 1M events: 56 s
    rather than 62 s). An error in the thread is raised in the fold at its next batch, or on
    exit.
    """

    QUEUED_BATCHES = 8

    def __init__(self, raw_connection) -> None:
        self._connection = raw_connection
        self._batches: queue.Queue = queue.Queue(maxsize=self.QUEUED_BATCHES)
        self._thread = threading.Thread(target=self._run, name="replay-history-copy")
        self._error: BaseException | None = None
        self._cancelled = False

    def __call__(self, model: type[models.Model], rows: list[tuple]) -> None:
        self._raise_error()
        self._batches.put((model, rows))

    def __enter__(self) -> HistoryCopier:
        self._thread.start()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self._cancelled = exc_type is not None  # the transaction rolls back: skip what is left
        self._batches.put(None)
        self._thread.join()
        if exc_type is None:
            self._raise_error()

    def _run(self) -> None:
        while (batch := self._batches.get()) is not None:
            if self._error is not None or self._cancelled:
                continue
            model, rows = batch
            try:
                with self._connection.cursor() as cursor:
                    copy_rows(cursor, model.history.model, history_fields_of(model), rows)
            except BaseException as error:  # noqa: BLE001 - raised again in the fold's thread
                self._error = error

    def _raise_error(self) -> None:
        if self._error is not None:
            raise self._error


@contextmanager
def history_copier(*, enabled: bool) -> Iterator[HistorySink | None]:
    """A running `HistoryCopier` on the replay's connection, or None (history written last)."""
    if not enabled:
        yield None
        return
    with HistoryCopier(connection.connection) as copier:
        yield copier


@contextmanager
def foreign_keys_checked_once(models_in_order: Iterable[type[models.Model]]) -> Iterator[None]:
    """On PostgreSQL, check the foreign keys of the rebuilt tables with one query per key.

    Each row a replay inserts (or deletes) queues a deferred foreign-key trigger call, run one
    by one at commit: about 17 s for the 2.7M rows of a 1M-event log. Instead, the writes run
    with session_replication_role = replica (PostgreSQL fires no foreign-key triggers), and
    before the transaction ends every foreign key from or to a rebuilt table is checked in
    one anti-join (`_check_foreign_key`), which raises IntegrityError like the triggers would.
    Unlike dropping and re-adding constraints this takes no table lock: readers still see
    the old read models until commit. Setting the role needs superuser or, on PostgreSQL
    15+, `GRANT SET ON PARAMETER session_replication_role`; without it the triggers run.

    The checks run without nested loops: the rows just written have no statistics, and the
    planner would probe the parent's index once per key (1.2 s for the claims' articles at
    1M events) where a hash anti-join reads each table once (0.4 s).
    """
    if connection.vendor != "postgresql" or not _skip_trigger_checks():
        yield
        return
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = origin")
        cursor.execute("SET LOCAL enable_nestloop = off")
        tables = [
            table
            for model in models_in_order
            for table in (model._meta.db_table, model.history.model._meta.db_table)
        ]
        for key in _foreign_keys_touching(cursor, tables):
            _check_foreign_key(cursor, *key, lock_parent=key[3] not in tables)
        cursor.execute("SET LOCAL enable_nestloop TO DEFAULT")


def _skip_trigger_checks() -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        return False
    return True


def _foreign_keys_touching(cursor, tables: list[str]) -> list[tuple[str, str, str, str, str]]:
    """(name, table, column, referenced table, referenced column) of every single-column
    foreign key from or to one of `tables` (Django makes no other kind)."""
    cursor.execute(
        """
        SELECT c.conname, c.conrelid::regclass::text, a.attname,
               c.confrelid::regclass::text, fa.attname, cardinality(c.conkey)
          FROM pg_constraint c
          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
          JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[1]
         WHERE c.contype = 'f'
           AND (c.conrelid::regclass::text = ANY(%s) OR c.confrelid::regclass::text = ANY(%s))
         ORDER BY c.conname
        """,
        [tables, tables],
    )
    keys = cursor.fetchall()
    if any(columns != 1 for *_, columns in keys):
        raise RuntimeError("a multi-column foreign key: the replay's check takes one column")
    return [key[:5] for key in keys]


def _check_foreign_key(
    cursor, name: str, table: str, column: str, parent: str, parent_column: str, *, lock_parent
) -> None:
    """Raise IntegrityError if a value of `table.column` is missing from `parent`.

    `lock_parent`: the parent is not rebuilt (e.g. auth_user), so its referenced rows are
    locked FOR KEY SHARE until commit, as the triggers would: no one deletes them meanwhile.
    """
    quote = connection.ops.quote_name
    values = f"SELECT DISTINCT {quote(column)} AS v FROM {quote(table)} WHERE {quote(column)} IS NOT NULL"
    if lock_parent:
        cursor.execute(
            f"SELECT 1 FROM {quote(parent)} WHERE {quote(parent_column)} IN ({values}) "
            "FOR KEY SHARE"
        )
    cursor.execute(
        f"SELECT v FROM ({values}) AS k WHERE NOT EXISTS "
        f"(SELECT 1 FROM {quote(parent)} p WHERE p.{quote(parent_column)} = k.v) LIMIT 1"
    )
    missing = cursor.fetchone()
    if missing is not None:
        raise IntegrityError(
            f'insert or update on table "{table}" violates foreign key constraint "{name}": '
            f'key ({column})=({missing[0]}) is not present in table "{parent}"'
        )
