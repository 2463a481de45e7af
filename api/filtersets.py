"""Query filters of the list endpoints (django-filter)."""

from __future__ import annotations

from datetime import UTC

import django_filters as filters
from django import forms
from django.db.models import Exists, OuterRef, QuerySet
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter

from api.models import WebhookDelivery
from claims.models import CHECKWORTHY_KINDS, Claim, ClaimCluster, ClaimKind, Rating, Verdict
from dossiers.models import Article, Dossier, Source
from eventlog.models import Event
from eventlog.registry import registered_event_types


class FilterBackend(DjangoFilterBackend):
    """django-filter, skipped when the request names none of the view's filters: building
    and validating the filter form costs more than the page query of a plain list request."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None or request.query_params.keys().isdisjoint(
            filterset_class.base_filters
        ):
            return queryset
        empty = [
            name
            for name in filterset_class.base_filters
            if "" in request.query_params.getlist(name)
        ]
        if empty:
            # django-filter reads `?team=` as "no filter": refuse it, a client meant something.
            raise ValidationError(
                {name: ["empty: give a value, or leave the parameter out"] for name in empty}
            )
        return super().filter_queryset(request, queryset, view)


class StrictOrderingFilter(OrderingFilter):
    """`?ordering=` that refuses a field it cannot order by, as the cursor lists do, instead
    of silently using the default order; the schema lists the accepted values."""

    def remove_invalid_fields(self, queryset, fields, view, request):
        valid = super().remove_invalid_fields(queryset, fields, view, request)
        invalid = [term for term in fields if term not in valid]
        if invalid:
            choices = ", ".join(self._choices(view)) or "a field of the listed records"
            raise ValidationError(
                {self.ordering_param: [f"cannot order by {', '.join(invalid)}; use {choices}"]}
            )
        return valid

    @staticmethod
    def _choices(view) -> list[str]:
        fields = getattr(view, "ordering_fields", None) or []
        return [term for field in fields for term in (field, f"-{field}")]

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.ordering_param and self._choices(view):
                parameter["schema"] = {"type": "string", "enum": self._choices(view)}
        return parameters


class _UtcIsoDateTimeField(IsoDateTimeField):
    """Converts to UTC: PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 allows, and
    instants outside UTC's range (year 1 at +14:00) are refused here instead of failing later."""

    def to_python(self, value):
        parsed = super().to_python(value)
        if parsed is None:
            return None
        try:
            return parsed.astimezone(UTC)
        except OverflowError:
            raise forms.ValidationError("the date-time is out of range") from None


class DateTimeFilter(filters.IsoDateTimeFilter):
    field_class = _UtcIsoDateTimeField


MAX_COUNT = 1_000_000


@extend_schema_field({"type": "integer", "minimum": 0, "maximum": MAX_COUNT})
class CountFilter(filters.NumberFilter):
    """At least this many (0 to a million): the schema declares the limits it checks, and a
    whole number it is (`2.5` is 400, as the schema says)."""

    field_class = forms.IntegerField


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_COUNT})
class RevisionFilter(filters.NumberFilter):
    """A verdict revision: 1, 2, …"""

    field_class = forms.IntegerField


@extend_schema_field({"type": "boolean"})
class YesNoFilter(filters.TypedChoiceFilter):
    """`true` or `false`, nothing else: a typo must not silently match everything."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        help_text = self.extra.get("help_text")
        if help_text:
            # drf-spectacular reads no help text beside a schema override: give it in this
            # filter's own override, or the schema documents the parameter as a bare boolean.
            extend_schema_field({"type": "boolean", "description": help_text})(self)


def count_filter(field_name: str, **kwargs) -> filters.NumberFilter:
    return CountFilter(
        field_name=field_name, lookup_expr="gte", min_value=0, max_value=MAX_COUNT, **kwargs
    )


def yes_no_filter(**kwargs) -> filters.TypedChoiceFilter:
    return YesNoFilter(
        choices=[("true", "true"), ("false", "false")],
        coerce=lambda value: value == "true",
        **kwargs,
    )


def id_filter(field_name: str, **kwargs) -> filters.UUIDFilter:
    """Filter by a related id without looking it up: another team's id just matches nothing."""
    return filters.UUIDFilter(field_name=field_name, **kwargs)


class DossierFilter(filters.FilterSet):
    team = id_filter("team")
    created_after = DateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = DateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Dossier
        fields = ["status"]


def archived_filter(
    help_text: str = "true lists the archived ones; without it (or false) lists leave them out.",
    **kwargs,
) -> filters.TypedChoiceFilter:
    """The list view leaves archived records out when the parameter is absent
    (`unless_archived`); given, this filter decides."""
    return yes_no_filter(help_text=help_text, **kwargs)


class SourceFilter(filters.FilterSet):
    team = id_filter("team")
    archived = archived_filter()

    class Meta:
        model = Source
        fields = ["kind", "reliability"]


class ArticleFilter(filters.FilterSet):
    dossier = id_filter("dossier")
    source = id_filter("source")
    uploaded_after = DateTimeFilter(field_name="uploaded_at", lookup_expr="gte")
    uploaded_before = DateTimeFilter(field_name="uploaded_at", lookup_expr="lt")
    published_after = DateTimeFilter(field_name="published_at", lookup_expr="gte")
    published_before = DateTimeFilter(field_name="published_at", lookup_expr="lt")
    archived = archived_filter()

    class Meta:
        model = Article
        fields = ["status", "language"]


class ClaimFilter(filters.FilterSet):
    dossier = id_filter("dossier")
    article = id_filter("article")
    cluster = id_filter("cluster")
    source = id_filter("article__source", help_text="The article's source.")
    min_checkworthiness = filters.NumberFilter(
        field_name="checkworthiness", lookup_expr="gte", min_value=0, max_value=1
    )
    speaker = filters.CharFilter(lookup_expr="iexact")
    clustered = yes_no_filter(field_name="cluster", lookup_expr="isnull", exclude=True)
    archived = archived_filter(
        "true lists the claims of archived articles; without it (or false) lists leave them out.",
        field_name="article__archived",
    )
    kind = filters.MultipleChoiceFilter(
        choices=ClaimKind.choices,
        help_text="One or more claim kinds (repeat the parameter); check-worthy: "
        + ", ".join(CHECKWORTHY_KINDS)
        + ".",
    )

    class Meta:
        model = Claim
        fields = ["extractor_version"]


def _needs_review(queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
    if value is None:
        return queryset
    flagged = Verdict.objects.filter(cluster=OuterRef("pk"), needs_review=True)
    return queryset.filter(Exists(flagged) if value else ~Exists(flagged))


class ClusterFilter(filters.FilterSet):
    dossier = id_filter("dossier")
    min_articles = count_filter("article_count")
    min_independent_origins = count_filter("independent_origin_count")
    needs_review = yes_no_filter(
        method=_needs_review, help_text="Has a verdict that re-analysis flagged for review."
    )
    is_active = yes_no_filter()
    updated_after = DateTimeFilter(field_name="updated_at", lookup_expr="gte")
    updated_before = DateTimeFilter(field_name="updated_at", lookup_expr="lt")

    class Meta:
        model = ClaimCluster
        fields: list[str] = []


class VerdictFilter(filters.FilterSet):
    dossier = id_filter("dossier")
    cluster = id_filter("cluster")
    revision = RevisionFilter(min_value=1, max_value=MAX_COUNT)
    needs_review = yes_no_filter()
    rating = filters.MultipleChoiceFilter(choices=Rating.choices)
    status = filters.MultipleChoiceFilter(choices=Verdict.Status.choices)
    author = filters.CharFilter(field_name="author__username")
    created_after = DateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = DateTimeFilter(field_name="created_at", lookup_expr="lt")
    updated_after = DateTimeFilter(field_name="updated_at", lookup_expr="gte")
    updated_before = DateTimeFilter(field_name="updated_at", lookup_expr="lt")
    published_after = DateTimeFilter(field_name="published_at", lookup_expr="gte")
    published_before = DateTimeFilter(field_name="published_at", lookup_expr="lt")

    class Meta:
        model = Verdict
        fields: list[str] = []


def _event_types(queryset: QuerySet, name: str, value: str) -> QuerySet:
    """Unknown types are refused, as on webhooks: a typo must not read as "no such events"."""
    types = [item.strip() for item in value.split(",") if item.strip()]
    unknown = sorted(set(types) - set(registered_event_types()))
    if unknown:
        raise ValidationError({name: [f"unknown event types: {', '.join(unknown)}"]})
    return queryset.filter(type__in=types) if types else queryset


class EventFilter(filters.FilterSet):
    types = filters.CharFilter(
        method=_event_types, help_text="Comma-separated event types, e.g. VerdictPublished."
    )
    team = id_filter("team_id")
    stream_type = filters.CharFilter()
    stream_id = filters.UUIDFilter()

    class Meta:
        model = Event
        fields: list[str] = []


class WebhookDeliveryFilter(filters.FilterSet):
    class Meta:
        model = WebhookDelivery
        fields = ["status", "event_type"]
