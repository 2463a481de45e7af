"""Archiving articles and sources from their admin lists, through the API's commands."""

import pytest
from django.urls import reverse

from claims.models import Claim
from dossiers.commands import add_source
from dossiers.models import Article, Source
from eventlog.models import Event

pytestmark = pytest.mark.django_db


def act(client, model: str, action: str, pk) -> list[str]:
    changelist = reverse(f"admin:dossiers_{model}_changelist")
    response = client.post(changelist, {"action": action, "_selected_action": [pk]}, follow=True)
    assert response.status_code == 200
    return [str(message) for message in response.context["messages"]]


def test_an_analyst_archives_and_unarchives_articles_but_not_sources(client, desk):
    client.force_login(desk.analyst)
    assert act(client, "article", "archive_selected", desk.article.pk) == ["1 article(s) archived."]
    assert Article.objects.get(pk=desk.article.pk).archived
    event = Event.objects.get(type="ArticleArchived", stream_id=desk.article.pk)
    assert event.metadata["actor"] == desk.analyst.username
    act(client, "article", "unarchive_selected", desk.article.pk)
    assert not Article.objects.get(pk=desk.article.pk).archived

    source = add_source(team=desk.dossier.team, name="Harbour Wire", actor=desk.analyst)
    (refused,) = act(client, "source", "archive_selected", source.pk)
    assert "Not allowed" in refused and "admin" in refused
    assert not Source.objects.get(pk=source.pk).archived


def test_another_teams_article_cannot_be_archived_from_the_admin(client, desk, other_desk):
    client.force_login(desk.analyst)
    act(client, "article", "archive_selected", other_desk.article.pk)
    assert not Article.objects.get(pk=other_desk.article.pk).archived


def test_the_claim_list_filters_by_the_articles_archived_state_within_the_team(
    client, desk, other_desk
):
    client.force_login(desk.analyst)
    act(client, "article", "archive_selected", desk.article.pk)
    url = reverse("admin:claims_claim_changelist")

    def shown(**params) -> set:
        response = client.get(url, params)
        assert response.status_code == 200
        return set(response.context["cl"].queryset.values_list("pk", flat=True))

    ours = set(Claim.objects.filter(dossier=desk.dossier).values_list("pk", flat=True))
    archived = set(Claim.objects.filter(article=desk.article).values_list("pk", flat=True))
    assert archived and ours - archived
    assert shown() == ours  # all by default, as the articles' list
    assert shown(article_archived="yes") == archived
    assert shown(article_archived="no") == ours - archived
    page = client.get(url).content.decode()
    assert "By article archived" in page and "?article_archived=yes" in page

    client.force_login(other_desk.analyst)
    act(client, "article", "archive_selected", other_desk.article.pk)
    theirs = set(Claim.objects.filter(article=other_desk.article).values_list("pk", flat=True))
    assert shown(article_archived="yes") == theirs
    client.force_login(desk.analyst)
    assert shown(article_archived="yes") == archived
