"""Workbench pages of the admin: article with claims in place, cluster with provenance, the
dossier as of a date, and the dossier timeline. Reads only, through the selectors."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta

from django import forms
from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from claims.activity import describe_events
from claims.admin_corrections import NEW_CLUSTER
from claims.answer import CHART_WIDTH, ROW_Y, chart_layout, question_answer
from claims.models import CHECKWORTHY_KINDS, Claim, ClaimCluster, Verdict
from claims.provenance import ProvenanceClaim, build_provenance, render_svg
from claims.reviewed import already_reviewed
from claims.search import KINDS, SearchInputError, SearchRequest, hits, search
from claims.selectors import (
    BoardFilter,
    cited_sources_in_context,
    cluster_corrections,
    contradictions_in,
    dossier_as_of,
    dossier_board,
    dossier_events,
    dossier_timeline,
    origin_name,
)
from dossiers.models import Article, Dossier, QuestionStance, Role
from dossiers.permissions import has_role


@dataclass(frozen=True)
class PlacedClaim:
    claim: Claim
    anchor: str
    in_place: bool  # False when its span overlaps an earlier claim or lies outside the body


def _claim_tooltip(claim: Claim) -> str:
    cluster = claim.cluster.canonical_text[:80] if claim.cluster_id else "none"
    return (
        f"{claim.get_kind_display()} · Speaker: {claim.speaker or 'unattributed'} · "
        f"Cited source: {claim.cited_source or 'none'} · Cluster: {cluster}"
    )


def highlight_claims(body: str, claims: list[Claim]) -> tuple[SafeString, list[PlacedClaim]]:
    """The body as HTML, everything escaped: each check-worthy claim (a fact or a figure)
    wrapped in <mark>, the others (opinions, predictions, questions, other) in a plain <span>
    that keeps their anchor without highlighting them."""
    parts: list[str] = []
    placed: list[PlacedClaim] = []
    cursor = 0
    for claim in sorted(claims, key=lambda c: (c.start, c.end)):
        anchor = f"claim-{claim.ordinal}"
        fits = cursor <= claim.start < claim.end <= len(body)
        placed.append(PlacedClaim(claim, anchor, fits))
        if not fits:
            continue
        parts.append(escape(body[cursor : claim.start]))
        template = (
            '<mark class="claim" id="{}" data-claim="{}" data-kind="{}" title="{}">{}</mark>'
            if claim.kind in CHECKWORTHY_KINDS
            else '<span class="claim-other" id="{}" data-claim="{}" data-kind="{}" title="{}">'
            "{}</span>"
        )
        parts.append(
            format_html(
                template,
                anchor,
                claim.id,
                claim.kind,
                _claim_tooltip(claim),
                body[claim.start : claim.end],
            )
        )
        cursor = claim.end
    parts.append(escape(body[cursor:]))
    placed.sort(key=lambda p: p.claim.ordinal)
    return mark_safe("".join(parts)), placed  # noqa: S308 - parts are escaped above


def claim_cards(claims: list[Claim]) -> dict[str, dict]:
    """What clicking a claim shows: speaker, cited source, cluster and its current verdict."""
    cluster_ids = {claim.cluster_id for claim in claims if claim.cluster_id}
    verdicts: dict = {}
    for verdict in Verdict.objects.filter(cluster_id__in=cluster_ids).order_by("-revision"):
        verdicts.setdefault(verdict.cluster_id, verdict)
    cards = {}
    for claim in claims:
        card = {
            "text": claim.text,
            "kind": claim.get_kind_display(),
            "checkworthiness": round(claim.checkworthiness, 2),
            "speaker": claim.speaker or "unattributed",
            "cited_source": claim.cited_source or "none",
            "cluster": None,
            "verdict": None,
        }
        if claim.cluster_id:
            card["cluster"] = {
                "text": claim.cluster.canonical_text,
                "url": reverse("admin:claims_claimcluster_change", args=[claim.cluster_id]),
                "articles": claim.cluster.article_count,
                "origins": claim.cluster.independent_origin_count,
            }
            verdict = verdicts.get(claim.cluster_id)
            if verdict:
                card["verdict"] = {
                    "text": f"{verdict.get_rating_display()} · {verdict.get_status_display()}"
                    f" (revision {verdict.revision})",
                    "url": reverse("admin:claims_verdict_change", args=[verdict.pk]),
                }
        cards[str(claim.id)] = card
    return cards


def article_workbench_context(article: Article) -> dict:
    claims = list(Claim.objects.filter(article=article).select_related("cluster"))
    body_html, placed = highlight_claims(article.body, claims)
    return {
        "highlighted_body": body_html,
        "placed_claims": placed,
        "claim_cards": claim_cards(claims),
        "other_claim_count": sum(claim.kind not in CHECKWORTHY_KINDS for claim in claims),
    }


def _article_label(article: Article) -> str:
    return article.source.name if article.source_id else (article.title or str(article.pk))


def provenance_svg(cluster: ClaimCluster) -> SafeString:
    members = list(Claim.objects.filter(cluster=cluster).select_related("article__source"))
    cited_in_context = cited_sources_in_context({claim.article_id for claim in members})
    origins = [o if isinstance(o, str) else o.get("name", "") for o in cluster.origins]
    graph = build_provenance(
        (
            ProvenanceClaim(
                article_key=str(claim.article_id),
                article_label=_article_label(claim.article),
                article_source=claim.article.source.name if claim.article.source_id else None,
                speaker=claim.speaker or None,
                cited_source=cited_in_context.get(claim.id),
            )
            for claim in members
        ),
        [o for o in origins if o] or ([cluster.origin] if cluster.origin else []),
    )
    return render_svg(graph)


MOVE_TARGETS = 200  # the dossier's clusters a member can be moved to, most reported first


@dataclass(frozen=True)
class MemberRow:
    """A member claim and why the clustering put it here."""

    claim: Claim
    why: str
    partner: Claim | None


def _why_linked(link: dict | None, alone: bool) -> str:
    if not link:
        # With company but no link of its own: an analyst's merge, move or confirmed link
        # keeps it here, however little its wording shares with the others.
        return "the cluster's only claim" if alone else "kept here by an analyst's correction"
    if link.get("identical"):
        return "identical to"
    if link.get("meaning_similarity") is None:
        parts = [f"wording similarity {link['score']:.2f}"]
    else:  # a borderline pair: a fifth of its score is how near the two meanings are
        parts = [
            f"wording and meaning similarity {link['score']:.2f}"
            f" (meaning alone {link['meaning_similarity']:.2f})"
        ]
    if link.get("shared_quote"):
        parts.append(f"both quote “{link['shared_quote']}”")
    if link.get("shared_terms"):
        parts.append("shared words: " + ", ".join(link["shared_terms"]))
    if link.get("shared_quantities"):
        parts.append("same figures: " + ", ".join(f"{q:g}" for q in link["shared_quantities"]))
    if link.get("shared_dates"):
        parts.append("same dates: " + ", ".join(link["shared_dates"]))
    return "; ".join(parts) + " with"


def cluster_workbench_context(cluster: ClaimCluster, user) -> dict:
    members = list(
        Claim.objects.filter(cluster=cluster)
        .select_related("article__source")
        .order_by("article__published_at", "article__uploaded_at", "ordinal")
    )
    by_id = {str(claim.id): claim for claim in members}
    rows = []
    for claim in members:
        link = cluster.member_links.get(str(claim.id))
        partner = by_id.get(link["partner"]) if link else None
        rows.append(MemberRow(claim, _why_linked(link, alone=len(members) == 1), partner))
    verdicts = list(
        Verdict.objects.filter(cluster=cluster).select_related("author", "reviewer")
    )  # newest revision first (model ordering)
    return {
        "member_claims": members,
        "member_rows": rows,
        "member_article_count": len({c.article_id for c in members}),
        "contradictions": contradictions_in(cluster.dossier, cluster=cluster),
        "verdict_revisions": verdicts,
        "provenance_svg": provenance_svg(cluster),
        "origin_name": origin_name(cluster.origin),
        # A retired cluster keeps its page for its history, but is no longer worked on.
        "can_draft": cluster.is_active
        and not verdicts
        and has_role(user, cluster.dossier.team, Role.ANALYST),
        "can_correct": cluster.is_active and has_role(user, cluster.dossier.team, Role.ANALYST),
        "move_targets": ClaimCluster.objects.filter(dossier=cluster.dossier, is_active=True)
        .exclude(id=cluster.id)
        .order_by("-article_count", "canonical_text")[:MOVE_TARGETS],
        "new_cluster": NEW_CLUSTER,
        "corrections": cluster_corrections(cluster),
        "already_reviewed": already_reviewed_context(members),
    }


class BoardFilterForm(forms.Form):
    """The board's filters; in the dossier page's query string, prefixed `board-`."""

    verdict = forms.ChoiceField(
        choices=[
            ("", "any verdict or none"),
            ("none", "no verdict yet"),
            ("open", "verdict not yet published"),
            ("published", "verdict published"),
        ],
        required=False,
    )
    shared = forms.BooleanField(label="across several articles", required=False)
    contradicted = forms.BooleanField(label="contradicted", required=False)
    words = forms.CharField(label="wording has", max_length=200, required=False)

    def board_filter(self) -> BoardFilter:
        return BoardFilter(**self.cleaned_data) if self.is_valid() else BoardFilter()


RECENT_ACTIVITY = 12


def dossier_board_context(dossier: Dossier, query) -> dict:
    """The dossier page's overview: counts, the clusters that matter (filtered by `query`),
    open verdicts and what people did lately (the machine's own steps left out)."""
    form = BoardFilterForm(query, prefix="board")
    people = dossier_events(dossier).exclude(metadata__actor_id=None)
    return {
        "board": dossier_board(dossier, form.board_filter()),
        "board_filter_form": form,
        "board_filtered": form.is_valid() and any(form.cleaned_data.values()),
        "recent_activity": describe_events(
            people.order_by("-recorded_at", "-position")[:RECENT_ACTIVITY]
        ),
    }


def dossier_contradictions_context(dossier: Dossier, *, shown: int = 50) -> dict:
    """The dossier page's list of contradictions: the first `shown`, and how many in all."""
    found = contradictions_in(dossier)
    return {"contradictions": found[:shown], "contradiction_count": len(found)}


def parse_moment(value: str | None) -> datetime | None:
    """A date means the end of that day (what we believed on it); a datetime is taken as UTC.

    None for anything that is not a real date or time (2026-13-45, 2026-02-30T10:00, T25:00).
    """
    value = (value or "").strip()
    if not value:
        return None
    try:
        day = parse_date(value) if len(value) == len("YYYY-MM-DD") else None
        moment = datetime.combine(day, time.max) if day is not None else parse_datetime(value)
    except ValueError:  # well-formed but out of range
        return None
    if moment is None:
        return None
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)
    return moment


def _admin_context(model_admin, request, dossier: Dossier, title: str) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": dossier,
        "dossier": dossier,
        "title": title,
    }


def dossier_as_of_page(model_admin, request, dossier: Dossier) -> TemplateResponse:
    raw = request.GET.get("when", "")
    when = parse_moment(raw)
    context = _admin_context(model_admin, request, dossier, f"{dossier.title}: as of a date")
    context["when_value"] = raw or timezone.now().strftime("%Y-%m-%dT%H:%M")
    context["invalid_when"] = bool(raw) and when is None
    if when is not None:
        context["snapshot"] = dossier_as_of(dossier, when)
    return TemplateResponse(request, "admin/dossiers/dossier/as_of.html", context)


def dossier_timeline_page(model_admin, request, dossier: Dossier) -> TemplateResponse:
    timeline = dossier_timeline(dossier)
    events = Paginator(timeline.events, 200).get_page(request.GET.get("p"))
    as_of = reverse("admin:dossiers_dossier_as_of", args=[dossier.pk])
    for event in events:  # each event opens the dossier as it stood just after it
        event.as_of_url = f"{as_of}?when={_seconds_after(event.recorded_at)}"
    context = _admin_context(model_admin, request, dossier, f"{dossier.title}: timeline")
    context.update({"articles": timeline.articles, "events": events})
    return TemplateResponse(request, "admin/dossiers/dossier/timeline.html", context)


def dossier_question_context(dossier: Dossier) -> dict:
    """The question answered over time, for the dossier page: summary, chart and articles."""
    answer = question_answer(dossier)
    dots, ticks = chart_layout(answer)
    as_of = reverse("admin:dossiers_dossier_as_of", args=[dossier.pk])
    # Each dot opens the as-of view just after the last of its articles got its stance (the
    # view reads whole seconds).
    dots = [
        replace(dot, href=f"{as_of}?when={_seconds_after(dot.point.learned_at)}") for dot in dots
    ]
    articles = (
        dossier.articles.filter(status="done")
        .defer("raw_upload", "body")
        .order_by("published_at", "uploaded_at")
    )
    return {
        "answer": answer,
        "chart_dots": dots,
        "chart_ticks": ticks,
        "chart_width": CHART_WIDTH,
        "chart_rows": [(label.label, y) for label, y in ROW_Y.items()],
        "question_articles": articles,
        "stance_choices": QuestionStance.choices,
    }


def _seconds_after(moment: datetime) -> str:
    return f"{moment.astimezone(UTC) + timedelta(seconds=1):%Y-%m-%dT%H:%M:%S}"


# --- search and already reviewed (issue 17) -----------------------------------------------


class SearchForm(forms.Form):
    q = forms.CharField(label="Search", max_length=500)
    type = forms.MultipleChoiceField(
        choices=[(kind, kind.capitalize() + "s") for kind in KINDS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    speaker = forms.CharField(max_length=300, required=False)
    outlet = forms.CharField(max_length=200, required=False)
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        try:
            data["request"] = SearchRequest(
                text=data["q"],
                kinds=tuple(data["type"] or KINDS),
                speaker=data["speaker"],
                outlet=data["outlet"],
                since=data["since"],
                until=data["until"],
            )
        except SearchInputError as error:
            raise forms.ValidationError(str(error)) from None
        return data


SEARCH_PAGE_SIZE = 20
_ADMIN_PAGE = {"article": "dossiers_article", "claim": "claims_claim", "verdict": "claims_verdict"}


def search_context(request) -> dict:
    """The admin search page: the form, and a page of results from the user's teams."""
    form = SearchForm(request.GET or None)
    if not form.is_valid():
        return {"form": form}
    wanted = form.cleaned_data["request"]
    number = request.GET.get("page", "1")
    page = search(request.user, wanted).page(
        int(number) if number.isascii() and number.isdigit() and int(number) else 1,
        SEARCH_PAGE_SIZE,
    )
    results = hits(page, wanted)
    for hit in results:
        hit.extra["admin_url"] = reverse(f"admin:{_ADMIN_PAGE[hit.kind]}_change", args=[hit.id])
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "form": form,
        "searched": True,
        "page": page,
        "results": results,
        "query": query.urlencode(),
    }


def already_reviewed_context(claims) -> list[dict]:
    """The verdicts matched to these claims, each with its admin page."""
    entries = already_reviewed(claims)
    for entry in entries:
        entry["admin_url"] = reverse("admin:claims_verdict_change", args=[entry["verdict"].pk])
    return entries
