"""The review loop in the admin: no preset rating, actions only for those allowed, the
rationale as sanitised HTML, the queues, and the reviewer's reason on the verdict page."""

import pytest
from django.urls import reverse

from claims.commands import edit_verdict, request_changes, submit_verdict
from claims.models import Verdict

pytestmark = pytest.mark.django_db


def change_url(verdict) -> str:
    return reverse("admin:claims_verdict_change", args=[verdict.pk])


def queue(client, name: str) -> str:
    return client.get(reverse("admin:claims_verdict_changelist"), {"queue": name}).content.decode()


def submitted(desk) -> Verdict:
    return submit_verdict(
        verdict=desk.verdict, actor=desk.analyst, expected_version=desk.verdict.version
    )


def test_a_new_verdict_has_no_rating_until_the_analyst_chooses_one(client, desk):
    client.force_login(desk.analyst)
    page = client.get(reverse("admin:claims_verdict_add")).content.decode()
    rating_select = page.split('name="rating"')[1].split("</select>")[0]
    assert "selected" in rating_select.split("</option>")[0]  # the blank choice
    response = client.post(
        reverse("admin:claims_verdict_add"),
        {
            "cluster": desk.open_cluster.pk,
            "confidence": 50,
            "source_reliability": "F",
            "information_credibility": 6,
        },
    )
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    assert not Verdict.objects.filter(cluster=desk.open_cluster).exists()


def test_the_author_is_not_offered_approve_and_the_reviewer_is(client, desk):
    verdict = submitted(desk)
    desk.dossier.team.memberships.filter(user=desk.analyst).update(role="reviewer")
    client.force_login(desk.analyst)  # a reviewer too now, but the author
    page = client.get(change_url(verdict)).content.decode()
    assert 'name="approve"' not in page and 'id="four-eyes"' in page
    client.force_login(desk.reviewer)
    assert 'name="approve"' in client.get(change_url(verdict)).content.decode()
    client.force_login(desk.viewer())
    page = client.get(change_url(verdict)).content.decode()
    assert 'name="approve"' not in page and 'name="request_changes"' not in page


def test_the_rationale_is_rendered_markdown_never_escaped_tags_or_scripts(client, desk):
    verdict = edit_verdict(
        verdict=desk.verdict,
        actor=desk.analyst,
        expected_version=desk.verdict.version,
        rating=desk.verdict.rating,
        confidence=desk.verdict.confidence,
        source_reliability=desk.verdict.source_reliability,
        information_credibility=desk.verdict.information_credibility,
        rationale="All three reports **trace back** to one wire.\n\n<script>alert(1)</script>",
    )
    verdict = submit_verdict(verdict=verdict, actor=desk.analyst, expected_version=verdict.version)
    client.force_login(desk.reviewer)  # read-only view
    page = client.get(change_url(verdict)).content.decode()
    assert "<strong>trace back</strong>" in page
    assert "&lt;p&gt;" not in page and "<script>alert(1)" not in page


def test_queues_awaiting_my_review_my_drafts_changes_requested(client, desk):
    verdict = submitted(desk)
    client.force_login(desk.reviewer)
    assert change_url(verdict) in queue(client, "awaiting_me")
    assert change_url(verdict) not in queue(client, "my_drafts")
    client.force_login(desk.analyst)
    assert change_url(verdict) not in queue(client, "awaiting_me")  # the author's own
    request_changes(
        verdict=verdict, actor=desk.reviewer, expected_version=verdict.version, reason="Cite it."
    )
    assert change_url(verdict) in queue(client, "my_drafts")
    assert change_url(verdict) in queue(client, "changes_requested")
    assert change_url(verdict) not in queue(client, "flagged")


def test_the_author_reads_the_reviewers_reason_on_the_verdict_page(client, desk):
    verdict = submitted(desk)
    request_changes(
        verdict=verdict,
        actor=desk.reviewer,
        expected_version=verdict.version,
        reason="Name the wire agency in the rationale.",
    )
    client.force_login(desk.analyst)
    page = client.get(change_url(verdict)).content.decode()
    notes = page.split('id="review-notes"')[1]
    assert "Name the wire agency in the rationale." in notes
    assert desk.reviewer.username in notes and "requested changes" in notes
