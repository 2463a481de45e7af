"""Append events to the log and apply them to the read models, in one transaction.

Every write in Claimdesk goes through `record()`: the event is the fact, the read models are
projections of it. `eventlog.rebuild.replay_all()` rebuilds every projection from the log.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from eventlog.context import Context
from eventlog.models import Event
from eventlog.registry import Projector, projector_of
from eventlog.state import ProjectionState

# Any constant works; it names the lock that serialises appends on PostgreSQL.
_APPEND_LOCK_KEY = 7_104_202_611


class ConcurrencyError(Exception):
    """The stream moved on since the caller read it: the write was based on a stale version."""

    def __init__(self, stream_type: str, stream_id: uuid.UUID, expected: int, actual: int):
        self.stream_type, self.stream_id = stream_type, stream_id
        self.expected, self.actual = expected, actual
        super().__init__(
            f"{stream_type} {stream_id} is at version {actual}, not {expected}: "
            "reload it and apply your change again"
        )


def apply(events: list[Event]) -> None:
    """Apply appended events to the read models with their projectors: load the rows they
    read, apply the events in order, write what changed (the rebuild runs the same
    projectors on every row at once)."""
    state = ProjectionState()
    by_projector: dict[Projector, list[Event]] = {}
    for event in events:
        by_projector.setdefault(projector_of(event.type), []).append(event)
    for projector, batch in by_projector.items():
        if projector.reads is not None:
            projector.reads(state, batch)
    for event in events:
        projector_of(event.type).apply(state, event)
    state.write_changes()


def last_position() -> int:
    """The position of the newest committed event (0 for an empty log). Every event up to it
    is visible: appends hold the append lock until commit, so positions commit in order."""
    return Event.objects.aggregate(latest=Max("position"))["latest"] or 0


def stream_version(stream_type: str, stream_id: uuid.UUID) -> int:
    latest = Event.objects.filter(stream_type=stream_type, stream_id=stream_id).aggregate(
        v=Max("stream_version")
    )["v"]
    return latest or 0


def record(
    *,
    stream_type: str,
    stream_id: uuid.UUID,
    expected_version: int,
    event_type: str,
    data: dict[str, Any],
    context: Context,
    team_id: uuid.UUID | None,
) -> Event:
    """Append one event at `expected_version + 1` and apply it; raise ConcurrencyError if stale.

    Must run inside `transaction.atomic()` together with the caller's other events.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record() must be called inside transaction.atomic()")
    lock_appends()
    actual = stream_version(stream_type, stream_id)
    if actual != expected_version:
        raise ConcurrencyError(stream_type, stream_id, expected_version, actual)
    try:
        with transaction.atomic():
            event = Event.objects.create(
                stream_type=stream_type,
                stream_id=stream_id,
                stream_version=expected_version + 1,
                type=event_type,
                data=data,
                metadata=context.metadata(),
                team_id=team_id,
                recorded_at=timezone.now(),
            )
    except IntegrityError as exc:
        raise ConcurrencyError(
            stream_type, stream_id, expected_version, stream_version(stream_type, stream_id)
        ) from exc
    apply([event])
    return event


@dataclass(frozen=True)
class NewEvent:
    """One event of a `record_many` batch."""

    stream_type: str
    stream_id: uuid.UUID
    expected_version: int
    event_type: str
    data: dict[str, Any]


def record_many(
    new_events: list[NewEvent],
    *,
    context: Context,
    team_id: uuid.UUID | None,
) -> list[Event]:
    """Append events to distinct streams with one version check and one insert, then apply
    them all at once (one load of the rows their projectors read, one write of the changes).

    For commands that append many events at a time (a re-clustering forms thousands of
    clusters): `record()` per event costs several queries each. Raises ConcurrencyError if
    any stream moved on. Must run inside `transaction.atomic()`.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_many() must be called inside transaction.atomic()")
    if not new_events:
        return []
    keys = [(e.stream_type, str(e.stream_id)) for e in new_events]
    if len(set(keys)) != len(keys):
        raise ValueError("record_many() takes at most one event per stream")
    lock_appends()
    actual: dict[tuple[str, str], int] = {}
    for stream_type in {e.stream_type for e in new_events}:
        ids = [e.stream_id for e in new_events if e.stream_type == stream_type]
        latest = (
            Event.objects.filter(stream_type=stream_type, stream_id__in=ids)
            .values_list("stream_id")
            .annotate(v=Max("stream_version"))
        )
        actual.update({(stream_type, str(sid)): v for sid, v in latest})
    for event in new_events:
        found = actual.get((event.stream_type, str(event.stream_id)), 0)
        if found != event.expected_version:
            raise ConcurrencyError(
                event.stream_type, event.stream_id, event.expected_version, found
            )
    now, metadata = timezone.now(), context.metadata()
    events = Event.objects.bulk_create(
        [
            Event(
                stream_type=e.stream_type,
                stream_id=e.stream_id,
                stream_version=e.expected_version + 1,
                type=e.event_type,
                data=e.data,
                metadata=metadata,
                team_id=team_id,
                recorded_at=now,
            )
            for e in new_events
        ]
    )
    apply(events)
    return events


def lock_appends() -> None:
    """Hold a transaction-scoped lock so positions become visible in commit order.

    Without it, a feed reader could see position 11 committed before 10 and skip 10 forever.
    SQLite already serialises writers.

    A command that locks rows (select_for_update) before it appends must call this first:
    an append holds this lock until commit while its foreign keys lock rows, so taking a
    row lock before this lock is the other half of a deadlock.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_APPEND_LOCK_KEY])
