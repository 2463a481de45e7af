"""Admin for claims, clusters and verdicts: the analysts' and reviewers' workbench.

Claims and clusters are read-only projections. Verdicts are drafted and edited through
`draft_verdict`/`edit_verdict` and moved through the workflow by the buttons on their page,
which call the workflow commands; nothing here saves a model itself.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Q, QuerySet, Value, When
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from claims import (
    admin_changelog,  # noqa: F401 - registers the change log
    admin_corrections,
    admin_views,
    commands,
)
from claims.models import (
    CHECKWORTHY_KINDS,
    Claim,
    ClaimCluster,
    ClaimKind,
    Correction,
    EvidenceRelation,
    InformationCredibility,
    Rating,
    Verdict,
    VerdictEvidence,
)
from claims.rendering import claimreview_jsonld, rationale_html
from claims.selectors import (
    changes_since_approval,
    claim_corrections,
    claims_for,
    clusters_for,
    comments_on,
    corrections_for,
    current_verdicts,
    evidence_as_of,
    evidence_changes,
    live_claims,
    origin_name,
    review_notes,
    verdict_queue,
    verdicts_for,
    wrote_or_edited,
)
from dossiers.admin import CommandAdminMixin, CommandForm
from dossiers.admin_scope import (
    ProjectionAdmin,
    TeamScopedAdmin,
    past_version,
    register_related_selector,
    related_only,
)
from dossiers.models import Role, SourceReliability
from dossiers.permissions import has_role
from dossiers.selectors import team_ids_for
from eventlog.store import ConcurrencyError


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment",
        max_length=commands.MAX_COMMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Markdown; shown sanitised. Kept in the log with your name.",
    )


class CommentsAdminMixin:
    """The comments on a verdict's or cluster's page and the form to add one (`add_comment`)."""

    def comments_context(self, request, target) -> dict:
        return {
            "comments": [
                (comment, mark_safe(rationale_html(comment.body)))  # noqa: S308 - nh3-sanitised
                for comment in comments_on(target)
            ],
            "comment_form": CommentForm()
            if has_role(request.user, target.dossier.team, Role.ANALYST)
            else None,
            "comment_url": reverse(self._url_name("comment"), args=[target.pk]),
        }

    def comment_urls(self) -> list:
        return [
            path(
                "<path:object_id>/comment/",
                self.admin_site.admin_view(self.comment_view),
                name=self._url_name("comment").removeprefix("admin:"),
            )
        ]

    def comment_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        target = self.scoped_object_or_404(request, object_id)
        form = CommentForm(request.POST)
        if not form.is_valid():
            self.message_user(request, "A comment needs some text.", level=messages.ERROR)
        else:
            try:
                commands.add_comment(
                    target=target, actor=request.user, body=form.cleaned_data["body"]
                )
            except (PermissionDenied, ValueError) as exc:
                self.refuse(request, exc)
            else:
                self.message_user(request, "Comment added.", level=messages.SUCCESS)
        return HttpResponseRedirect(
            reverse(self._url_name("change"), args=[target.pk]) + "#comments"
        )

    def _url_name(self, view: str) -> str:
        return f"admin:{self.opts.app_label}_{self.opts.model_name}_{view}"


register_related_selector(Claim, claims_for)
register_related_selector(ClaimCluster, clusters_for)
register_related_selector(Verdict, verdicts_for)


def mention_list(lines) -> str:
    """What extraction found in a claim, one mention a line (its JSON is for machines)."""
    return format_html_join("", "<div>{}</div>", ((line,) for line in lines)) or "—"


class ArticleArchivedFilter(admin.SimpleListFilter):
    """Claims by their article's archived state (the API's `?archived=`); all by default, as
    the articles' list shows archived ones until its *Archived* filter is set."""

    title = "article archived"
    parameter_name = "article_archived"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(article__archived=True)
        if self.value() == "no":
            return live_claims(queryset)
        return queryset


class ClusterStateFilter(admin.SimpleListFilter):
    """Active clusters by default: every re-clustering retires some, and a list that mixes
    them with the live ones buries the analyst's work. Retired ones stay a click away."""

    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("retired", "Retired"), ("all", "All")]

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": "Active",
        }
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        if self.value() == "all":
            return queryset
        return queryset.filter(is_active=self.value() != "retired")


@admin.register(Claim)
class ClaimAdmin(ProjectionAdmin):
    scope = claims_for
    list_display = [
        "text",
        "speaker",
        "cue",
        "cited_source",
        "kind",
        "checkworthiness",
        "article",
        "cluster",
    ]
    list_filter = [related_only("dossier"), "kind", ArticleArchivedFilter, "extractor_version"]
    search_fields = ["text", "speaker", "cited_source"]
    readonly_fields = [
        "in_article",
        "already_reviewed",
        "entity_list",
        "quantity_list",
        "date_list",
    ]
    fields = [
        "in_article",
        "already_reviewed",
        "text",
        "speaker",
        "cue",
        "cited_source",
        "cluster",
        "kind",
        "checkworthiness",
        "entity_list",
        "quantity_list",
        "date_list",
        "start",
        "end",
        "extractor_version",
    ]

    change_form_template = "admin/claims/claim/change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("article", "cluster")

    @admin.display(description="Article")
    def in_article(self, claim: Claim) -> str:
        url = reverse("admin:dossiers_article_change", args=[claim.article_id])
        return format_html('<a href="{}#claim-{}">{}</a>', url, claim.ordinal, claim.article)

    @admin.display(description="Already reviewed")
    def already_reviewed(self, claim: Claim) -> str:
        return (
            format_html_join(
                "",
                '<div class="already-reviewed"><a href="{}">{}</a> on “{}” (matched {})</div>',
                (
                    (
                        entry["admin_url"],
                        entry["verdict"].get_rating_display(),
                        entry["claim_reviewed"],
                        entry["matched_at"][:16].replace("T", " "),
                    )
                    for entry in admin_views.already_reviewed_context([claim])
                ),
            )
            or "—"
        )

    @admin.display(description="Entities")
    def entity_list(self, claim: Claim) -> str:
        return mention_list(f"“{e['text']}” ({e['kind']})" for e in claim.entities)

    @admin.display(description="Quantities")
    def quantity_list(self, claim: Claim) -> str:
        return mention_list(
            f"“{q['text']}”: {q['value']:g}{' ' + q['unit'] if q.get('unit') else ''}"
            + (" (approximate)" if q.get("approx") else "")
            for q in claim.quantities
        )

    @admin.display(description="Dates")
    def date_list(self, claim: Claim) -> str:
        return mention_list(
            f"“{d['text']}” ({d['kind']}{', ' + d['value'] if d.get('value') else ''})"
            for d in claim.dates
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/correct/",
                self.admin_site.admin_view(self.correction_view),
                name="claims_claim_correct",
            ),
            path("search/", self.admin_site.admin_view(self.search_view), name="claims_search"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        claim = self.scoped_object_or_404(request, object_id)
        context = {
            "can_correct": has_role(request.user, claim.dossier.team, Role.ANALYST),
            "article_version": claim.article.version,
            "kinds": ClaimKind.choices,
            "corrections": claim_corrections(claim),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, context)

    def correction_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        claim = self.scoped_object_or_404(request, object_id)
        admin_corrections.report(
            self, request, lambda: admin_corrections.correct_claim(request, claim)
        )
        return HttpResponseRedirect(reverse("admin:claims_claim_change", args=[claim.pk]))

    def search_view(self, request):
        """One search across the articles, claims and verdicts of the user's teams."""
        context = {
            **self.admin_site.each_context(request),
            "title": "Search",
            "opts": self.opts,
            **admin_views.search_context(request),
        }
        return TemplateResponse(request, "admin/claims/search.html", context)


@admin.register(ClaimCluster)
class ClaimClusterAdmin(CommentsAdminMixin, ProjectionAdmin):
    scope = clusters_for
    list_display = [
        "canonical_text",
        "article_count",
        "independent_origin_count",
        "origin_display",
        "verdict_status",
    ]
    list_filter = [ClusterStateFilter, related_only("dossier")]
    search_fields = ["canonical_text", "origin", "claims__text"]
    change_form_template = "admin/claims/claimcluster/change_form.html"
    fields = [
        "canonical_text",
        "dossier",
        "article_count",
        "independent_origin_count",
        "origin_display",
        "supporting_article_count",
        "contradicting_article_count",
        "is_active",
        "created_at",
        "updated_at",
    ]

    def get_search_results(self, request, queryset, search_term):
        queryset, _ = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False

    readonly_fields = ["origin_display"]

    @admin.display(description="Primary origin", ordering="origin")
    def origin_display(self, cluster: ClaimCluster) -> str:
        return origin_name(cluster.origin) or "—"

    @admin.display(description="Verdict")
    def verdict_status(self, cluster: ClaimCluster) -> str:
        verdict = cluster.verdicts.order_by("-revision").first()
        return str(verdict) if verdict else "—"

    actions = ["merge_selected"]

    def reuse_view(self, request, object_id):
        """Already reviewed: draft this cluster's verdict from the team's earlier one."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        cluster = self.scoped_object_or_404(request, object_id)
        try:
            earlier = verdicts_for(request.user).filter(id=request.POST.get("verdict")).first()
        except ValidationError:  # not a verdict id at all
            earlier = None
        if earlier is None:
            raise Http404("No verdict with this id in your teams.")
        try:
            draft = commands.reuse_verdict(verdict=earlier, cluster=cluster, actor=request.user)
        except (ConcurrencyError, PermissionDenied, ValueError) as exc:
            self.refuse(request, exc)
            return HttpResponseRedirect(
                reverse("admin:claims_claimcluster_change", args=[object_id])
            )
        self.message_user(request, "Draft verdict started from the earlier one.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:claims_verdict_change", args=[draft.pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        cluster = self.scoped_object_or_404(request, object_id)
        context = {
            **admin_views.cluster_workbench_context(cluster, request.user),
            **self.comments_context(request, cluster),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, context)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/correct/<str:action>/",
                self.admin_site.admin_view(self.correction_view),
                name="claims_claimcluster_correct",
            ),
            path(
                "<path:object_id>/reuse/",
                self.admin_site.admin_view(self.reuse_view),
                name="claims_claimcluster_reuse",
            ),
            *self.comment_urls(),
            *super().get_urls(),
        ]

    def correction_view(self, request, object_id, action):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        cluster = self.scoped_object_or_404(request, object_id)
        admin_corrections.report(
            self, request, lambda: admin_corrections.correct_cluster(request, cluster, action)
        )
        return HttpResponseRedirect(reverse("admin:claims_claimcluster_change", args=[cluster.pk]))

    @admin.action(description="Merge the selected clusters (into the one with a verdict)")
    def merge_selected(self, request, queryset):
        clusters = list(queryset.filter(is_active=True).select_related("dossier__team"))
        admin_corrections.report(
            self, request, lambda: admin_corrections.merge_selected(request, clusters)
        )


@admin.register(Correction)
class CorrectionAdmin(ProjectionAdmin):
    """Every correction analysts made, filterable by kind: how often the machine is wrong."""

    scope = corrections_for
    list_display = ["created_at", "kind", "claim_text", "note", "lost_count", "dossier"]
    list_filter = ["kind", related_only("dossier")]
    search_fields = ["claim_text", "note"]
    date_hierarchy = "created_at"

    @admin.display(description="Claims lost to re-extraction")
    def lost_count(self, correction: Correction) -> int:
        return len(correction.lost)


# --- verdicts ------------------------------------------------------------------------------


def offered_evidence(claims, cluster_id=None, keep=()) -> QuerySet[Claim]:
    """The claims a verdict may cite: the check-worthy ones (facts and figures), the
    cluster's own members first, none of an archived article (set aside by the team). The
    cluster's members of other kinds and the claims in `keep` (the evidence a verdict already
    cites) stay on offer: the first are what the verdict is about, and dropping the second
    would silently remove evidence on save."""
    outside = Case(When(cluster_id=cluster_id, then=0), default=1) if cluster_id else Value(1)
    offered = Q(kind__in=CHECKWORTHY_KINDS)
    if cluster_id:
        offered |= Q(cluster_id=cluster_id)
    offered = (offered & Q(article__archived=False)) | Q(pk__in=list(keep))
    return (
        claims.filter(offered)
        .select_related("article")
        .annotate(outside_cluster=outside)
        .order_by("outside_cluster", "article__published_at", "article", "ordinal")
    )


def evidence_label(claim: Claim) -> str:
    marker = "● " if getattr(claim, "outside_cluster", 1) == 0 else ""
    return f"{marker}{claim.article.title[:50]} — {claim.text[:110]}"


class EvidencePicker(AutocompleteSelectMultiple):
    """Django admin's autocomplete (select2) over the claims a verdict on `cluster_id` may
    cite (`VerdictAdmin.evidence_search_view`): a dossier's thousands of claims are searched
    by words, never all sent; only the chosen ones are in the page."""

    def __init__(self, attrs=None, cluster_id=None):
        super().__init__(VerdictEvidence._meta.get_field("claim"), admin.site, attrs)
        self.cluster_id = cluster_id

    def get_url(self) -> str:
        url = reverse("admin:claims_verdict_evidence_search")
        return f"{url}?cluster={self.cluster_id}" if self.cluster_id else url


class EvidenceChoice(forms.ModelMultipleChoiceField):
    widget = EvidencePicker

    def label_from_instance(self, claim: Claim) -> str:
        return evidence_label(claim)


class VerdictContentForm(CommandForm):
    """Rating, grades, rationale and evidence: the content both drafting and editing set."""

    # No default: a rating the analyst did not choose would look like a conclusion.
    rating = forms.ChoiceField(choices=[("", "— choose a rating —"), *Rating.choices])
    confidence = forms.IntegerField(min_value=0, max_value=100, initial=50)
    source_reliability = forms.ChoiceField(
        choices=SourceReliability.choices, initial=SourceReliability.F
    )
    information_credibility = forms.TypedChoiceField(
        choices=InformationCredibility.choices,
        coerce=int,
        initial=InformationCredibility.CANNOT_BE_JUDGED,
    )
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        help_text="Markdown. Rendered sanitised: no raw HTML or scripts.",
    )
    supporting_claims = EvidenceChoice(
        queryset=Claim.objects.none(),
        required=False,
        help_text="Type words of the claim or its article's title; ● marks the cluster's claims.",
    )
    refuting_claims = EvidenceChoice(queryset=Claim.objects.none(), required=False)
    context_claims = EvidenceChoice(queryset=Claim.objects.none(), required=False)

    EVIDENCE_FIELDS = {
        "supporting_claims": EvidenceRelation.SUPPORTS,
        "refuting_claims": EvidenceRelation.REFUTES,
        "context_claims": EvidenceRelation.CONTEXT,
    }

    class Meta:
        model = Verdict
        fields: list[str] = []

    def limit_evidence_to(self, claims, cluster_id=None, keep=()) -> None:
        """Accept the claims `offered_evidence` offers; the pickers search the same ones."""
        queryset = offered_evidence(claims, cluster_id, keep)
        for name in self.EVIDENCE_FIELDS:
            self.fields[name].queryset = queryset
            self.fields[name].widget.cluster_id = cluster_id

    def evidence(self) -> list[commands.EvidenceInput]:
        return [
            commands.EvidenceInput(relation=relation, claim=claim)
            for name, relation in self.EVIDENCE_FIELDS.items()
            for claim in self.cleaned_data[name]
        ]

    def content(self) -> dict:
        data = self.cleaned_data
        return {
            "rating": data["rating"],
            "confidence": data["confidence"],
            "source_reliability": data["source_reliability"],
            "information_credibility": data["information_credibility"],
            "rationale": data["rationale"],
            "evidence": self.evidence(),
        }


class VerdictDraftForm(VerdictContentForm):
    cluster = forms.ModelChoiceField(queryset=ClaimCluster.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.request.user
        open_clusters = ClaimCluster.objects.filter(
            dossier__team_id__in=team_ids_for(user, Role.ANALYST),
            is_active=True,
            verdicts__isnull=True,
        )
        self.fields["cluster"].queryset = open_clusters
        claims = claims_for(user)
        chosen = self._chosen_cluster(open_clusters)
        if chosen:
            self.limit_evidence_to(claims.filter(dossier_id=chosen.dossier_id), chosen.id)
        else:
            self.limit_evidence_to(claims)

    def _chosen_cluster(self, clusters) -> ClaimCluster | None:
        """The cluster picked (or preset via ?cluster=): its dossier bounds the evidence."""
        key = self.data.get("cluster") or self.initial.get("cluster")
        try:
            return clusters.filter(pk=key).first() if key else None
        except (ValueError, ValidationError):
            return None

    def run_command(self) -> Verdict:
        return commands.draft_verdict(
            cluster=self.cleaned_data["cluster"], actor=self.request.user, **self.content()
        )


class VerdictEditForm(VerdictContentForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    change_note = forms.CharField(
        required=False, max_length=500, help_text="Why you changed it (shown in History)."
    )

    def __init__(self, *args, instance: Verdict, **kwargs):
        initial = {
            "rating": instance.rating,
            "confidence": instance.confidence,
            "source_reliability": instance.source_reliability,
            "information_credibility": instance.information_credibility,
            "rationale": instance.rationale,
            "version": instance.version,
        }
        evidence = list(instance.evidence.exclude(claim=None).values_list("relation", "claim_id"))
        for name, relation in self.EVIDENCE_FIELDS.items():
            initial[name] = [claim_id for rel, claim_id in evidence if rel == relation]
        super().__init__(*args, instance=instance, initial=initial, **kwargs)
        self.limit_evidence_to(
            Claim.objects.filter(dossier_id=instance.dossier_id),
            instance.cluster_id,
            keep=[claim_id for _, claim_id in evidence],
        )

    def _with_stored_details(
        self, chosen: list[commands.EvidenceInput]
    ) -> list[commands.EvidenceInput]:
        """Keep what the form cannot show: notes on kept claims, and article-only evidence."""
        stored = list(self.instance.evidence.select_related("article"))
        notes = {(item.claim_id, item.relation): item.note for item in stored if item.claim_id}
        kept = [
            commands.EvidenceInput(
                relation=EvidenceRelation(item.relation),
                article=item.article,
                note=item.note,
                quote=item.quote,
            )
            for item in stored
            if item.claim_id is None
        ]
        chosen = [
            commands.EvidenceInput(
                relation=item.relation,
                claim=item.claim,
                note=notes.get((item.claim.pk, item.relation), ""),
            )
            for item in chosen
        ]
        return [*chosen, *kept]

    def run_command(self) -> Verdict:
        content = self.content()
        content["evidence"] = self._with_stored_details(content["evidence"])
        return commands.edit_verdict(
            verdict=self.instance,
            actor=self.request.user,
            expected_version=self.cleaned_data["version"],
            reason=self.cleaned_data["change_note"],
            **content,
        )


class NeedsReviewFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("needed", "Needs review (flagged by re-analysis)"),
            ("current", "Current revisions only"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "needed":
            return current_verdicts(queryset).filter(needs_review=True)
        if self.value() == "current":
            return current_verdicts(queryset)
        return queryset


class ReviewQueueFilter(admin.SimpleListFilter):
    title = "queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [
            ("awaiting_me", "Awaiting my review"),
            ("my_drafts", "My drafts"),
            ("changes_requested", "Changes requested"),
            ("flagged", "Flagged by re-analysis"),
        ]

    def queryset(self, request, queryset):
        if self.value():
            return verdict_queue(queryset, request.user, self.value())
        return queryset


EVIDENCE_PAGE = 20  # claims a picker suggests at once

WORKFLOW_ACTIONS = {
    "submit": (commands.submit_verdict, "Submitted for review."),
    "approve": (commands.approve_verdict, "Approved."),
    "request_changes": (commands.request_changes, "Sent back to the author."),
    "publish": (commands.publish_verdict, "Published."),
    "revise": (commands.revise_verdict, "Revision {revision} started as a draft."),
}


@admin.register(Verdict)
class VerdictAdmin(CommentsAdminMixin, CommandAdminMixin, TeamScopedAdmin):
    scope = verdicts_for
    list_display = [
        "cluster",
        "revision",
        "status",
        "rating",
        "confidence",
        "author",
        "reviewer",
        "needs_review",
        "changes_since_approval_display",
    ]
    list_filter = [
        ReviewQueueFilter,
        NeedsReviewFilter,
        "status",
        "rating",
        related_only("dossier"),
    ]
    search_fields = ["rationale", "cluster__canonical_text"]
    change_form_template = "admin/claims/verdict/change_form.html"
    status_fields = [
        "status",
        "revision",
        "cluster_link",
        "author",
        "reviewer",
        "approved_at",
        "published_at",
        "supersession",
        "changes_since_approval_display",
        "reviewed_changes_display",
    ]
    content_fields = ["rating", "confidence", "source_reliability", "information_credibility"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("cluster", "author", "reviewer")

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = VerdictEditForm if obj is not None else VerdictDraftForm
        return type(base.__name__, (base,), {"request": request})

    def get_changeform_initial_data(self, request):
        return {"cluster": request.GET.get("cluster")}

    def is_editable(self, request, verdict: Verdict | None) -> bool:
        if verdict is None:
            return True
        editable = (Verdict.Status.DRAFT, Verdict.Status.CHANGES_REQUESTED)
        return (
            past_version(verdict) is None  # a past version is read, never edited
            and verdict.status in editable
            and has_role(request.user, verdict.dossier.team, Role.ANALYST)
        )

    def get_fieldsets(self, request, obj=None):
        evidence = ("Evidence", {"fields": list(VerdictContentForm.EVIDENCE_FIELDS)})
        if obj is None:
            return [
                (None, {"fields": ["cluster", *self.content_fields, "rationale"]}),
                evidence,
            ]
        if self.is_editable(request, obj) and self.has_change_permission(request, obj):
            return [
                (None, {"fields": [*self.content_fields, "rationale", "change_note", "version"]}),
                evidence,
                ("State", {"fields": self.status_fields}),
            ]
        return [
            (None, {"fields": [*self.content_fields, "rationale_rendered"]}),
            ("Evidence", {"fields": ["evidence_list"]}),
            ("State", {"fields": [*self.status_fields, "version"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        return self.status_fields if obj is not None else []

    def has_add_permission(self, request) -> bool:
        return (
            super().has_add_permission(request)
            and team_ids_for(request.user, Role.ANALYST).exists()
        )

    def has_change_permission(self, request, obj=None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or self.is_editable(request, obj))

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(request, f"Drafted {obj}.", level=messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:claims_verdict_change", args=[obj.pk]))

    def response_change(self, request, obj):
        self.message_user(request, f"Saved {obj}.", level=messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:claims_verdict_change", args=[obj.pk]))

    # -- read-only displays --

    @admin.display(description="Cluster")
    def cluster_link(self, verdict: Verdict) -> str:
        url = reverse("admin:claims_claimcluster_change", args=[verdict.cluster_id])
        return format_html('<a href="{}">{}</a>', url, verdict.cluster)

    @admin.display(description="Revisions")
    def supersession(self, verdict: Verdict) -> str:
        links = []
        if verdict.supersedes_id:
            url = reverse("admin:claims_verdict_change", args=[verdict.supersedes_id])
            links.append(
                format_html('supersedes <a href="{}">revision {}</a>', url, verdict.revision - 1)
            )
        later = Verdict.objects.filter(supersedes=verdict).first()
        if later:
            url = reverse("admin:claims_verdict_change", args=[later.pk])
            links.append(
                format_html('superseded by <a href="{}">revision {}</a>', url, later.revision)
            )
        return format_html_join(" · ", "{}", ((link,) for link in links)) or "—"

    @admin.display(description="Rationale")
    def rationale_rendered(self, verdict: Verdict) -> str:
        rendered = mark_safe(rationale_html(verdict.rationale))  # noqa: S308 - nh3-sanitised
        return format_html('<div class="rationale">{}</div>', rendered)

    @admin.display(description="Evidence")
    def evidence_list(self, verdict: Verdict) -> str:
        version = past_version(verdict)
        items = (
            evidence_as_of(verdict, version.history_date)
            if version
            else verdict.evidence.select_related("article", "claim")
        )
        return (
            format_html_join(
                "",
                "<p><strong>{}</strong>: {} <em>({})</em></p>",
                (
                    (
                        item.get_relation_display(),
                        item.quote or item.article.title,
                        item.article.title,
                    )
                    for item in items
                ),
            )
            or "—"
        )

    @admin.display(description="Changed since approval")
    def changes_since_approval_display(self, verdict: Verdict) -> str:
        flags = changes_since_approval(verdict) if verdict.needs_review else []
        return (
            format_html_join(
                "",
                "<div>{}: {}</div>",
                ((flag["at"][:16].replace("T", " "), "; ".join(flag["reasons"])) for flag in flags),
            )
            or "—"
        )

    @admin.display(description="Changed since submitted for review")
    def reviewed_changes_display(self, verdict: Verdict) -> str:
        changes = commands.reviewed_changes(verdict)
        return format_html_join("", "<div>{}</div>", ((change,) for change in changes)) or "—"

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """Besides the field diffs, what each change did to the evidence (rows of their own,
        so the verdict's diff alone never shows a claim cited or dropped)."""
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)
        records = list(historical_records)
        changes = evidence_changes(records[0].id) if records else {}
        for record in records:
            change = changes.get(record.history_date)
            if change:
                record.history_delta_changes = [
                    *getattr(record, "history_delta_changes", []),
                    {
                        "field": "Evidence",
                        "old": "; ".join(change.removed) or "—",
                        "new": "; ".join(change.added) or "—",
                    },
                ]

    # -- workflow --

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/workflow/<str:action>/",
                view(self.workflow_view),
                name="claims_verdict_workflow",
            ),
            path(
                "<path:object_id>/claimreview/",
                view(self.claimreview_view),
                name="claims_verdict_claimreview",
            ),
            path(
                "evidence-search/",
                view(self.evidence_search_view),
                name="claims_verdict_evidence_search",
            ),
            *self.comment_urls(),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        verdict = self.scoped_object_or_404(request, object_id)
        team = verdict.dossier.team
        is_reviewer = has_role(request.user, team, Role.REVIEWER)
        context = {
            "verdict": verdict,
            "is_analyst": has_role(request.user, team, Role.ANALYST),
            "is_reviewer": is_reviewer,
            "is_author": verdict.author_id == request.user.pk,
            # four-eyes: approve and publish only for a reviewer who neither wrote nor edited it
            "may_sign_off": is_reviewer and not wrote_or_edited(verdict, request.user),
            "review_notes": review_notes(verdict),
            "is_latest": not Verdict.objects.filter(supersedes=verdict).exists(),
            **self.comments_context(request, verdict),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, context)

    def workflow_view(self, request, object_id, action):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        verdict = self.scoped_object_or_404(request, object_id)
        if action not in WORKFLOW_ACTIONS:
            self.message_user(request, f"Unknown action {action!r}.", level=messages.ERROR)
            return HttpResponseRedirect(reverse("admin:claims_verdict_change", args=[verdict.pk]))
        command, success = WORKFLOW_ACTIONS[action]
        try:
            result = command(
                verdict=verdict,
                actor=request.user,
                expected_version=int(request.POST.get("version", -1)),
                reason=request.POST.get("reason", ""),
            )
        except (ConcurrencyError, PermissionDenied, commands.WorkflowError) as exc:
            self.refuse(request, exc)
            result = verdict
        else:
            self.message_user(request, success.format(revision=result.revision), messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:claims_verdict_change", args=[result.pk]))

    def evidence_search_view(self, request):
        """The evidence pickers' suggestions, in select2's format: claims a verdict on
        `?cluster=` may cite (any of the user's teams' without one) with every word of
        `?term=` in their text or their article's title, 20 a page."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        claims, cluster_id = claims_for(request.user), None
        if request.GET.get("cluster"):
            try:
                cluster = clusters_for(request.user).get(pk=request.GET["cluster"])
            except (ClaimCluster.DoesNotExist, ValidationError):
                raise Http404("No cluster with this id in your teams.") from None
            claims, cluster_id = claims.filter(dossier_id=cluster.dossier_id), cluster.id
        offered = offered_evidence(claims, cluster_id)
        for word in request.GET.get("term", "").split():
            offered = offered.filter(Q(text__icontains=word) | Q(article__title__icontains=word))
        page = Paginator(offered, EVIDENCE_PAGE).get_page(request.GET.get("page"))
        return JsonResponse(
            {
                "results": [{"id": str(claim.pk), "text": evidence_label(claim)} for claim in page],
                "pagination": {"more": page.has_next()},
            }
        )

    def claimreview_view(self, request, object_id):
        verdict = self.scoped_object_or_404(request, object_id)
        try:
            document = claimreview_jsonld(verdict, request=request)
        except ValueError as exc:
            return JsonResponse({"code": "not_published", "message": str(exc)}, status=409)
        return JsonResponse(document, json_dumps_params={"indent": 2, "ensure_ascii": False})
