"""What the domain apps tell the log about themselves, from their `AppConfig.ready`.

- the stream types they append to (`register_stream_types`),
- one projector per event type (`projector`): the function that applies an event to rows
  held in an `eventlog.state.ProjectionState`, run the same way by a live append and by the
  rebuild, with the loader of the rows a live append needs (`reads`),
- the read models those projections write (`register_read_models`): the rebuild empties and
  rewrites them, parents before children as their foreign keys say.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models


@dataclass(frozen=True)
class Projector:
    """`apply(state, event)` changes rows in `state`; before a live append applies a batch
    of events, `reads(state, events)` loads the rows they change or read (None: it only
    inserts). The rebuild starts from empty tables and needs no loading.

    `carries`: fields of the events' data that `apply` puts into JSON columns as they are,
    never looking inside but through `eventlog.state.json_value`. The rebuild may hand
    them over undecoded (`eventlog.bulk.JsonText`): decoding a re-clustering's member links
    only to encode them again for every history row cost more than the rest of the fold.
    """

    apply: Callable[[Any, Any], None]
    reads: Callable[[Any, list], None] | None = None
    carries: tuple[str, ...] = ()


_projectors: dict[str, Projector] = {}
_stream_types: set[str] = set()
_read_models: list[type[models.Model]] = []


def register_stream_types(stream_types: Iterable[str]) -> None:
    _stream_types.update(str(stream_type) for stream_type in stream_types)


def registered_stream_types() -> set[str]:
    return set(_stream_types)


def projector(
    *event_types: str,
    reads: Callable[[Any, list], None] | None = None,
    carries: tuple[str, ...] = (),
) -> Callable[[Callable], Callable]:
    """Register the one function that applies events of `event_types` (see `Projector`)."""

    def register(apply: Callable) -> Callable:
        for event_type in event_types:
            if event_type in _projectors:
                raise RuntimeError(f"two projections for {event_type}")
            _projectors[event_type] = Projector(apply=apply, reads=reads, carries=carries)
        return apply

    return register


def projector_of(event_type: str) -> Projector:
    try:
        return _projectors[event_type]
    except KeyError:
        raise RuntimeError(f"no projector registered for event type {event_type}") from None


def registered_event_types() -> list[str]:
    return sorted(_projectors)


def projectors() -> dict[str, Projector]:
    return dict(_projectors)


def register_read_models(*read_models: type[models.Model]) -> None:
    for model in read_models:
        if model not in _read_models:
            _read_models.append(model)


def read_models_in_write_order() -> list[type[models.Model]]:
    """The registered read models, each after every other one it has a foreign key to
    (registration order otherwise); a foreign key to itself is left to the rows' order."""
    parents = {
        model: {
            field.related_model
            for field in model._meta.concrete_fields
            if field.is_relation
            and field.related_model in _read_models
            and field.related_model is not model
        }
        for model in _read_models
    }
    ordered: list[type[models.Model]] = []
    while len(ordered) < len(_read_models):
        ready = [m for m in _read_models if m not in ordered and parents[m] <= set(ordered)]
        if not ready:
            cycle = sorted(m._meta.label for m in _read_models if m not in ordered)
            raise RuntimeError(f"read models whose foreign keys make a cycle: {cycle}")
        ordered.append(ready[0])
    return ordered
