"""What the domain apps tell the log about themselves, from their `AppConfig.ready`.

- the stream types they append to (`register_stream_types`),
- one projection per event type (`projection`; the rebuild's twin with `replays`),
- the read models those projections write (`register_read_models`): the rebuild empties and
  rewrites them, parents before children as their foreign keys say.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import models

_projections: dict[str, Callable] = {}
_replay_projections: dict[str, Callable] = {}
_stream_types: set[str] = set()
_read_models: list[type[models.Model]] = []


def register_stream_types(stream_types: Iterable[str]) -> None:
    _stream_types.update(str(stream_type) for stream_type in stream_types)


def registered_stream_types() -> set[str]:
    return set(_stream_types)


def projection(event_type: str) -> Callable[[Callable], Callable]:
    """Register the function that applies events of `event_type` to the read models."""
    return _registrar(_projections, "projections", event_type)


def replays(event_type: str) -> Callable[[Callable], Callable]:
    """Register the replay twin of a projection: the same rows, made in a `ReplayState`."""
    return _registrar(_replay_projections, "replay projections", event_type)


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


def projection_of(event_type: str) -> Callable:
    try:
        return _projections[event_type]
    except KeyError:
        raise RuntimeError(f"no projection registered for event type {event_type}") from None


def replay_projections() -> dict[str, Callable]:
    missing = set(_projections) - set(_replay_projections)
    if missing:
        raise RuntimeError(f"no replay projection for {sorted(missing)}")
    return _replay_projections


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
