"""The change log: the team's events in words, filtered by person, object, dossier, request
and date, each request's events grouped under it."""

import html
import re

import pytest
from django.urls import reverse

from claims.commands import add_comment, submit_verdict
from eventlog.context import current_request_id

pytestmark = pytest.mark.django_db

URL = reverse("admin:eventlog_event_changelist")


def text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def rows(client, **query) -> list[str]:
    """The text of each row of the change log."""
    page = client.get(URL, query).content.decode()
    body = page.split('id="result_list"')[1].split("</table>")[0]
    return [text(row) for row in body.split("<tr")[2:]]


def people(client, **query) -> set[str]:
    """Who did the changes listed."""
    page = client.get(URL, query).content.decode()
    return {text(cell) for cell in re.findall(r'<td class="field-who">(.*?)</td>', page)}


def test_each_change_is_said_in_words_with_its_person(client, desk):
    client.force_login(desk.reviewer)
    texts = " ".join(rows(client))
    drafted = (
        f"{desk.analyst.username} drafted “Mostly true” on “{desk.cluster.canonical_text[:20]}"
    )
    assert drafted in texts
    assert "uploaded “" in texts and "formed the cluster" in texts


def test_the_log_filters_by_person_and_by_the_system(client, desk):
    submit_verdict(verdict=desk.verdict, actor=desk.analyst, expected_version=1)
    client.force_login(desk.reviewer)
    assert people(client) >= {desk.analyst.username, "system"}
    assert people(client, actor=desk.analyst.pk) == {desk.analyst.username}
    assert any("submitted" in row for row in rows(client, actor=desk.analyst.pk))
    assert people(client, actor="system") == {"system"}


def test_an_objects_events_include_the_comments_on_it(client, desk):
    add_comment(target=desk.verdict, actor=desk.reviewer, body="Which outlet first?")
    add_comment(target=desk.cluster, actor=desk.reviewer, body="Not this one.")
    client.force_login(desk.analyst)
    found = " ".join(rows(client, object=desk.verdict.pk))
    assert "drafted" in found and "commented on the verdict on" in found
    assert "Which outlet first?" in found and "Not this one." not in found


def test_a_request_groups_its_events(client, desk):
    token = current_request_id.set("7c1d2e3f-request")
    try:
        add_comment(target=desk.verdict, actor=desk.analyst, body="One.")
        add_comment(target=desk.cluster, actor=desk.analyst, body="Two.")
    finally:
        current_request_id.reset(token)
    client.force_login(desk.analyst)
    page = client.get(URL).content.decode()
    assert page.count('class="request-start"') >= 1
    assert "7c1d2e3f · 2 changes" in page
    only = rows(client, request="7c1d2e3f-request")
    assert len(only) == 2


def test_another_teams_record_is_neither_listed_nor_named(client, desk, other_desk):
    client.force_login(desk.analyst)
    page = client.get(URL, {"object": other_desk.cluster.pk}).content.decode()
    assert other_desk.cluster.canonical_text[:30] not in html.unescape(page)
    assert 'id="result_list"' not in page  # nothing listed


def test_a_dossier_filter_lists_its_events_and_a_foreign_one_is_404(client, desk, other_desk):
    client.force_login(desk.analyst)
    assert any("drafted" in row for row in rows(client, dossier=desk.dossier.pk))
    assert client.get(URL, {"dossier": other_desk.dossier.pk}).status_code == 404
    assert client.get(URL, {"dossier": "not-a-uuid"}).status_code == 404


def test_every_event_type_of_the_domain_has_its_sentence():
    from claims.activity import PHRASES
    from claims.events import ClaimEventType
    from dossiers.events import EventType

    assert set(EventType) | set(ClaimEventType) <= PHRASES.keys()
