"""Issue #15's admin bugs: bad dates, dead links, cut diffs, raw codes, the wrong name."""

import re
from datetime import UTC, datetime, time

import pytest
from django.urls import reverse

from claims.admin_views import parse_moment
from claims.commands import edit_verdict
from eventlog.models import Event

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("when", ["2026-13-45", "2026-02-30T10:00", "2026-12-06T25:00", "soon"])
def test_an_impossible_date_on_the_as_of_page_is_a_form_error(client, desk, when):
    client.force_login(desk.analyst)
    url = reverse("admin:dossiers_dossier_as_of", args=[desk.dossier.pk])
    response = client.get(url, {"when": when})
    assert response.status_code == 200
    assert 'class="errornote"' in response.content.decode()


def test_a_date_alone_means_the_end_of_that_day():
    assert parse_moment("2026-12-06") == datetime.combine(
        datetime(2026, 12, 6).date(), time.max, tzinfo=UTC
    )
    assert parse_moment("2026-12-06T10:30") == datetime(2026, 12, 6, 10, 30, tzinfo=UTC)


def test_an_event_page_offers_no_history_button_that_would_refuse(client, desk):
    client.force_login(desk.analyst)
    event = Event.objects.filter(stream_id=desk.verdict.id).first()
    page = client.get(reverse("admin:eventlog_event_change", args=[event.pk])).content.decode()
    assert reverse("admin:eventlog_event_history", args=[event.pk]) not in page


def test_changed_by_links_to_the_user_only_for_those_who_may_open_it(client, desk, admin_user):
    url = reverse("admin:claims_verdict_history", args=[desk.verdict.pk])
    user_page = reverse("admin:auth_user_change", args=[desk.analyst.pk])
    client.force_login(desk.analyst)
    page = client.get(url).content.decode()
    assert desk.analyst.username in page and user_page not in page
    client.force_login(admin_user)
    assert user_page in client.get(url).content.decode()


def test_history_shows_whole_values_and_rating_labels(client, desk):
    rationale = "All three reports trace back to one wire story. " * 4 + "End of sources."
    edit_verdict(
        verdict=desk.verdict,
        actor=desk.analyst,
        expected_version=desk.verdict.version,
        rating="false",
        confidence=desk.verdict.confidence,
        source_reliability=desk.verdict.source_reliability,
        information_credibility=desk.verdict.information_credibility,
        rationale=rationale,
        reason="traced",
    )
    client.force_login(desk.analyst)
    page = client.get(reverse("admin:claims_verdict_history", args=[desk.verdict.pk]))
    text = page.content.decode()
    assert rationale.strip() in text and "chars]" not in text
    assert "Mostly true" in text and "mostly_true" not in text


def test_the_admin_is_branded_claimdesk_and_view_site_goes_to_published_reviews(client, desk):
    client.force_login(desk.analyst)
    page = client.get(reverse("admin:index")).content.decode()
    assert "Django administration" not in page and "<title>" in page
    assert "Claimdesk" in page.split("<title>")[1].split("</title>")[0]
    assert f'href="{reverse("public_reviews")}"' in page
    assert client.get(reverse("public_reviews")).status_code == 200


def test_each_timeline_event_opens_the_as_of_view_just_after_it(client, desk):
    client.force_login(desk.analyst)
    page = client.get(reverse("admin:dossiers_dossier_timeline", args=[desk.dossier.pk]))
    as_of = reverse("admin:dossiers_dossier_as_of", args=[desk.dossier.pk])
    links = re.findall(
        rf'href="{as_of}\?when=([0-9T:-]+)" class="as-of-link"', page.content.decode()
    )
    assert links
    drafted = Event.objects.get(stream_id=desk.verdict.pk, type="VerdictDrafted")
    after = client.get(as_of, {"when": max(links)}).content.decode()
    assert parse_moment(max(links)) > drafted.recorded_at
    assert reverse("admin:claims_verdict_change", args=[desk.verdict.pk]) in after
