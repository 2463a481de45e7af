"""Public, read-only pages of published verdicts: no login, no internal keys.

Each page embeds its ClaimReview JSON-LD, so search engines and fact-check aggregators read
the same review the analysts published.
"""

from __future__ import annotations

import json

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.safestring import mark_safe

from claims.models import Verdict
from claims.rendering import claimreview_jsonld, rationale_html


def published_verdicts() -> QuerySet[Verdict]:
    return (
        Verdict.objects.filter(status=Verdict.Status.PUBLISHED, published_at__isnull=False)
        .select_related("cluster", "dossier__team")
        .order_by("-published_at")
    )


def review_list(request):
    return TemplateResponse(
        request, "public/review_list.html", {"verdicts": published_verdicts()[:200]}
    )


def _jsonld_script(document: dict) -> str:
    """JSON inside <script>: `</` and `<!--` cannot close or open anything."""
    text = json.dumps(document, ensure_ascii=False, indent=2)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(text)  # noqa: S308 - every markup character is escaped above


def review_detail(request, verdict_id):
    verdict = get_object_or_404(published_verdicts(), pk=verdict_id)
    url = request.build_absolute_uri(reverse("public_review", args=[verdict.pk]))
    document = claimreview_jsonld(verdict, request=request, url=url)
    context = {
        "verdict": verdict,
        "review": document,
        "jsonld": _jsonld_script(document),
        "rationale": mark_safe(rationale_html(verdict.rationale)),  # noqa: S308 - nh3-sanitised
    }
    return TemplateResponse(request, "public/review_detail.html", context)
