"""How verdicts look outside the database: sanitised rationale HTML and ClaimReview JSON-LD.

The rating scale and its ClaimReview mapping are documented in docs/CLAIMREVIEW.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import markdown
import nh3
from django.urls import reverse
from django.utils.html import strip_tags

from claims.models import Claim, Rating, Verdict
from claims.selectors import origin_name
from dossiers.models import Article

WORST_RATING = 1
BEST_RATING = 5
# Outside the 1..5 scale on purpose: "unproven" says nothing about how true a claim is, so
# consumers must read alternateName. Fact-checkers' ClaimReview feeds use -1 the same way.
NOT_ON_SCALE = -1


@dataclass(frozen=True)
class RatingScale:
    value: int
    name: str


CLAIMREVIEW_RATINGS: dict[str, RatingScale] = {
    Rating.FALSE: RatingScale(1, "False"),
    Rating.MOSTLY_FALSE: RatingScale(2, "Mostly false"),
    Rating.MIXED: RatingScale(3, "Mixed"),
    Rating.MOSTLY_TRUE: RatingScale(4, "Mostly true"),
    Rating.TRUE: RatingScale(5, "True"),
    Rating.UNPROVEN: RatingScale(NOT_ON_SCALE, "Unproven"),
}

_ALLOWED_TAGS = {
    "p", "br", "hr", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li",
    "h3", "h4", "h5", "h6", "a", "table", "thead", "tbody", "tr", "th", "td", "del", "sup", "sub",
}  # fmt: skip


def rationale_html(rationale: str) -> str:
    """Markdown to HTML an analyst can format with, but with no script, style or raw HTML.

    Links may only be http(s)/mailto and open without passing the referrer.
    """
    html = markdown.markdown(rationale or "", extensions=["tables", "sane_lists"])
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def rationale_text(rationale: str) -> str:
    return " ".join(strip_tags(rationale_html(rationale)).split())


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-—") + "…"


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


def _appearance(article: Article, request) -> dict:
    """A place the claim appeared, with its public URL when it has one (never an admin page)."""
    work = {"@type": "CreativeWork", "headline": article.title}
    if article.url:
        work["url"] = article.url
    if article.published_at:
        work["datePublished"] = article.published_at.date().isoformat()
    if article.source_id:
        work["publisher"] = {"@type": "Organization", "name": article.source.name}
    elif article.author:
        work["author"] = {"@type": "Person", "name": article.author}
    return work


def _claim_articles(verdict: Verdict) -> list[Article]:
    """The articles of the claims reviewed (the snapshot's; the live cluster's for verdicts
    submitted before snapshots)."""
    reviewed = verdict.reviewed.get("claim_ids")
    claims = (
        Claim.objects.filter(id__in=reviewed)
        if reviewed is not None
        else Claim.objects.filter(cluster_id=verdict.cluster_id)
    ).select_related("article__source")
    articles = {claim.article_id: claim.article for claim in claims}
    if not articles:  # the cluster dissolved since: fall back to the evidence it cited
        for item in verdict.evidence.select_related("article__source"):
            articles[item.article_id] = item.article
    return sorted(
        articles.values(),
        key=lambda a: (a.published_at is None, a.published_at or a.uploaded_at, a.uploaded_at),
    )


def claimreview_jsonld(verdict: Verdict, *, request=None, url: str | None = None) -> dict:
    """schema.org ClaimReview for a published verdict revision.

    `url` is where the review is published; by default the verdict's public page. Without a request, URLs are site-relative paths.
    """
    if verdict.status != Verdict.Status.PUBLISHED or verdict.published_at is None:
        raise ValueError("only a published verdict has a ClaimReview")
    cluster = verdict.cluster
    team = verdict.dossier.team
    scale = CLAIMREVIEW_RATINGS[verdict.rating]
    articles = _claim_articles(verdict)
    appearances = [_appearance(article, request) for article in articles]
    claim: dict = {"@type": "Claim", "appearance": appearances}
    if appearances:
        claim["firstAppearance"] = appearances[0]
        if articles[0].published_at:
            claim["datePublished"] = articles[0].published_at.date().isoformat()
    reviewed = verdict.reviewed or {"claim_text": cluster.canonical_text, "origin": cluster.origin}
    if reviewed["origin"]:
        claim["author"] = {"@type": "Organization", "name": origin_name(reviewed["origin"])}
    review_url = url or _absolute(request, reverse("public_review", args=[verdict.pk]))
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": review_url,
        "claimReviewed": " ".join(reviewed["claim_text"].split()),
        "datePublished": verdict.published_at.date().isoformat(),
        "author": {"@type": "Organization", "name": team.name},
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": scale.value,
            "bestRating": BEST_RATING,
            "worstRating": WORST_RATING,
            "alternateName": scale.name,
            "ratingExplanation": shorten(rationale_text(verdict.rationale), 500),
        },
        "itemReviewed": claim,
    }
