"""The admin workbench calls the commands: versions, workflow, history, review, pages."""

import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from claims.commands import (
    EvidenceInput,
    approve_verdict,
    draft_verdict,
    flag_verdicts_of_cluster,
    submit_verdict,
)
from claims.models import CHECKWORTHY_KINDS, Claim, ClaimKind, EvidenceRelation, Verdict
from dossiers.commands import correct_article_metadata
from eventlog.context import SYSTEM
from eventlog.models import Event

pytestmark = pytest.mark.django_db


def change_url(verdict) -> str:
    return reverse("admin:claims_verdict_change", args=[verdict.pk])


def edit_form(verdict, **changes) -> dict:
    return {
        "rating": verdict.rating,
        "confidence": verdict.confidence,
        "source_reliability": verdict.source_reliability,
        "information_credibility": verdict.information_credibility,
        "rationale": verdict.rationale,
        "version": verdict.version,
        "change_note": "",
        **changes,
    }


def workflow(client, verdict, action: str, **data):
    url = reverse("admin:claims_verdict_workflow", args=[verdict.pk, action])
    return client.post(url, {"version": verdict.version, **data}, follow=True)


def test_an_edit_goes_through_edit_verdict_and_records_the_change_note(client, desk):
    client.force_login(desk.analyst)
    response = client.post(
        change_url(desk.verdict),
        edit_form(
            desk.verdict,
            rating="false",
            change_note="origin traced",
            supporting_claims=[desk.claim.pk],
        ),
    )
    assert response.status_code == 302
    verdict = Verdict.objects.get(pk=desk.verdict.pk)
    assert verdict.rating == "false" and verdict.evidence.get().claim == desk.claim
    event = Event.objects.filter(stream_id=verdict.pk).last()
    assert (event.type, event.metadata["actor"], event.metadata["reason"]) == (
        "VerdictEdited",
        desk.analyst.username,
        "origin traced",
    )


def test_a_stale_edit_in_the_admin_is_refused_with_a_clear_message(client, desk):
    client.force_login(desk.analyst)
    opened = edit_form(desk.verdict)  # both "tabs" loaded the same version
    first = client.post(change_url(desk.verdict), {**opened, "rationale": "First tab."})
    assert first.status_code == 302

    second = client.post(change_url(desk.verdict), {**opened, "rationale": "Second tab."})

    assert second.status_code == 200
    page = second.content.decode()
    assert "Someone changed this record while you had it open" in page
    assert "Nothing was saved" in page
    assert Verdict.objects.get(pk=desk.verdict.pk).rationale == "First tab."


def test_drafting_in_the_admin_appends_a_verdict_drafted_event(client, desk):
    client.force_login(desk.analyst)
    claim = desk.open_cluster.claims.first()
    response = client.post(
        reverse("admin:claims_verdict_add"),
        {
            "cluster": desk.open_cluster.pk,
            "rating": "mixed",
            "confidence": 40,
            "source_reliability": "C",
            "information_credibility": 3,
            "rationale": "Needs a second source.",
            "refuting_claims": [claim.pk],
        },
    )
    verdict = Verdict.objects.get(cluster=desk.open_cluster)
    assert response.status_code == 302 and response.url == change_url(verdict)
    assert verdict.author == desk.analyst and verdict.evidence.get().relation == "refutes"
    drafted = Event.objects.get(stream_id=verdict.pk)
    assert (drafted.type, drafted.metadata["actor"]) == ("VerdictDrafted", desk.analyst.username)


def test_workflow_buttons_call_the_commands_and_explain_refusals(client, desk):
    client.force_login(desk.analyst)
    page = workflow(client, desk.verdict, "submit").content.decode()
    assert "Submitted for review." in page

    client.force_login(desk.reviewer)
    verdict = Verdict.objects.get(pk=desk.verdict.pk)
    page = workflow(client, verdict, "request_changes", reason="").content.decode()
    assert "A reason is required to request changes" in page
    page = workflow(client, verdict, "approve").content.decode()
    assert "Approved." in page
    verdict.refresh_from_db()
    assert verdict.status == Verdict.Status.APPROVED and verdict.reviewer == desk.reviewer

    page = workflow(client, verdict, "publish", version=verdict.version - 1).content.decode()
    assert "Someone changed this record" in page
    verdict.refresh_from_db()
    assert verdict.status == Verdict.Status.APPROVED


def test_the_author_is_told_about_the_four_eyes_rule(client, desk):
    verdict = submit_verdict(
        verdict=desk.verdict, actor=desk.analyst, expected_version=desk.verdict.version
    )
    client.force_login(desk.analyst)  # an analyst, and the author
    page = workflow(client, verdict, "approve").content.decode()
    assert "Not allowed" in page
    verdict.refresh_from_db()
    assert verdict.status == Verdict.Status.IN_REVIEW


def test_projections_are_read_only_in_the_admin(client, desk):
    client.force_login(desk.analyst)
    for url in (
        reverse("admin:dossiers_article_change", args=[desk.article.pk]),
        reverse("admin:claims_claim_change", args=[desk.claim.pk]),
        reverse("admin:claims_claimcluster_change", args=[desk.cluster.pk]),
    ):
        assert client.post(url, {"title": "rewritten"}).status_code == 403
    add_article = client.get(reverse("admin:dossiers_article_add")).content.decode()
    assert 'id="upload-form"' in add_article  # adding an article is uploading it
    assert client.get(reverse("admin:claims_claim_delete", args=[desk.claim.pk])).status_code == 403


def test_a_viewer_sees_the_verdict_but_cannot_edit_it(client, desk):
    client.force_login(desk.viewer())
    page = client.get(change_url(desk.verdict)).content.decode()
    assert 'name="rating"' not in page and "Mostly true" in page
    assert client.post(change_url(desk.verdict), edit_form(desk.verdict)).status_code == 403


def test_history_shows_field_diffs_with_actor_and_reason(client, desk):
    client.force_login(desk.analyst)
    client.post(
        change_url(desk.verdict),
        edit_form(desk.verdict, rating="false", change_note="state media denied it"),
    )
    page = client.get(reverse("admin:claims_verdict_history", args=[desk.verdict.pk]))
    text = page.content.decode()
    assert "state media denied it" in text
    assert desk.analyst.username in text
    assert re.search(r"Rating:</strong>\s*Mostly true\s*&nbsp;&rarr;&nbsp;&nbsp;False", text)


def test_history_shows_the_evidence_each_change_cited_and_dropped(client, desk):
    first, second = desk.cluster.claims.order_by("ordinal")[:2]
    client.force_login(desk.analyst)
    client.post(change_url(desk.verdict), edit_form(desk.verdict, supporting_claims=[first.pk]))
    desk.verdict.refresh_from_db()
    client.post(
        change_url(desk.verdict),
        edit_form(desk.verdict, supporting_claims=[first.pk], refuting_claims=[second.pk]),
    )
    desk.verdict.refresh_from_db()
    client.post(change_url(desk.verdict), edit_form(desk.verdict, refuting_claims=[second.pk]))
    page = client.get(reverse("admin:claims_verdict_history", args=[desk.verdict.pk]))
    text = page.content.decode()
    cited = re.findall(r"Evidence:</strong>\s*(.*?)\s*&nbsp;&rarr;&nbsp;&nbsp;(.*?)\s*</li>", text)
    supports, refutes = f"Supports: “{first.text}”", f"Refutes: “{second.text}”"
    # newest first: supports dropped; refutes added (supports kept); supports added
    assert [(html.unescape(old), html.unescape(new)) for old, new in cited] == [
        (supports, "—"),
        ("—", refutes),
        ("—", supports),
    ]


def test_a_past_version_is_read_only_with_the_evidence_it_cited_then(client, desk):
    first = desk.cluster.claims.order_by("ordinal")[0]
    client.force_login(desk.analyst)
    client.post(change_url(desk.verdict), edit_form(desk.verdict, supporting_claims=[first.pk]))
    desk.verdict.refresh_from_db()
    client.post(change_url(desk.verdict), edit_form(desk.verdict, rating="false"))
    cited = desk.verdict.history.order_by("history_id")[1]  # the edit that cited the claim
    url = reverse("admin:claims_verdict_simple_history", args=[desk.verdict.pk, cited.history_id])
    page = client.get(url).content.decode()
    assert not re.search(r'<(input|select|textarea)[^>]*name="(rating|rationale)"', page)
    assert "Mostly true" in page and html.escape(first.text) in page
    assert client.post(url, edit_form(desk.verdict)).status_code == 405


def test_needs_review_filter_lists_flagged_verdicts_with_what_changed(client, desk):
    verdict = submit_verdict(
        verdict=desk.verdict, actor=desk.analyst, expected_version=desk.verdict.version
    )
    approve_verdict(verdict=verdict, actor=desk.reviewer, expected_version=verdict.version)
    flag_verdicts_of_cluster(
        cluster_id=desk.cluster.id, reasons=["independent origins: 3 → 1"], actor=SYSTEM
    )
    client.force_login(desk.reviewer)
    url = reverse("admin:claims_verdict_changelist")
    flagged = client.get(url, {"review": "needed"}).content.decode()
    assert str(desk.verdict.pk) in flagged
    assert "independent origins: 3 → 1" in flagged
    page = client.get(change_url(desk.verdict)).content.decode()
    assert "Needs review" in page and "independent origins: 3 → 1" in page


def test_the_article_page_highlights_the_checkworthy_claims_in_the_body(client, desk):
    client.force_login(desk.analyst)
    page = client.get(reverse("admin:dossiers_article_change", args=[desk.article.pk]))
    text = page.content.decode()
    claims = list(desk.article.claims.all())
    checkworthy = [c for c in claims if c.kind in CHECKWORTHY_KINDS]
    others = [c for c in claims if c.kind not in CHECKWORTHY_KINDS]
    assert checkworthy and others  # "13 soldiers" is a statistic, "We will respond" a prediction
    marks = re.findall(r'<mark class="claim" id="claim-(\d+)"', text)
    assert sorted(int(m) for m in marks) == sorted(c.ordinal for c in checkworthy)
    unmarked = re.findall(
        r'<span class="claim-other" id="claim-(\d+)" [^>]*data-kind="(\w+)"', text
    )
    assert sorted(unmarked) == sorted((str(c.ordinal), c.kind) for c in others)
    assert "Re-run extraction" in text
    first = checkworthy[0]
    assert f'title="{first.get_kind_display()} · Speaker: {first.speaker or "unattributed"}' in text
    assert "Kind: Prediction" in text


def test_verdict_evidence_offers_facts_and_figures_and_the_clusters_own_claims(client, desk):
    prediction = Claim.objects.filter(dossier=desk.dossier, kind=ClaimKind.PREDICTION).first()
    statistic = Claim.objects.filter(dossier=desk.dossier, kind=ClaimKind.STATISTIC).first()
    assert prediction and statistic and prediction.cluster_id == desk.cluster.id
    client.force_login(desk.analyst)
    search = reverse("admin:claims_verdict_evidence_search")

    def offered(**query) -> set[str]:
        response = client.get(search, query).json()
        assert not response["pagination"]["more"] or len(response["results"]) == 20
        return {item["id"] for item in response["results"]}

    anywhere = offered(term=statistic.text.split()[-1])
    assert str(statistic.pk) in anywhere and str(prediction.pk) not in anywhere
    # A verdict on the prediction's own cluster is offered it: the verdict is about it.
    assert str(prediction.pk) in offered(cluster=desk.cluster.pk, term=prediction.text)
    assert str(prediction.pk) not in offered(cluster=desk.open_cluster.pk, term=prediction.text)
    page = client.get(change_url(desk.verdict)).content.decode()
    picker = f"{search}?cluster={desk.cluster.pk}"
    assert f'data-ajax--url="{picker}"' in page

    # A verdict elsewhere that already cites the prediction keeps it on its edit page.
    elsewhere = draft_verdict(
        cluster=desk.open_cluster,
        actor=desk.analyst,
        rating="mixed",
        evidence=[EvidenceInput(relation=EvidenceRelation.CONTEXT, claim=prediction)],
    )
    assert prediction.cluster_id != elsewhere.cluster_id
    page = client.get(change_url(elsewhere)).content.decode()
    assert f'value="{prediction.pk}" selected' in page


def test_claims_of_an_archived_article_are_not_offered_as_evidence_unless_cited(client, desk):
    statistic = Claim.objects.filter(dossier=desk.dossier, kind=ClaimKind.STATISTIC).first()
    article = statistic.article
    client.force_login(desk.analyst)
    search = reverse("admin:claims_verdict_evidence_search")

    def offered(**query) -> set[str]:
        return {item["id"] for item in client.get(search, query).json()["results"]}

    assert str(statistic.pk) in offered(term=statistic.text)
    cited = draft_verdict(
        cluster=desk.open_cluster,
        actor=desk.analyst,
        rating="mixed",
        evidence=[EvidenceInput(relation=EvidenceRelation.CONTEXT, claim=statistic)],
    )
    correct_article_metadata(
        article=article, actor=desk.analyst, expected_version=article.version, archived=True
    )
    assert str(statistic.pk) not in offered(term=statistic.text)
    assert str(statistic.pk) not in offered(cluster=statistic.cluster_id, term=statistic.text)
    # Evidence a verdict already cites stays on its edit page.
    page = client.get(change_url(cited)).content.decode()
    assert f'value="{statistic.pk}" selected' in page


def test_the_evidence_search_stays_in_the_users_teams(client, desk, other_desk):
    client.force_login(desk.analyst)
    search = reverse("admin:claims_verdict_evidence_search")
    assert client.get(search, {"cluster": other_desk.cluster.pk}).status_code == 404
    assert client.get(search, {"cluster": "nonsense"}).status_code == 404
    theirs = {str(pk) for pk in other_desk.dossier.claims.values_list("pk", flat=True)}
    more, page, seen = True, 1, set()
    while more:
        response = client.get(search, {"page": page}).json()
        seen |= {item["id"] for item in response["results"]}
        more, page = response["pagination"]["more"], page + 1
    assert seen and not seen & theirs


def test_the_claim_list_filters_by_kind(client, desk):
    client.force_login(desk.analyst)
    url = reverse("admin:claims_claim_changelist")
    page = client.get(url, {"kind__exact": "prediction"}).content.decode()
    predictions = Claim.objects.filter(dossier=desk.dossier, kind="prediction")
    others = Claim.objects.filter(dossier=desk.dossier).exclude(kind="prediction")
    assert predictions.exists() and others.exists()
    assert all(str(c.pk) in page for c in predictions)
    assert not any(f"/{c.pk}/change/" in page for c in others)


def test_the_cluster_page_shows_counts_revisions_and_the_provenance_graph(client, desk):
    client.force_login(desk.analyst)
    page = client.get(reverse("admin:claims_claimcluster_change", args=[desk.cluster.pk]))
    text = page.content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="provenance-graph"' in text
    assert text.count('class="node article"') == desk.cluster.article_count
    assert f"<strong>{desk.cluster.independent_origin_count}</strong> independent origin" in text
    assert "Revision 1" in text


def test_the_as_of_page_shows_what_we_believed_then(client, desk):
    client.force_login(desk.analyst)
    url = reverse("admin:dossiers_dossier_as_of", args=[desk.dossier.pk])
    before = desk.verdict.created_at - timezone.timedelta(microseconds=1)
    then = client.get(url, {"when": before.isoformat()}).content.decode()
    now = client.get(url, {"when": timezone.now().isoformat()}).content.decode()
    verdict_link = change_url(desk.verdict)
    assert verdict_link not in then and verdict_link in now
    assert 'type="datetime-local"' in then


def test_the_timeline_lists_articles_by_date_and_events_by_record_time(client, desk):
    client.force_login(desk.analyst)
    page = client.get(reverse("admin:dossiers_dossier_timeline", args=[desk.dossier.pk]))
    text = page.content.decode()
    positions = [int(p) for p in re.findall(r"<td>(\d+)</td>\s*<td>[A-Z]\w+</td>", text)]
    assert positions == sorted(positions) and len(positions) >= 4
    assert "VerdictDrafted" in text and "DossierCreated" in text


def test_creating_a_dossier_in_the_admin_appends_dossier_created(client, desk):
    client.force_login(desk.analyst)
    response = client.post(
        reverse("admin:dossiers_dossier_add"),
        {"team": desk.dossier.team_id, "title": "Who shot down MH17?", "tags": "ukraine, mh17"},
    )
    assert response.status_code == 302
    event = Event.objects.filter(type="DossierCreated").order_by("position").last()
    assert event.data["title"] == "Who shot down MH17?"
    assert event.data["tags"] == ["mh17", "ukraine"]
    assert event.metadata["actor"] == desk.analyst.username


def test_the_cluster_page_says_why_each_claim_is_in_it(client, desk):
    client.force_login(desk.analyst)
    page = client.get(reverse("admin:claims_claimcluster_change", args=[desk.cluster.pk]))
    text = page.content.decode()
    assert "Why it is here" in text
    linked = [c for c in desk.cluster.claims.all() if str(c.id) in desk.cluster.member_links]
    assert len(linked) == desk.cluster.claims.count() >= 2
    scored = re.findall(r"wording (?:and meaning )?similarity \d", text)
    assert len(scored) + text.count("identical to") == len(linked)
    partner = desk.cluster.member_links[str(linked[0].id)]["partner"]
    assert f'href="#member-{partner}"' in text


def test_contradictions_are_listed_on_the_cluster_and_the_dossier_with_both_quotes(client, desk):
    from claims.models import Claim
    from tests.claims.workbench import extract_and_cluster
    from tests.factories import article_text, upload

    upload(desk.dossier, article_text(1).replace("Monday", "Wednesday"), actor=desk.analyst)
    extract_and_cluster(desk.dossier)
    monday = Claim.objects.get(dossier=desk.dossier, text__contains="on Monday that 13")
    wednesday = Claim.objects.get(dossier=desk.dossier, text__contains="on Wednesday that 13")
    client.force_login(desk.analyst)

    for url in (
        reverse("admin:claims_claimcluster_change", args=[monday.cluster_id]),
        reverse("admin:dossiers_dossier_change", args=[desk.dossier.pk]),
    ):
        text = client.get(url).content.decode()
        section = text[text.index("Contradictions (") :]
        assert re.search(r"different days: (Monday vs Wednesday|Wednesday vs Monday)", section)
        assert monday.text in section and wednesday.text in section, url
    # Four reports of one event: three counts (12, 13, 14) and one other day, each pair once.
    assert "Contradictions (6)" in text


def test_another_teams_contradictions_stay_out_of_the_dossier_page(client, desk, other_desk):
    client.force_login(other_desk.analyst)
    page = client.get(reverse("admin:dossiers_dossier_change", args=[desk.dossier.pk]))
    assert page.status_code in (302, 403, 404)


def test_the_claim_page_lists_entities_quantities_and_dates_in_words(client, desk):
    said = {
        "quantities": lambda q: f"“{q['text']}”: {q['value']:g}",
        "dates": lambda d: f"“{d['text']}” ({d['kind']}",
        "entities": lambda e: f"“{e['text']}” ({e['kind']})",
    }
    client.force_login(desk.analyst)
    for field, words in said.items():
        claim = Claim.objects.filter(dossier=desk.dossier).exclude(**{field: []}).first()
        url = reverse("admin:claims_claim_change", args=[claim.pk])
        page = client.get(url).content.decode()
        assert html.escape(words(getattr(claim, field)[0])) in page
        assert "&quot;start&quot;" not in page and '"start":' not in page
