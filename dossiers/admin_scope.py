"""Team scoping for every admin page: lists, forms, FK choices, search, history, custom views.

A staff user holds model permissions through the "Claimdesk staff" group, so the permission
system alone would show every team's records. Each admin here reads through the selectors
instead, and an object outside the user's teams is a 404 on every URL, as if it did not exist.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from django.contrib import admin, messages
from django.contrib.admin.helpers import AdminForm
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponseNotAllowed
from django.utils.html import conditional_escape
from simple_history.admin import SimpleHistoryAdmin
from simple_history.manager import SIMPLE_HISTORY_REVERSE_ATTR_NAME
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper, conditional_str

from dossiers import selectors
from dossiers.models import Article, Dossier, Membership, Source, Team
from eventlog.store import ConcurrencyError

Selector = Callable[..., QuerySet]


def users_for(user) -> QuerySet:
    """Users who share a team with `user`: the only people an admin form may name."""
    team_ids = selectors.team_ids_for(user)
    return get_user_model().objects.filter(memberships__team_id__in=team_ids).distinct()


def memberships_for(user) -> QuerySet[Membership]:
    return Membership.objects.filter(team_id__in=selectors.team_ids_for(user))


_related_selectors: dict[type[Model], Selector] = {}


def register_related_selector(model: type[Model], selector: Selector) -> None:
    """What an admin form may offer of `model` to a user (each app registers its own)."""
    _related_selectors[model] = selector


for _model, _selector in (
    (Team, selectors.teams_for),
    (Dossier, selectors.dossiers_for),
    (Source, selectors.sources_for),
    (Article, selectors.articles_for),
    (get_user_model(), users_for),
):
    register_related_selector(_model, _selector)


def scoped_choices(model: type[Model], user) -> QuerySet | None:
    selector = _related_selectors.get(model)
    return selector(user) if selector else None


def refusal_message(exc: Exception) -> str:
    """What to tell an admin user when a command refused their action."""
    if isinstance(exc, ConcurrencyError):
        return (
            f"Someone changed this record while you had it open (you edited version "
            f"{exc.expected}, it is now at version {exc.actual}). Nothing was saved: "
            "reload the page to see the current state, then apply your change again."
        )
    if isinstance(exc, PermissionDenied):
        return f"Not allowed: {exc}"
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    return str(exc)


class AuditDiffHelper(HistoricalRecordContextHelper):
    """History diffs as an analyst reads them: no bookkeeping timestamps, "—" for no one."""

    BOOKKEEPING = frozenset({"updated_at", "status_changed_at"})

    def context_for_delta_changes(self, delta):
        changes = [c for c in delta.changes if c.field not in self.BOOKKEEPING]
        return super().context_for_delta_changes(dataclasses.replace(delta, changes=changes))

    def prepare_delta_change_value(self, change, value):
        if value is None or (isinstance(value, DeletedObject) and value.pk is None):
            return "—"
        field = self.model._meta.get_field(change.field)
        if field.choices:  # "Mostly true", not "mostly_true"
            return dict(field.flatchoices).get(value, value)
        return super().prepare_delta_change_value(change, value)

    def stringify_delta_change_values(self, change, old, new):
        """Whole values: a rationale cut to "All t[86 chars]rces" cannot be reviewed."""
        return conditional_escape(conditional_str(old)), conditional_escape(conditional_str(new))


NO_USER_PAGE = "admin:claimdesk_no_user_page"  # reverses to nothing: the name is plain text


def user_admin_url_name(request: HttpRequest) -> str:
    """Where "Changed by" links: the user's admin page only for those who may open it."""
    user_model = get_user_model()._meta
    if request.user.has_perm(f"{user_model.app_label}.view_{user_model.model_name}"):
        return f"admin:{user_model.app_label}_{user_model.model_name}_change"
    return NO_USER_PAGE


class TeamScopedAdmin(SimpleHistoryAdmin):
    """Reads through `scope` (a selector taking the user); history is read-only and scoped."""

    scope: Selector
    list_per_page = 50

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = type(self).scope(request.user)
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        choices = scoped_choices(db_field.related_model, request.user)
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        choices = scoped_choices(db_field.related_model, request.user)
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def scoped_object_or_404(self, request: HttpRequest, object_id: str):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(f"No {self.opts.verbose_name} with this id in your teams.")
        return obj

    def changelist_view(self, request, extra_context=None):
        self.refuse_foreign_list_filters(request)
        return super().changelist_view(request, extra_context)

    def refuse_foreign_list_filters(self, request: HttpRequest) -> None:
        """A list narrowed to a foreign dossier (or team, cluster...) is a 404 like its page.

        Filtering would only ever show an empty list, but answering differently for a dossier
        that exists elsewhere and one that does not would confirm it exists.
        """
        for param, value in request.GET.items():
            name, _, lookup = param.partition("__")
            if lookup not in ("id__exact", "exact", "pk__exact", ""):
                continue
            field = next((f for f in self.opts.fields if f.name == name and f.is_relation), None)
            choices = scoped_choices(field.related_model, request.user) if field else None
            if choices is None:
                continue
            try:
                visible = choices.filter(pk=value).exists()
            except (ValueError, ValidationError):
                visible = False
            if not visible:
                raise Http404(
                    f"No {field.related_model._meta.verbose_name} with this id in your teams."
                )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self.scoped_object_or_404(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self.scoped_object_or_404(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self.scoped_object_or_404(request, object_id)
        context = {"admin_user_view": user_admin_url_name(request), **(extra_context or {})}
        return super().history_view(request, object_id, context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """One past version, for reading only: reverting would bypass the event log."""
        self.scoped_object_or_404(request, object_id)
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        return super().history_form_view(request, object_id, version_id, extra_context)

    def render_history_view(self, request, template, context, **kwargs):
        """A past version shows every field read-only, as a page one may only view: its
        form (the page's command form, editable today) is never offered for it."""
        adminform = context.get("adminform")
        if adminform is not None:
            obj = adminform.form.instance
            shown = [
                (name, {**options, "fields": [f for f in options["fields"] if self._shows(f)]})
                for name, options in self.get_fieldsets(request, obj)
            ]
            context["adminform"] = AdminForm(
                adminform.form, shown, {}, flatten_fieldsets(shown), model_admin=self
            )
        return super().render_history_view(request, template, context, **kwargs)

    def _shows(self, name: str) -> bool:
        """A field a past version has: the model's own, or one of the admin's displays
        (not a form-only input such as a change note)."""
        return hasattr(self.model, name) or hasattr(self, name)

    def get_historical_record_context_helper(self, request, historical_record):
        return AuditDiffHelper(self.model, historical_record)

    def revert_disabled(self, request, obj=None) -> bool:
        return True

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # facts are never deleted; projections follow the log

    def refuse(self, request: HttpRequest, exc: Exception) -> None:
        self.message_user(request, refusal_message(exc), level=messages.ERROR)


def past_version(obj):
    """The history row `obj` was rebuilt from when a page shows a past version, else None."""
    return getattr(obj, SIMPLE_HISTORY_REVERSE_ATTR_NAME, None)


class ProjectionAdmin(TeamScopedAdmin):
    """A read model: browsable and searchable; changes only through workflow actions."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


def related_only(field: str):
    """A list filter whose choices are limited to objects the user can see."""
    return (field, admin.RelatedOnlyFieldListFilter)
