"""Comments on verdicts and clusters: CommentAdded events through `add_comment`, shown on the
page (sanitised Markdown) and in the dossier's timeline; only analysts and up may comment."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from claims.commands import add_comment
from claims.models import Comment
from eventlog.models import Event

pytestmark = pytest.mark.django_db


def test_a_reviewer_comments_on_a_verdict_and_the_author_reads_it(client, desk):
    client.force_login(desk.reviewer)
    url = reverse("admin:claims_verdict_comment", args=[desk.verdict.pk])
    response = client.post(url, {"body": "Is **Asharq** the first? <script>alert(1)</script>"})
    assert response.status_code == 302 and response["Location"].endswith("#comments")

    event = Event.objects.get(type="CommentAdded")
    assert event.metadata["actor"] == desk.reviewer.username
    assert event.data["verdict_id"] == str(desk.verdict.pk) and event.data["cluster_id"] is None
    client.force_login(desk.analyst)
    page = client.get(reverse("admin:claims_verdict_change", args=[desk.verdict.pk]))
    html = page.content.decode()
    section = html.split('id="comments"')[1].split("</section>")[0]
    assert "<strong>Asharq</strong>" in section and desk.reviewer.username in section
    assert "<script>" not in section and "&lt;script&gt;" not in section
    desk.verdict.refresh_from_db()
    assert desk.verdict.version == 1, "a comment never moves the verdict's version"


def test_an_analyst_comments_on_a_cluster_and_the_timeline_shows_it(client, desk):
    client.force_login(desk.analyst)
    client.post(
        reverse("admin:claims_claimcluster_comment", args=[desk.cluster.pk]),
        {"body": "Two of these are one wire copy."},
    )
    comment = Comment.objects.get()
    assert (comment.cluster, comment.verdict, comment.author) == (desk.cluster, None, desk.analyst)
    page = client.get(reverse("admin:claims_claimcluster_change", args=[desk.cluster.pk]))
    assert "Two of these are one wire copy." in page.content.decode()
    timeline = client.get(reverse("admin:dossiers_dossier_timeline", args=[desk.dossier.pk]))
    assert "CommentAdded" in timeline.content.decode()


def test_a_viewer_reads_comments_but_is_offered_no_form_and_refused(client, desk):
    add_comment(target=desk.cluster, actor=desk.analyst, body="Checked.")
    viewer = desk.viewer()
    client.force_login(viewer)
    page = client.get(reverse("admin:claims_claimcluster_change", args=[desk.cluster.pk]))
    assert "Checked." in page.content.decode() and 'id="comment-form"' not in page.content.decode()
    client.post(
        reverse("admin:claims_claimcluster_comment", args=[desk.cluster.pk]), {"body": "Me too"}
    )
    assert Comment.objects.count() == 1
    with pytest.raises(PermissionDenied):
        add_comment(target=desk.cluster, actor=viewer, body="Me too")


def test_an_empty_comment_is_refused(desk):
    with pytest.raises(ValueError, match="some text"):
        add_comment(target=desk.verdict, actor=desk.analyst, body=" \x00 ")


def test_another_teams_verdict_cannot_be_commented(client, desk, other_desk):
    client.force_login(desk.analyst)
    url = reverse("admin:claims_verdict_comment", args=[other_desk.verdict.pk])
    assert client.post(url, {"body": "Hello"}).status_code == 404
    assert not Comment.objects.exists()
