"""In real headless Chromium (issue 17): an analyst searches across the team's dossiers,
opens a result and sees that its claim was already reviewed, with the verdict's rating.

Debian's Chromium through Playwright; nothing is downloaded. Tasks run eagerly (SQLite), so
the upload below is extracted, re-clustered and matched as the worker would.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from claims.commands import approve_verdict, draft_verdict, publish_verdict, submit_verdict
from claims.models import Claim
from dossiers.commands import create_dossier, upload_article
from tests.browser import test_workbench_e2e as e2e

chromium = e2e.chromium
seeds = e2e.seeds

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_analyst_searches_opens_a_claim_and_sees_it_already_reviewed(
    chromium, seeds, live_server
):
    dossier, cluster = seeds
    users = get_user_model().objects
    analyst, reviewer = users.get(username="analyst"), users.get(username="reviewer")
    verdict = draft_verdict(cluster=cluster, actor=analyst, rating="mostly_true", rationale="r")
    verdict = submit_verdict(verdict=verdict, actor=analyst, expected_version=verdict.version)
    verdict = approve_verdict(verdict=verdict, actor=reviewer, expected_version=verdict.version)
    publish_verdict(verdict=verdict, actor=reviewer, expected_version=verdict.version)
    restated = cluster.claims.order_by("text").first().text
    follow_up = create_dossier(team=dossier.team, title="Follow-up", actor=analyst)
    upload_article(
        dossier=follow_up,
        payload=f"Beirut, 5 December. {restated} Diplomats in the region were not surprised.",
        title="Follow-up report",
        actor=analyst,
    )
    claim = Claim.objects.filter(dossier=follow_up).exclude(reviewed_matches=[]).first()
    assert claim is not None, "the restated claim was matched to the published verdict"

    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    e2e.log_in(page, live_server.url, "analyst")
    page.goto(live_server.url + reverse("admin:dossiers_dossier_change", args=[follow_up.pk]))
    page.click("#search-dossiers")
    page.fill("#id_q", " ".join(claim.text.split()[:3]))
    page.check("#search-form input[value=claim]")
    page.click("#search-form input[type=submit]")
    page.wait_for_selector("#search-results")
    assert page.locator("#search-results mark").count() > 0
    result = page.locator(".search-hit", has_text="Follow-up").first
    result.locator("a").click()

    page.wait_for_selector(".already-reviewed")
    reviewed = page.inner_text(".already-reviewed")
    assert "Mostly true" in reviewed
    assert page.url.endswith(reverse("admin:claims_claim_change", args=[claim.pk]))
    e2e.shot(page, "already-reviewed-claim")
