"""Work to do once the current transaction commits, named by what it is, done by whoever
registered for it (Zulip's `send_event_on_commit`).

A command asks for work it must not do itself (`queue_on_commit(QUEUED_WORK, key)`); the app
that does it (the workers, which publish Celery tasks) registers its handler in
`AppConfig.ready`. So commands never import the workers, and a rolled-back write queues
nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction

_handlers: dict[str, Callable[[Any], Any]] = {}


def register_handler(kind: str, handler: Callable[[Any], Any]) -> None:
    if kind in _handlers:
        raise RuntimeError(f"two handlers for {kind}")
    _handlers[str(kind)] = handler


def queue_on_commit(kind: str, key: Any) -> None:
    """Hand `key` to the handler of `kind` after the current transaction commits."""
    try:
        handler = _handlers[str(kind)]
    except KeyError:
        raise RuntimeError(f"nothing registered to handle {kind}") from None
    transaction.on_commit(lambda: handler(key))
