"""Append events to the log and apply them to the read models, in one transaction.

Every write in Claimdesk goes through `record()`: the event is the fact, the read models are
projections of it. `replay_all()` rebuilds every projection from the log.
"""

from __future__ import annotations

import contextvars
import gc
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Model
from django.utils import timezone

from dossiers.bulk import update_with_history
from dossiers.models import Event

# Set per request by RequestIdMiddleware and per task by the workers, so that every event
# appended while serving one request or task carries the same ids.
current_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "current_request_id", default=None
)
current_correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "current_correlation_id", default=None
)

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


@dataclass(frozen=True)
class Actor:
    """Who caused an event: a user, or the system (workers, replays, schedules)."""

    user_id: int | None = None
    name: str = "system"

    @classmethod
    def of(cls, user) -> Actor:
        if user is None or not getattr(user, "is_authenticated", False):
            return SYSTEM
        return cls(user_id=user.pk, name=user.get_username())


SYSTEM = Actor()


@dataclass(frozen=True)
class Context:
    """Who, why and as part of what an event was appended."""

    actor: Actor = SYSTEM
    reason: str = ""
    causation_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def metadata(self) -> dict[str, Any]:
        return {
            "actor_id": self.actor.user_id,
            "actor": self.actor.name,
            "reason": self.reason,
            "request_id": current_request_id.get(),
            "correlation_id": current_correlation_id.get(),
            "causation_id": self.causation_id,
            **self.extra,
        }


Projection = Callable[[Event], None]
_projections: dict[str, Projection] = {}


def projection(event_type: str) -> Callable[[Projection], Projection]:
    """Register the function that applies events of `event_type` to the read models."""
    return _registrar(_projections, "projections", event_type)


def _registrar(registry: dict[str, Callable], kind: str, event_type: str) -> Callable:
    """A decorator that registers one function per event type in `registry`."""

    def register(apply: Callable) -> Callable:
        if event_type in registry:
            raise RuntimeError(f"two {kind} for {event_type}")
        registry[event_type] = apply
        return apply

    return register


def registered_event_types() -> list[str]:
    return sorted(_projections)


def apply(event: Event) -> None:
    try:
        project = _projections[event.type]
    except KeyError:
        raise RuntimeError(f"no projection registered for event type {event.type}") from None
    project(event)


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
    apply(event)
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
    apply_all: Callable[[list[Event]], None],
) -> list[Event]:
    """Append events to distinct streams with one version check and one insert, then apply
    them all at once with `apply_all` (which must leave what applying each in order would).

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
    apply_all(events)
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


# --- helpers for projections ---------------------------------------------------------------

_users_by_id: dict[int, Any] = {}


def history_user(event: Event):
    """The user to stamp on history rows, looked up once per process."""
    user_id = event.metadata.get("actor_id")
    if user_id is None:
        return None
    if user_id not in _users_by_id:
        _users_by_id[user_id] = get_user_model().objects.filter(pk=user_id).first()
    return _users_by_id[user_id]


# django-simple-history's change-reason column is a varchar(100); the event keeps it whole.
HISTORY_REASON_LENGTH = 100


def stamp_history(instance, event: Event) -> None:
    """Make the history row carry the event's time, actor and reason (also on replay)."""
    instance._history_date = event.recorded_at
    instance._history_user = history_user(event)
    instance._change_reason = history_reason(event)


def history_reason(event: Event) -> str:
    return (event.metadata.get("reason") or event.type)[:HISTORY_REASON_LENGTH]


def save_projection(instance, event: Event, *, owns_stream: bool = True) -> None:
    if owns_stream:
        instance.version = event.stream_version
    stamp_history(instance, event)
    instance.save()


def save_projections(changes: list[tuple[Model, Event]], fields: list[str]) -> None:
    """`save_projection` for rows of one model changed by a batch of events (`record_many`):
    one UPDATE and one history INSERT instead of a save() each, the same rows and history."""
    if not changes:
        return
    instances = []
    for instance, event in changes:
        instance.version = event.stream_version
        stamp_history(instance, event)
        instances.append(instance)
    update_with_history(instances, [*fields, "version"])


# --- replay --------------------------------------------------------------------------------

ProjectionWiper = Callable[[], None]
_wipers: list[tuple[int, ProjectionWiper]] = []


def wipes_projections(order: int) -> Callable[[ProjectionWiper], ProjectionWiper]:
    """Register a function that empties some read models before replay (low order first)."""

    def register(wipe: ProjectionWiper) -> ProjectionWiper:
        _wipers.append((order, wipe))
        return wipe

    return register


def replays(event_type: str) -> Callable[[Callable], Callable]:
    """Register the replay twin of a projection: the same rows, made in a `ReplayState`."""
    return _registrar(_replay_projections, "replay projections", event_type)


_replay_projections: dict[str, Callable] = {}


def replay_all(*, progress: Callable[[int], None] | None = None, chunk_size: int = 2000) -> int:
    """Empty every projection and rebuild it from the whole log. Returns the event count.

    One transaction: readers see the old read models until it commits. The log is folded in
    memory by the replay twins of the projections, then written table by table. On
    PostgreSQL the history rows go to the database while the fold runs, and foreign keys are
    checked once per key (see `dossiers.replay`).
    """
    from dossiers.replay import foreign_keys_checked_once, overlaps_database_work

    missing = set(_projections) - set(_replay_projections)
    if missing:
        raise RuntimeError(f"no replay projection for {sorted(missing)}")
    overlap = overlaps_database_work()
    models = _models_in_write_order()
    with transaction.atomic(), foreign_keys_checked_once(models):
        lock_appends()  # appends wait: an event committed mid-replay would be lost or doubled
        for _, wipe in sorted(_wipers, key=lambda item: item[0]):
            wipe()
        _users_by_id.clear()
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
    from dossiers.replay import ReplayState, history_copier, log_in_order

    count = 0
    with (
        history_copier(enabled=overlap) as history_sink,
        log_in_order(chunk_size, elsewhere=overlap) as events,
    ):
        state = ReplayState(history_sink=history_sink)
        for event in events:
            _replay_projections[event.type](state, event)
            count += 1
            if count % chunk_size == 0:
                state.flush_history()
                if progress:
                    progress(count)
    state.write(models)
    return count


def _models_in_write_order() -> list:
    from claims.models import Claim, ClaimCluster, Verdict, VerdictEvidence
    from dossiers.models import Article, Dossier, Membership, Source, Team

    return [Team, Membership, Dossier, Source, Article, ClaimCluster, Claim, Verdict,
            VerdictEvidence]  # fmt: skip
