"""Admin for teams, dossiers, sources, articles and the event log, scoped to the user's teams.

Every record here is a projection of the event log: pages read, and the few write actions
(create a dossier or source, re-run extraction, re-analyse) call the same commands as the API.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from claims import admin_views
from dossiers import commands, selectors
from dossiers.admin_scope import (
    ProjectionAdmin,
    TeamScopedAdmin,
    memberships_for,
    refusal_message,
    related_only,
)
from dossiers.admin_upload import ArticleUploadForm
from dossiers.models import Article, Dossier, Membership, Role, Source, SourceReliability, Team
from dossiers.permissions import has_role
from eventlog.store import ConcurrencyError


class CommandForm(forms.ModelForm):
    """An admin form whose save runs a command instead of `Model.save`.

    The command runs once every field is valid, in place of ModelForm's instance validation
    (`_post_clean`): the command validates, so a refusal (role, stale version, illegal
    transition) comes back as a form error and nothing is written.
    """

    request = None  # set per request by the admin's get_form

    class Meta:
        fields: list[str] = []

    def run_command(self):
        raise NotImplementedError

    def _post_clean(self):
        if self.errors:
            return
        try:
            self.result = self.run_command()
        except (PermissionDenied, ValueError, ConcurrencyError) as exc:
            self.add_error(None, refusal_message(exc))


class CommandAdminMixin:
    """Save through the form's command; never through `Model.save`."""

    command_form: type[CommandForm]

    def get_form(self, request, obj=None, change=False, **kwargs):
        return type(self.command_form.__name__, (self.command_form,), {"request": request})

    def save_form(self, request, form, change):
        return form.result

    def save_model(self, request, obj, form, change):
        pass  # the command already stored the events and their projections

    def save_related(self, request, form, formsets, change):
        pass


class DossierForm(CommandForm):
    team = forms.ModelChoiceField(queryset=Team.objects.none())
    title = forms.CharField(max_length=300)
    question = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    tags = forms.CharField(required=False, help_text="Comma-separated.")

    class Meta:
        model = Dossier
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(
            id__in=selectors.team_ids_for(self.request.user, Role.ANALYST)
        )

    def run_command(self) -> Dossier:
        data = self.cleaned_data
        return commands.create_dossier(
            team=data["team"],
            title=data["title"],
            question=data["question"],
            tags=data["tags"].split(","),
            actor=self.request.user,
        )


class DossierEditForm(CommandForm):
    """Edit a dossier through `update_dossier`; the version the page showed guards it."""

    title = forms.CharField(max_length=300)
    question = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    tags = forms.CharField(required=False, help_text="Comma-separated.")
    status = forms.ChoiceField(
        choices=Dossier.Status.choices,
        help_text="Team admins close, archive or reopen; an archived dossier takes no uploads.",
    )
    reason = forms.CharField(max_length=500, required=False, help_text="Why (kept in the history).")
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Dossier
        fields: list[str] = []

    def __init__(self, *args, instance=None, **kwargs):
        if instance is not None and instance.pk:
            kwargs["initial"] = {
                "title": instance.title,
                "question": instance.question,
                "tags": ", ".join(instance.tags),
                "status": instance.status,
                "version": instance.version,
                **kwargs.get("initial", {}),
            }
        super().__init__(*args, instance=instance, **kwargs)

    def run_command(self) -> Dossier:
        data, dossier = self.cleaned_data, self.instance
        return commands.update_dossier(
            dossier=dossier,
            actor=self.request.user,
            expected_version=data["version"],
            reason=data["reason"],
            title=data["title"],
            question=data["question"],
            tags=data["tags"].split(","),
            status=data["status"] if data["status"] != dossier.status else None,
        )


class TeamForm(CommandForm):
    name = forms.CharField(max_length=200)

    class Meta:
        model = Team
        fields: list[str] = []

    def run_command(self) -> Team:
        return commands.create_team(name=self.cleaned_data["name"], actor=self.request.user)


@admin.register(Team)
class TeamAdmin(CommandAdminMixin, TeamScopedAdmin):
    scope = selectors.teams_for
    command_form = TeamForm
    list_display = ["name", "created_at", "members_link"]
    search_fields = ["name"]
    fields = ["name"]

    def has_add_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # no command renames a team

    @admin.display(description="Members")
    def members_link(self, team: Team) -> str:
        url = reverse("admin:dossiers_membership_changelist")
        return format_html(
            '<a href="{}?team__id__exact={}">{} member(s)</a>',
            url,
            team.pk,
            team.memberships.count(),
        )


class MembershipForm(CommandForm):
    """Add someone to a team, or give a member another role: `add_member` does both."""

    team = forms.ModelChoiceField(queryset=Team.objects.none())
    username = forms.CharField(max_length=150, help_text="The person's exact user name.")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.ANALYST)

    class Meta:
        model = Membership
        fields: list[str] = []

    def __init__(self, *args, instance=None, **kwargs):
        if instance is not None and instance.pk:
            kwargs["initial"] = {
                "team": instance.team_id,
                "username": instance.user.get_username(),
                "role": instance.role,
                **kwargs.get("initial", {}),
            }
        super().__init__(*args, instance=instance, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(
            id__in=selectors.team_ids_for(self.request.user, Role.ADMIN)
        )
        if instance is not None and instance.pk:  # a member's role changes; who and where not
            self.fields["team"].disabled = True
            self.fields["username"].disabled = True

    def clean_username(self):
        name = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=name, is_active=True).first()
        if user is None:
            raise forms.ValidationError(f"No active user is named {name!r}.")
        return user

    def run_command(self) -> Membership:
        data = self.cleaned_data
        return commands.add_member(
            team=data["team"],
            user=data["username"],
            role=Role(data["role"]),
            actor=self.request.user,
        )


@admin.register(Membership)
class MembershipAdmin(CommandAdminMixin, TeamScopedAdmin):
    scope = memberships_for
    command_form = MembershipForm
    list_display = ["user", "team", "role"]
    list_filter = ["role", related_only("team")]
    search_fields = ["user__username", "team__name"]
    fields = ["team", "username", "role"]
    actions = ["remove_from_team"]

    def has_add_permission(self, request) -> bool:
        return selectors.team_ids_for(request.user, Role.ADMIN).exists()

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is None:
            return self.has_add_permission(request)
        return has_role(request.user, obj.team, Role.ADMIN)

    def get_form(self, request, obj=None, change=False, **kwargs):
        return type("MembershipForm", (MembershipForm,), {"request": request})

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # members leave through `remove_from_team`, which records the event

    @admin.action(description="Remove the selected members from their team")
    def remove_from_team(self, request, queryset) -> None:
        """Each removal is its own command: one refused (the last admin, no admin role in
        that team) does not stop the others, and each refusal is named."""
        removed = 0
        for membership in queryset.select_related("team", "user"):
            try:
                commands.remove_member(
                    team=membership.team, user=membership.user, actor=request.user
                )
            except (PermissionDenied, ValueError, ConcurrencyError) as exc:
                self.message_user(
                    request, f"{membership}: {refusal_message(exc)}", level=messages.ERROR
                )
            else:
                removed += 1
        if removed:
            self.message_user(request, f"{removed} member(s) removed.")


@admin.register(Dossier)
class DossierAdmin(CommandAdminMixin, TeamScopedAdmin):
    scope = selectors.dossiers_for
    command_form = DossierForm
    list_display = ["title", "team", "status", "created_at", "workbench_links"]
    list_filter = ["status", related_only("team")]
    search_fields = ["title", "question"]
    readonly_fields = ["title", "team", "question", "status", "tags", "created_by", "created_at"]
    change_form_template = "admin/dossiers/dossier/change_form.html"

    editable_fields = ["title", "question", "tags", "status", "reason", "version"]
    context_fields = ["team", "created_by", "created_at"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = DossierEditForm if obj is not None else self.command_form
        return type(form.__name__, (form,), {"request": request})

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["team", "title", "question", "tags"]})]
        if self.has_change_permission(request, obj):
            return [(None, {"fields": self.editable_fields + self.context_fields})]
        return [(None, {"fields": self.readonly_fields})]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        if self.has_change_permission(request, obj):
            return self.context_fields
        return self.readonly_fields

    def has_add_permission(self, request) -> bool:
        return (
            super().has_add_permission(request)
            and selectors.team_ids_for(request.user, Role.ANALYST).exists()
        )

    def has_change_permission(self, request, obj=None) -> bool:
        """Analysts edit their team's dossiers (`update_dossier` checks again, and asks
        for the admin role to change the status)."""
        if obj is None:
            return selectors.team_ids_for(request.user, Role.ANALYST).exists()
        return has_role(request.user, obj.team, Role.ANALYST)

    @admin.display(description="Workbench")
    def workbench_links(self, dossier: Dossier) -> str:
        return format_html(
            '<a href="{}">Timeline</a> · <a href="{}">As of…</a>',
            reverse("admin:dossiers_dossier_timeline", args=[dossier.pk]),
            reverse("admin:dossiers_dossier_as_of", args=[dossier.pk]),
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/as-of/", view(self.as_of_view), name="dossiers_dossier_as_of"),
            path(
                "<path:object_id>/timeline/",
                view(self.timeline_view),
                name="dossiers_dossier_timeline",
            ),
            path(
                "<path:object_id>/claim-form/",
                view(self.claim_form_view),
                name="dossiers_dossier_claim_form",
            ),
            path(
                "<path:object_id>/question-stance/<uuid:article_id>/",
                view(self.question_stance_view),
                name="dossiers_dossier_question_stance",
            ),
            path(
                "<path:object_id>/reanalyse/",
                view(self.reanalyse_view),
                name="dossiers_dossier_reanalyse",
            ),
            *super().get_urls(),
        ]

    def as_of_view(self, request, object_id):
        dossier = self.scoped_object_or_404(request, object_id)
        return admin_views.dossier_as_of_page(self, request, dossier)

    def timeline_view(self, request, object_id):
        dossier = self.scoped_object_or_404(request, object_id)
        return admin_views.dossier_timeline_page(self, request, dossier)

    def reanalyse_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        dossier = self.scoped_object_or_404(request, object_id)
        try:
            requested = commands.request_reanalysis(
                dossier=dossier, actor=request.user, reason=request.POST.get("reason", "")
            )
        except PermissionDenied as exc:
            self.refuse(request, exc)
        else:
            running = f"; {requested.running} being extracted now" if requested.running else ""
            self.message_user(
                request, f"Re-analysis queued for {requested.queued} article(s){running}."
            )
        return HttpResponseRedirect(reverse("admin:dossiers_dossier_change", args=[dossier.pk]))

    def claim_form_view(self, request, object_id):
        """An analyst edits the claim form; every article is scored again against it."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        dossier = self.scoped_object_or_404(request, object_id)
        try:
            commands.set_claim_form(
                dossier=dossier,
                claim_form=request.POST.get("claim_form", ""),
                actor=request.user,
                reason=request.POST.get("reason", ""),
            )
        except (PermissionDenied, ValueError, ConcurrencyError) as exc:
            self.refuse(request, exc)
        else:
            self.message_user(request, "Claim form changed; every article was scored again.")
        return HttpResponseRedirect(self._question_url(dossier))

    def question_stance_view(self, request, object_id, article_id):
        """An analyst corrects one article's stance toward the claim form."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        dossier = self.scoped_object_or_404(request, object_id)
        article = get_object_or_404(dossier.articles.select_related("dossier__team"), id=article_id)
        try:
            commands.correct_question_stance(
                article=article,
                label=request.POST.get("label", ""),
                actor=request.user,
                reason=request.POST.get("reason", ""),
            )
        except (PermissionDenied, ValueError, ConcurrencyError) as exc:
            self.refuse(request, exc)
        else:
            self.message_user(request, f"Stance of “{article}” corrected.")
        return HttpResponseRedirect(self._question_url(dossier))

    @staticmethod
    def _question_url(dossier: Dossier) -> str:
        return reverse("admin:dossiers_dossier_change", args=[dossier.pk]) + "#question"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        dossier = self.scoped_object_or_404(request, object_id)
        context = {
            **admin_views.dossier_question_context(dossier),
            **admin_views.dossier_board_context(dossier, request.GET),
            "progress": selectors.analysis_progress(dossier),
            "can_reanalyse": has_role(request.user, dossier.team, Role.ANALYST),
            **admin_views.dossier_contradictions_context(dossier),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, context)


class SourceForm(CommandForm):
    team = forms.ModelChoiceField(queryset=Team.objects.none())
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=Source.Kind.choices)
    domain = forms.CharField(max_length=253, required=False)
    reliability = forms.ChoiceField(choices=SourceReliability.choices, initial=SourceReliability.F)

    class Meta:
        model = Source
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(
            id__in=selectors.team_ids_for(self.request.user, Role.ANALYST)
        )

    def run_command(self) -> Source:
        data = self.cleaned_data
        return commands.add_source(
            team=data["team"],
            name=data["name"],
            kind=Source.Kind(data["kind"]),
            domain=data["domain"],
            reliability=SourceReliability(data["reliability"]),
            actor=self.request.user,
        )


class ArchiveActionsMixin:
    """Archive or unarchive the selected records with `archive_command`, the command the
    API's PATCH runs, one record at a time: one refused (a role missing in its team, an
    edit made meanwhile) does not stop the others, and is named."""

    actions = ["archive_selected", "unarchive_selected"]
    archive_command: Callable[..., object]  # a staticmethod taking `archived`
    archive_argument: str  # the command's keyword for the record

    @admin.action(description="Archive the selected %(verbose_name_plural)s")
    def archive_selected(self, request, queryset) -> None:
        self._set_archived(request, queryset, True)

    @admin.action(description="Unarchive the selected %(verbose_name_plural)s")
    def unarchive_selected(self, request, queryset) -> None:
        self._set_archived(request, queryset, False)

    def _set_archived(self, request, queryset, archived: bool) -> None:
        done, changed = "archived" if archived else "unarchived", 0
        for record in queryset:
            try:
                self.archive_command(
                    **{self.archive_argument: record},
                    actor=request.user,
                    expected_version=record.version,
                    archived=archived,
                    reason=f"{done} in the admin",
                )
            except (PermissionDenied, ValueError, ConcurrencyError) as exc:
                self.message_user(request, f"{record}: {refusal_message(exc)}", messages.ERROR)
            else:
                changed += 1
        if changed:
            self.message_user(request, f"{changed} {self.opts.verbose_name}(s) {done}.")


@admin.register(Source)
class SourceAdmin(ArchiveActionsMixin, CommandAdminMixin, TeamScopedAdmin):
    scope = selectors.sources_for
    command_form = SourceForm
    list_display = ["name", "kind", "domain", "reliability", "team", "archived"]
    list_filter = ["kind", "reliability", "archived", related_only("team")]
    archive_command = staticmethod(commands.update_source)
    archive_argument = "source"
    search_fields = ["name", "domain"]

    def get_fieldsets(self, request, obj=None):
        fields = ["team", "name", "kind", "domain", "reliability"]
        return [(None, {"fields": fields})]

    def has_add_permission(self, request) -> bool:
        return (
            super().has_add_permission(request)
            and selectors.team_ids_for(request.user, Role.ANALYST).exists()
        )

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Article)
class ArticleAdmin(ArchiveActionsMixin, ProjectionAdmin):
    scope = selectors.articles_for
    archive_command = staticmethod(commands.correct_article_metadata)
    archive_argument = "article"
    list_display = [
        "title",
        "dossier",
        "source",
        "status_badge",
        "author",
        "published_at",
        "uploaded_at",
    ]
    list_filter = ["status", "archived", related_only("dossier"), related_only("source")]
    search_fields = ["title", "author", "body", "url"]
    date_hierarchy = "uploaded_at"
    change_form_template = "admin/dossiers/article/change_form.html"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "dossier",
                    "source",
                    "url",
                    "author",
                    "published_at",
                    "published_precision",
                    "metadata_from_upload",
                ]
            },
        ),
        (
            "Extraction",
            {
                "fields": [
                    "status",
                    "status_changed_at",
                    "extractor_version",
                    "extraction_attempts",
                    "extraction_error",
                    "language",
                ]
            },
        ),
        (
            "Upload",
            {"fields": ["filename", "content_type", "content_hash", "uploaded_by", "uploaded_at"]},
        ),
    ]

    change_list_template = "admin/dossiers/article/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("dossier", "source")

    def has_add_permission(self, request, obj=None) -> bool:
        """Adding an article is uploading it: analysts of some team may."""
        return (
            request.user.has_perm("dossiers.view_article")
            and selectors.team_ids_for(request.user, Role.ANALYST).exists()
        )

    def add_view(self, request, form_url="", extra_context=None):
        """Upload pasted text or files through the same commands as the API."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ArticleUploadForm(
            request.POST or None,
            request.FILES or None,
            user=request.user,
            initial={"dossier": request.GET.get("dossier")},
        )
        if request.method == "POST" and form.is_valid():
            results = form.upload()
            if results is not None:
                created = sum(result.created for result in results)
                known = len(results) - created
                self.message_user(
                    request,
                    f"Uploaded {created} article(s); extraction is queued."
                    + (f" {known} already in the dossier." if known else ""),
                    level=messages.SUCCESS,
                )
                dossier = form.cleaned_data["dossier"]
                url = reverse("admin:dossiers_article_changelist")
                return HttpResponseRedirect(f"{url}?dossier__id__exact={dossier.pk}")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Upload articles",
            "form": form,
            "media": self.media + form.media,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/dossiers/article/upload.html", context)

    def changelist_view(self, request, extra_context=None):
        self.refuse_foreign_list_filters(request)  # a foreign or malformed dossier id: 404
        extracting = self.get_queryset(request).filter(
            status__in=[Article.Status.PENDING, Article.Status.RUNNING]
        )
        dossier_id = request.GET.get("dossier__id__exact")
        if dossier_id:
            extracting = extracting.filter(dossier_id=dossier_id)
        context = {"extracting": extracting.count(), **(extra_context or {})}
        return super().changelist_view(request, context)

    @admin.display(description="Status", ordering="status")
    def status_badge(self, article: Article) -> str:
        return format_html(
            '<span class="article-status status-{}">{}</span>',
            article.status,
            article.get_status_display(),
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/reextract/",
                self.admin_site.admin_view(self.reextract_view),
                name="dossiers_article_reextract",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        article = self.scoped_object_or_404(request, object_id)
        context = {
            **admin_views.article_workbench_context(article),
            "can_reextract": has_role(request.user, article.dossier.team, Role.ANALYST),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, context)

    def reextract_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self.scoped_object_or_404(request, object_id)
        try:
            commands.request_extraction(
                article=article,
                actor=request.user,
                reason=request.POST.get("reason", "").strip() or "re-run from the admin",
            )
        except (PermissionDenied, ConcurrencyError) as exc:
            self.refuse(request, exc)
        else:
            self.message_user(request, "Extraction queued again.", level=messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:dossiers_article_change", args=[article.pk]))


class ClaimdeskUserAdmin(UserAdmin):
    """Django's user admin, with deactivation offered: a user who appears in the log (a
    member, a dossier's creator, an article's uploader, a verdict's author or reviewer) is
    protected from deletion, since deleting would rewrite read models outside the log."""

    actions = ["deactivate_users"]

    @admin.action(description="Deactivate selected users (they can no longer sign in)")
    def deactivate_users(self, request, queryset) -> None:
        if not self.has_change_permission(request):
            raise PermissionDenied
        count = queryset.filter(is_active=True).update(is_active=False)
        self.message_user(request, f"{count} user(s) deactivated.")


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), ClaimdeskUserAdmin)
