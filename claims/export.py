"""The dossier export document, served by `export_dossier` and by the API."""

from __future__ import annotations

import json
from collections.abc import Iterator

from django.db.models import Prefetch

from claims.answer import question_answer
from claims.models import Claim, ClaimCluster, Correction
from claims.selectors import contradiction_pairs, correction_counts
from dossiers.commands import claim_form
from dossiers.models import Article, Dossier
from dossiers.selectors import analysis_progress


def _iso(value) -> str | None:
    return value.isoformat() if value else None


ARTICLE_CHUNK = 100  # articles (bodies and claims) read per query when streaming


def dossier_export(dossier: Dossier) -> dict:
    """Articles with their claims (spans index into each exported body) and active clusters."""
    document = _export_document(dossier)
    document["articles"] = list(document["articles"])
    return document


def dossier_export_chunks(dossier: Dossier) -> Iterator[str]:
    """The same document as JSON text, piece by piece: articles, the bulk of it, are read
    ARTICLE_CHUNK at a time and written one by one, so a large dossier is never in memory
    whole (the API streams this)."""
    return json_chunks(_export_document(dossier), ensure_ascii=False, default=str)


def json_chunks(document: dict, **dumps_options) -> Iterator[str]:
    """`document` as JSON text, piece by piece: a value that is an iterator (rather than a
    list) is written an item at a time as it is read, so it is never in memory whole.
    `dumps_options` go to `json.dumps`."""
    yield "{"
    for position, (key, value) in enumerate(document.items()):
        yield ("," if position else "") + json.dumps(key) + ":"
        if not isinstance(value, Iterator):
            yield json.dumps(value, **dumps_options)
            continue
        yield "["
        for index, item in enumerate(value):
            yield ("," if index else "") + json.dumps(item, **dumps_options)
        yield "]"
    yield "}"


def _export_document(dossier: Dossier) -> dict:
    """The export with `articles` left as a lazy iterator (see the two functions above)."""
    articles = (
        Article.objects.filter(dossier=dossier)
        .select_related("source")
        .prefetch_related(Prefetch("claims", queryset=Claim.objects.order_by("ordinal")))
        .order_by("published_at", "uploaded_at", "id")
    )
    clusters = list(
        ClaimCluster.objects.filter(dossier=dossier, is_active=True).prefetch_related(
            Prefetch("claims", queryset=Claim.objects.only("id", "cluster_id").order_by("id"))
        )
    )
    links = {
        claim_id: link for cluster in clusters for claim_id, link in cluster.member_links.items()
    }
    return {
        "dossier": {
            "id": str(dossier.id),
            "team": dossier.team.name,
            "title": dossier.title,
            "question": dossier.question,
            "claim_form": claim_form(dossier),
            "answer": question_answer(dossier).summary,
            "status": dossier.status,
            "tags": dossier.tags,
            "created_at": _iso(dossier.created_at),
            "analysis": analysis_progress(dossier),
        },
        "articles": (
            _article(article, links) for article in articles.iterator(chunk_size=ARTICLE_CHUNK)
        ),
        "clusters": [_cluster(cluster) for cluster in clusters],
        "contradictions": [
            {"a": item.a, "b": item.b, "kind": item.kind, "reason": item.reason}
            for item in contradiction_pairs(clusters)
        ],
        "corrections": {
            "counts": correction_counts([dossier.id]),
            "items": [
                _correction(item)
                for item in Correction.objects.filter(dossier=dossier).order_by("id")
            ],
        },
    }


def published_date(article: Article) -> str | None:
    """The publication date to the precision the text gave: 2015-06-01, 2015-06 or 2024."""
    if article.published_at is None:
        return None
    width = {"year": 4, "month": 7}.get(article.published_precision, 10)
    return article.published_at.date().isoformat()[:width]


def question_stance_of(article: Article) -> dict | None:
    """The article's stance toward its dossier's claim form (None until scored): the label
    (an analyst's correction if any), the model's confidence and its deciding sentences."""
    if not article.question_stance:
        return None
    return {
        "label": article.question_stance,
        "confidence": article.question_stance_confidence,
        "sentences": list(article.question_stance_sentences),
        "model_label": article.question_stance_model or None,
        "corrected": article.question_stance_corrected,
    }


def _article(article: Article, links: dict[str, dict]) -> dict:
    return {
        "id": str(article.id),
        "title": article.title,
        "source": article.source.name if article.source else None,
        "url": article.url or None,
        "author": article.author or None,
        "published_at": published_date(article),
        "status": article.status,
        "archived": article.archived,  # left out of the clusters, origins and answer
        "extractor_version": article.extractor_version or None,
        "question_stance": question_stance_of(article),
        "body": article.body,
        "claims": [_claim(claim, links.get(str(claim.id))) for claim in article.claims.all()],
    }


def _claim(claim: Claim, link: dict | None) -> dict:
    return {
        "id": str(claim.id),
        "start": claim.start,
        "end": claim.end,
        "text": claim.text,
        "speaker": claim.speaker or None,
        "cue": claim.cue or None,
        "cited_source": claim.cited_source or None,
        "entities": claim.entities,
        "quantities": claim.quantities,
        "dates": claim.dates,
        "cluster_id": str(claim.cluster_id) if claim.cluster_id else None,
        "checkworthiness": round(claim.checkworthiness, 4),
        "kind": claim.kind,
        "not_a_claim": claim.not_a_claim,
        "corrected_fields": claim.corrected_fields,
        "link": link,  # why the claim is in its cluster; None when it is alone there
    }


def _cluster(cluster: ClaimCluster) -> dict:
    return {
        "id": str(cluster.id),
        "canonical_text": cluster.canonical_text,
        "wording_pinned": cluster.wording_pinned,
        "article_count": cluster.article_count,
        "independent_origin_count": cluster.independent_origin_count,
        "origin": cluster.origin or None,
        "origins": cluster.origins,
        "supporting_article_count": cluster.supporting_article_count,
        "contradicting_article_count": cluster.contradicting_article_count,
        "claim_ids": [str(claim.id) for claim in cluster.claims.all()],
    }


def _correction(correction: Correction) -> dict:
    """An analyst's correction; `lost` names the claims re-extraction retired since."""
    return {
        "kind": correction.kind,
        "at": _iso(correction.created_at),
        "actor_id": correction.actor_id,
        "reason": correction.note,
        "cluster_id": str(correction.cluster_id) if correction.cluster_id else None,
        "claim_id": str(correction.claim_id) if correction.claim_id else None,
        "claim_text": correction.claim_text or None,
        "together": [ref["id"] for ref in correction.together],
        "apart": [ref["id"] for ref in correction.apart],
        "value": correction.value,
        "lost": correction.lost,
    }
