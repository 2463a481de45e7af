"""Who, why and as part of which request or task an event is appended."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field
from typing import Any

# Set per request by RequestIdMiddleware and per task by the workers, so that every event
# appended while serving one request or task carries the same ids.
current_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "current_request_id", default=None
)
current_correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "current_correlation_id", default=None
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

    @classmethod
    def of(cls, user, reason: str = "", **extra: Any) -> Context:
        """The context of a command run by `user` (None or anonymous: the system)."""
        return cls(actor=Actor.of(user), reason=reason, extra=extra)

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
