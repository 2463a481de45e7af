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


class MissingActor(TypeError):
    """A command was called without saying who acts."""


@dataclass(frozen=True)
class Actor:
    """Who caused an event: a user, or the system (workers, replays, schedules)."""

    user_id: int | None = None
    name: str = "system"

    @classmethod
    def of(cls, user) -> Actor:
        """The actor of a command run by `user`: a signed-in user, or `SYSTEM` named as such.

        None is refused rather than read as the system: the system passes every role check,
        so a forgotten actor must fail loudly instead of acting with every right.
        """
        if user is SYSTEM:
            return SYSTEM
        if user is None or not getattr(user, "is_authenticated", False):
            raise MissingActor(
                "a command needs its actor: the signed-in user, or eventlog.context.SYSTEM "
                "for work the service does by itself"
            )
        return cls(user_id=user.pk, name=user.get_username())


# The service itself (workers, schedules, operators' management commands): pass it as a
# command's `actor` where no person acts. It holds every role; it cannot review verdicts.
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
        """The context of a command run by `user` (a user, or `SYSTEM`)."""
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
