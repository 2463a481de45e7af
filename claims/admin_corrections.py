"""The admin's correction forms: on a cluster page, each member's "not the same claim" and
"move to…", merging other clusters in and pinning the wording; on a claim's page (reached by
clicking a claim on its article's page), its speaker, cited source, kind and "not a claim".
Every form names the version the page showed, so a stale page is refused, not applied."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest

from claims import corrections
from claims.models import Claim, ClaimCluster
from claims.selectors import claims_for, clusters_for
from eventlog.store import ConcurrencyError

REFUSED = (ConcurrencyError, PermissionDenied, corrections.CorrectionError)
NEW_CLUSTER = "new"


def scoped(queryset, key):
    """The row `key` names among those the user may see, or None (a malformed id too)."""
    try:
        return queryset.filter(pk=key).first() if key else None
    except (ValueError, ValidationError):
        return None


def _version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version", -1))
    except ValueError:
        return -1


def _reason(request: HttpRequest) -> str:
    return request.POST.get("reason", "").strip()


def _member(request: HttpRequest, cluster: ClaimCluster) -> Claim:
    claim = scoped(claims_for(request.user).filter(cluster=cluster), request.POST.get("claim"))
    if claim is None:
        raise corrections.CorrectionError("that claim is no longer a member of this cluster")
    return claim


def correct_cluster(request: HttpRequest, cluster: ClaimCluster, action: str) -> str:
    """Apply one cluster-page correction; returns what to tell the analyst."""
    user, version, reason = request.user, _version(request), _reason(request)
    if action == "reject":
        claim = _member(request, cluster)
        others = list(Claim.objects.filter(cluster=cluster).exclude(id=claim.id))
        corrections.reject_link(
            claim=claim, others=others, actor=user, expected_version=version, reason=reason
        )
        return "Taken out: re-clustering will never put it with these claims again."
    if action == "move":
        claim = _member(request, cluster)
        key = request.POST.get("to_cluster")
        target = None if key == NEW_CLUSTER else scoped(clusters_for(user), key)
        if key != NEW_CLUSTER and target is None:
            raise corrections.CorrectionError("choose the cluster to move the claim to")
        corrections.move_claim(
            claim=claim, to_cluster=target, actor=user, expected_version=version, reason=reason
        )
        return "Moved; re-clustering keeps it there."
    if action == "merge":
        sources = [scoped(clusters_for(user), key) for key in request.POST.getlist("sources")]
        corrections.merge_clusters(
            target=cluster,
            sources=[source for source in sources if source is not None],
            actor=user,
            expected_version=version,
            reason=reason,
        )
        return "Merged into this cluster; re-clustering keeps them together."
    if action == "pin":
        corrections.pin_wording(
            cluster=cluster,
            text=request.POST.get("text", ""),
            actor=user,
            expected_version=version,
            reason=reason,
        )
        return "Wording pinned."
    raise corrections.CorrectionError(f"unknown correction {action!r}")


def correct_claim(request: HttpRequest, claim: Claim) -> str:
    """Apply the claim page's correction: a field, or "not a claim" and its undo."""
    user, version, reason = request.user, _version(request), _reason(request)
    mark = request.POST.get("mark")
    if mark == "not_a_claim":
        corrections.mark_not_a_claim(
            claim=claim, actor=user, expected_version=version, reason=reason
        )
        return "Marked not a claim: it left its cluster and will not be clustered again."
    if mark == "restore":
        corrections.restore_claim(claim=claim, actor=user, expected_version=version, reason=reason)
        return "A claim again: the next re-clustering gives it a cluster."
    field = request.POST.get("field", "")
    corrections.correct_claim(
        claim=claim,
        field=field,
        value=request.POST.get("value", ""),
        actor=user,
        expected_version=version,
        reason=reason,
    )
    return f"Corrected the {field.replace('_', ' ')}; re-extraction keeps the correction."


def merge_selected(request: HttpRequest, clusters: list[ClaimCluster]) -> str:
    """Merge clusters chosen on the list into one: the one with a verdict, else the one
    reported by most articles."""
    if len(clusters) < 2 or len({c.dossier_id for c in clusters}) != 1:
        raise corrections.CorrectionError("select two or more clusters of one dossier to merge")
    target, *sources = sorted(
        clusters,
        key=lambda c: (not c.verdicts.exists(), -c.article_count, c.created_at, str(c.id)),
    )
    corrections.merge_clusters(
        target=target,
        sources=sources,
        actor=request.user,
        expected_version=target.version,
        reason="merged from the cluster list",
    )
    return f"Merged {len(sources)} cluster(s) into “{target.canonical_text[:80]}”."


def report(admin, request: HttpRequest, apply) -> None:
    """Run a correction, telling the analyst what it did or why it was refused."""
    try:
        done = apply()
    except REFUSED as exc:
        admin.refuse(request, exc)
    else:
        admin.message_user(request, done, messages.SUCCESS)
