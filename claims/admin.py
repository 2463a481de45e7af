from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from claims.models import Claim, ClaimCluster, Verdict


@admin.register(Claim)
class ClaimAdmin(SimpleHistoryAdmin):
    list_display = ["text", "speaker", "cue", "cited_source", "checkworthiness", "article"]
    list_filter = ["dossier", "extractor_version"]
    search_fields = ["text", "speaker", "cited_source"]


@admin.register(ClaimCluster)
class ClaimClusterAdmin(SimpleHistoryAdmin):
    list_display = ["canonical_text", "article_count", "independent_origin_count", "origin"]
    list_filter = ["dossier", "is_active"]
    search_fields = ["canonical_text", "origin"]


@admin.register(Verdict)
class VerdictAdmin(SimpleHistoryAdmin):
    list_display = ["cluster", "revision", "status", "rating", "confidence", "needs_review"]
    list_filter = ["status", "rating", "needs_review", "dossier"]
    search_fields = ["rationale", "cluster__canonical_text"]
