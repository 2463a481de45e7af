"""The append-only event log: every change in Claimdesk is one of these rows."""

from __future__ import annotations

from django.db import models


class EventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyViolation("events are append-only; they cannot be updated")

    def delete(self):
        raise AppendOnlyViolation("events are append-only; they cannot be deleted")


class AppendOnlyViolation(Exception):
    pass


class Event(models.Model):
    """One fact in the append-only log. `position` is the global, gap-tolerant order."""

    position = models.BigAutoField(primary_key=True)
    stream_type = models.CharField(max_length=32)
    stream_id = models.UUIDField()
    stream_version = models.PositiveIntegerField()
    type = models.CharField(max_length=64, db_index=True)
    data = models.JSONField(default=dict)
    metadata = models.JSONField(default=dict)
    team_id = models.UUIDField(null=True, db_index=True, help_text="Owning team, for feeds.")
    recorded_at = models.DateTimeField(db_index=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        db_table = "dossiers_event"  # the log was born in the dossiers app; its rows stay put
        ordering = ["position"]
        verbose_name_plural = "change log"  # what the admin lists: every change, in words
        constraints = [
            models.UniqueConstraint(
                fields=["stream_type", "stream_id", "stream_version"], name="unique_stream_version"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.position} {self.type} {self.stream_type}/{self.stream_id}@{self.stream_version}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyViolation("events are append-only; they cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyViolation("events are append-only; they cannot be deleted")
