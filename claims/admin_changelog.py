"""The change log: every event of the user's teams said in words, filterable by person, type,
object, dossier and date, each request's events grouped under it.

It lives with the claims admin because its sentences and its dossier filter read both apps'
events (`claims.activity`, `claims.selectors.dossier_events`).
"""

from __future__ import annotations

import uuid
from itertools import groupby

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from claims.activity import describe_events
from claims.events import ClaimStreamType
from claims.selectors import dossier_events
from dossiers import selectors
from dossiers.admin_scope import ProjectionAdmin, users_for
from eventlog.models import Event

SYSTEM = "system"


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except (TypeError, ValueError):
        return None


class PersonFilter(admin.SimpleListFilter):
    """Who did it: the people who share a team with the user, or the system (workers)."""

    title = "person"
    parameter_name = "actor"

    def lookups(self, request, model_admin):
        people = users_for(request.user).order_by("username")
        return [(str(user.pk), user.get_username()) for user in people] + [(SYSTEM, "the system")]

    def queryset(self, request, queryset):
        value = self.value()
        if value == SYSTEM:
            return queryset.filter(metadata__actor_id=None)
        if value:
            return (
                queryset.filter(metadata__actor_id=int(value))
                if value.isdigit()
                else queryset.none()
            )
        return queryset


class ChosenOnlyFilter(admin.SimpleListFilter):
    """A filter set from a link (an object, a request): the sidebar names the one chosen."""

    def lookups(self, request, model_admin):
        value = self.value()
        return [(value, self.label(request, value))] if value else []

    def label(self, request, value: str) -> str:
        return value


class ObjectFilter(ChosenOnlyFilter):
    """One record's events: its own stream's and the comments on it."""

    title = "object"
    parameter_name = "object"

    def label(self, request, value: str) -> str:
        first = selectors.events_for(request.user).filter(self._of(value)).first()
        return describe_events([first])[0].subject if first else value

    @staticmethod
    def _of(value: str) -> Q:
        key = _uuid(value)
        if key is None:
            return Q(pk__in=[])
        on_it = Q(data__verdict_id=str(key)) | Q(data__cluster_id=str(key))
        return Q(stream_id=key) | Q(on_it, stream_type=ClaimStreamType.COMMENT)

    def queryset(self, request, queryset):
        return queryset.filter(self._of(self.value())) if self.value() else queryset


class RequestFilter(ChosenOnlyFilter):
    title = "request"
    parameter_name = "request"

    def label(self, request, value: str) -> str:
        return f"request {value[:8]}"

    def queryset(self, request, queryset):
        return queryset.filter(metadata__request_id=self.value()) if self.value() else queryset


class DossierFilter(admin.SimpleListFilter):
    """Everything that happened to a dossier: its own events and its records' (as its
    timeline lists them). A dossier of another team is a 404, as on every other list."""

    title = "dossier"
    parameter_name = "dossier"

    def lookups(self, request, model_admin):
        dossiers = selectors.dossiers_for(request.user).order_by("title")
        return [(str(dossier.pk), dossier.title) for dossier in dossiers]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        key = _uuid(self.value())
        dossier = selectors.dossiers_for(request.user).filter(pk=key).first() if key else None
        if dossier is None:
            raise Http404("No dossier with this id in your teams.")
        return queryset.filter(position__in=dossier_events(dossier).values("position"))


@admin.register(Event)
class EventAdmin(ProjectionAdmin):
    """The change log. Events of one request are contiguous in the log's order unless two
    requests wrote at once; each run of them is grouped under its request."""

    scope = selectors.events_for
    list_display = ["when", "who", "what", "request_group", "type", "position"]
    list_display_links = ["when"]
    list_filter = [
        PersonFilter,
        "type",
        "stream_type",
        DossierFilter,
        ObjectFilter,
        RequestFilter,
        ("recorded_at", admin.DateFieldListFilter),
    ]
    date_hierarchy = "recorded_at"
    search_fields = ["=stream_id", "type"]
    readonly_fields = [f.name for f in Event._meta.fields]
    change_form_template = "admin/eventlog/event/change_form.html"
    ordering = ["-position"]
    list_per_page = 100

    def get_changelist_instance(self, request):
        """The page's events said in words at once, and where each request's run begins."""
        changelist = super().get_changelist_instance(request)
        events = list(changelist.result_list)
        for event, activity in zip(events, describe_events(events), strict=True):
            event.activity = activity
        for request_id, run in groupby(events, key=lambda e: e.metadata.get("request_id")):
            run = list(run)
            for index, event in enumerate(run):
                event.starts_request = index == 0 or request_id is None
                event.request_size = len(run)
        changelist.result_list = events
        return changelist

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": "Change log", **(extra_context or {})})

    @admin.display(description="Request")
    def request_group(self, event: Event) -> str:
        request_id = event.metadata.get("request_id")
        if not request_id:
            return "—"
        if not event.starts_request:
            return format_html('<span class="same-request" title="{}"></span>', request_id)
        return format_html(
            '<a class="request-start" href="?request={}" title="{}">{} · {} change{}</a>',
            request_id,
            request_id,
            request_id[:8],
            event.request_size,
            "" if event.request_size == 1 else "s",
        )

    @admin.display(description="When", ordering="position")
    def when(self, event: Event) -> str:
        return f"{timezone.localtime(event.recorded_at):%Y-%m-%d %H:%M:%S}"

    @admin.display(description="Who")
    def who(self, event: Event) -> str:
        actor_id = event.metadata.get("actor_id")
        return format_html('<a href="?actor={}">{}</a>', actor_id or SYSTEM, event.activity.actor)

    @admin.display(description="What")
    def what(self, event: Event) -> str:
        activity = event.activity
        text = (
            format_html('<a href="{}">{}</a>', activity.url, activity.text)
            if activity.url
            else activity.text
        )
        reason = event.metadata.get("reason", "")
        said = reason and reason.lower() not in activity.text.lower()
        history = reverse("admin:eventlog_event_changelist") + f"?object={event.stream_id}"
        return format_html(
            '{}{} <a class="object-events" href="{}" title="Every change of this record">⋯</a>',
            text,
            format_html(' <span class="meta">(“{}”)</span>', reason) if said else "",
            history,
        )

    def history_view(self, request, object_id, extra_context=None):
        self.scoped_object_or_404(request, object_id)
        raise PermissionDenied("events are immutable: they have no history")
