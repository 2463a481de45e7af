"""The verdict workflow through the API: draft, review, publish, revise, history, as_of."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from claims.export import dossier_export
from claims.models import Claim, ClaimCluster, Verdict
from dossiers.commands import start_extractions
from dossiers.models import Article, Role
from tests.api.conftest import client_for, error_of, streamed
from tests.factories import member

pytestmark = pytest.mark.django_db


def act(client, verdict_json: dict, action: str, body: dict | None = None):
    return client.post(
        f"/api/v1/verdicts/{verdict_json['id']}/{action}/",
        body or {},
        format="json",
        HTTP_IF_MATCH=f'"{verdict_json["version"]}"',
    )


def test_the_whole_workflow_through_the_api(world):
    analyst, reviewer = client_for(world.analyst), client_for(world.reviewer)
    cluster = (
        ClaimCluster.objects.filter(dossier=world.dossier).exclude(id=world.cluster.id).first()
    )
    claim = cluster.claims.first()
    drafted = analyst.post(
        "/api/v1/verdicts/",
        {
            "cluster": str(cluster.id),
            "rating": "mostly_false",
            "confidence": 70,
            "information_credibility": 4,
            "rationale": "Only one outlet reports it.",
            "evidence": [{"relation": "refutes", "claim": str(claim.id), "note": "see"}],
        },
        format="json",
    )
    assert drafted.status_code == 201, drafted.json()
    verdict = drafted.json()
    assert drafted["Location"].endswith(f"/api/v1/verdicts/{verdict['id']}/")
    assert verdict["evidence"][0]["claim"] == str(claim.id)
    assert verdict["status"] == "draft" and verdict["author"] == world.analyst.username

    verdict = act(analyst, verdict, "submit").json()
    assert verdict["status"] == "in_review"
    own_approval = act(client_for(world.analyst), verdict, "approve")
    assert own_approval.status_code == 403

    verdict = act(reviewer, verdict, "approve").json()
    assert verdict["status"] == "approved" and verdict["reviewer"] == world.reviewer.username
    published = act(reviewer, verdict, "publish")
    assert published.status_code == 200
    verdict = published.json()
    assert verdict["status"] == "published"

    review = analyst.get(f"/api/v1/verdicts/{verdict['id']}/claimreview/")
    assert review.status_code == 200
    assert review["Content-Type"].startswith("application/ld+json")
    assert review.json()["@type"] == "ClaimReview"
    assert review.json()["reviewRating"]["alternateName"]

    edit_published = analyst.patch(
        f"/api/v1/verdicts/{verdict['id']}/",
        {"rating": "false"},
        format="json",
        HTTP_IF_MATCH=f'"{verdict["version"]}"',
    )
    assert edit_published.status_code == 409
    assert error_of(edit_published)["code"] == "workflow_conflict"

    revised = act(analyst, verdict, "revise", {"reason": "The ministry confirmed it."})
    assert revised.status_code == 201
    revision = revised.json()
    assert revision["revision"] == 2 and revision["supersedes"] == verdict["id"]
    assert revision["status"] == "draft"
    assert Verdict.objects.get(id=verdict["id"]).status == "published"

    history = analyst.get(f"/api/v1/verdicts/{revision['id']}/history/").json()
    assert [entry["revision"] for entry in history][-1] == 2
    publish_entry = next(
        entry
        for entry in history
        if entry["revision"] == 1
        and {"field": "status", "old": "approved", "new": "published"} in entry["changes"]
    )
    assert publish_entry["actor"] == world.reviewer.username
    revise_entry = history[-1]
    assert revise_entry["change"] == "created"
    assert revise_entry["reason"] == "The ministry confirmed it."
    assert revise_entry["actor"] == world.analyst.username


def test_an_author_cannot_publish_their_own_verdict_and_gets_403(world):
    author = member(world.team, Role.REVIEWER)
    cluster = ClaimCluster.objects.filter(dossier=world.dossier, verdicts__isnull=True).first()
    drafted = client_for(author).post(
        "/api/v1/verdicts/", {"cluster": str(cluster.id), "rating": "true"}, format="json"
    )
    verdict = act(client_for(author), drafted.json(), "submit").json()
    verdict = act(client_for(world.reviewer), verdict, "approve").json()

    own_publication = act(client_for(author), verdict, "publish")

    assert own_publication.status_code == 403
    problem = error_of(own_publication)
    assert problem["code"] == "permission_denied" and "four-eyes" in problem["message"]
    assert Verdict.objects.get(id=verdict["id"]).status == "approved"
    assert act(client_for(world.reviewer), verdict, "publish").status_code == 200


def test_request_changes_and_revise_need_a_reason(world):
    client = client_for(world.admin)
    verdict = client.get(f"/api/v1/verdicts/{world.verdict.id}/").json()
    response = act(client, verdict, "revise", {})
    assert response.status_code == 400
    assert "reason" in error_of(response)["details"]["fields"]


def test_a_transition_the_status_does_not_allow_is_409(world):
    client = client_for(world.reviewer)
    verdict = client.get(f"/api/v1/verdicts/{world.verdict.id}/").json()
    response = act(client, verdict, "publish")
    assert response.status_code == 409
    assert "draft" in error_of(response)["message"]


def test_claimreview_of_an_unpublished_verdict_is_409(world):
    response = client_for(world.viewer).get(f"/api/v1/verdicts/{world.verdict.id}/claimreview/")
    assert response.status_code == 409
    assert error_of(response)["code"] == "not_published"


def test_as_of_reads_the_verdict_as_it_stood(world):
    client = client_for(world.analyst)
    before_edit = timezone.now()
    path = f"/api/v1/verdicts/{world.verdict.id}/"
    client.patch(
        path, {"rating": "false"}, format="json", HTTP_IF_MATCH=f'"{world.verdict.version}"'
    )
    then = client.get(path, {"as_of": before_edit.isoformat()})
    assert then.status_code == 200
    assert then.json()["rating"] == world.verdict.rating
    assert then["ETag"] == f'"{world.verdict.version}"'
    assert client.get(path).json()["rating"] == "false"


def test_as_of_before_a_record_existed_is_404_and_a_bad_date_is_400(world):
    client = client_for(world.viewer)
    path = f"/api/v1/clusters/{world.cluster.id}/"
    assert client.get(path, {"as_of": "2001-01-01T00:00:00Z"}).status_code == 404
    bad = client.get(path, {"as_of": "last tuesday"})
    assert bad.status_code == 400 and "as_of" in error_of(bad)["details"]["fields"]
    assert (
        client.get(f"/api/v1/dossiers/{world.dossier.id}/", {"as_of": "2001-01-01"}).status_code
        == 404
    )


def test_a_dossier_snapshot_shows_what_was_known_then(world):
    client = client_for(world.viewer)
    moment = timezone.now()
    from tests.api.conftest import analyse
    from tests.factories import article_text

    analyse(world.dossier, [article_text(30)], world.analyst)
    path = f"/api/v1/dossiers/{world.dossier.id}/snapshot/"
    then = streamed(client.get(path, {"as_of": moment.isoformat()}))
    now = streamed(client.get(path, {"as_of": timezone.now().isoformat()}))
    assert len(then["articles"]) == len(world.articles)
    assert len(now["articles"]) == len(world.articles) + 1
    verdicts = then["verdicts"]
    assert [v["id"] for v in verdicts] == [str(world.verdict.id)]
    cluster = next(c for c in then["clusters"] if c["id"] == str(world.cluster.id))
    assert cluster["verdict"] == str(world.verdict.id) and cluster["claims"]


def exported(client, dossier) -> dict:
    return streamed(client.get(f"/api/v1/dossiers/{dossier.id}/export/"))


def test_the_export_is_the_dossier_report(world):
    document = exported(client_for(world.viewer), world.dossier)
    assert document == json.loads(json.dumps(dossier_export(world.dossier), default=str))
    assert document["dossier"]["id"] == str(world.dossier.id)
    assert len(document["articles"]) == len(world.articles)
    claims = {c["id"]: c for a in document["articles"] for c in a["claims"]}
    linked = [c for c in claims.values() if c["link"]]
    assert linked and all(
        claims[c["link"]["partner"]]["cluster_id"] == c["cluster_id"] for c in linked
    )
    reasons = {item["reason"] for item in document["contradictions"]}
    assert reasons & {"different figures: 13 vs 14", "different figures: 14 vs 13"}
    for item in document["contradictions"]:
        assert {item["a"], item["b"]} <= set(claims) and item["kind"] in {
            "dates",
            "numbers",
            "denial",
        }


def test_reanalysis_is_accepted_and_reports_progress(world, django_capture_on_commit_callbacks):
    client = client_for(world.analyst)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            f"/api/v1/dossiers/{world.dossier.id}/reanalyze/", {"reason": "v2"}, format="json"
        )
    assert response.status_code == 202
    body = response.json()
    assert body["queued"] == len(world.articles)
    assert body["progress"]["pending"] == len(world.articles)


def test_the_export_gives_each_claim_its_kind(world):
    document = exported(client_for(world.viewer), world.dossier)
    kinds = {c["id"]: c["kind"] for a in document["articles"] for c in a["claims"]}
    stored = Claim.objects.filter(dossier=world.dossier).values_list("id", "kind")
    assert kinds == {str(pk): kind for pk, kind in stored}
    assert {"statistic", "prediction"} <= set(kinds.values())


def test_reanalysis_leaves_articles_being_extracted_to_finish_and_says_so(
    world, django_capture_on_commit_callbacks
):
    running, *others = world.articles
    start_extractions(articles=[Article.objects.get(id=running.id)])
    versions_before = Article.objects.get(id=running.id).version
    with django_capture_on_commit_callbacks(execute=False):
        response = client_for(world.analyst).post(
            f"/api/v1/dossiers/{world.dossier.id}/reanalyze/", {}, format="json"
        )
    assert response.status_code == 202, response.json()
    body = response.json()
    assert (body["queued"], body["running"], body["already_queued"]) == (len(others), 1, 0)
    assert Article.objects.get(id=running.id).version == versions_before
    assert body["progress"]["running"] == 1 and body["progress"]["pending"] == len(others)


def test_reanalysis_queues_all_articles_or_none(world, monkeypatch):
    """If queueing one article fails, those queued before it are rolled back with it."""
    from dossiers import commands
    from eventlog.store import ConcurrencyError

    queue_one = commands.request_extraction
    calls = []

    def fail_on_the_second(*, article, **kwargs):
        calls.append(article.id)
        if len(calls) == 2:
            raise ConcurrencyError("article", article.id, article.version, article.version + 1)
        return queue_one(article=article, **kwargs)

    monkeypatch.setattr(commands, "request_extraction", fail_on_the_second)
    versions = {a.id: a.version for a in Article.objects.filter(dossier=world.dossier)}
    response = client_for(world.analyst).post(
        f"/api/v1/dossiers/{world.dossier.id}/reanalyze/", {}, format="json"
    )
    assert response.status_code == 409
    problem = error_of(response)
    assert problem["code"] == "conflict" and "nothing was queued" in problem["message"]
    assert str(calls[1]) not in problem["message"]
    assert {a.id: a.version for a in Article.objects.filter(dossier=world.dossier)} == versions


def test_the_export_reads_articles_a_chunk_at_a_time(world, monkeypatch):
    """Bounded memory: with chunks of one article, the articles come through one cursor and
    each chunk's claims are read on their own; the document is the same."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from claims import export

    monkeypatch.setattr(export, "ARTICLE_CHUNK", 1)
    with CaptureQueriesContext(connection) as captured:
        text = "".join(export.dossier_export_chunks(world.dossier))
    claim_reads = [
        q
        for q in captured
        if q["sql"].startswith('SELECT "claims_claim"') and '"article_id" IN' in q["sql"]
    ]
    assert len(claim_reads) == len(world.articles)
    assert json.loads(text) == json.loads(json.dumps(dossier_export(world.dossier), default=str))
