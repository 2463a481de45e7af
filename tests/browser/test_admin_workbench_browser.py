"""In real headless Chromium: upload from the admin and watch extraction finish; a reviewer
requests changes and the author reads the reason; a team admin adds a member. The dossier
page and a cluster are screenshotted for the analyst guide (into docs/ with
UPDATE_DOC_SCREENSHOTS=1).

Debian's Chromium through Playwright; nothing is downloaded. Tasks run eagerly (SQLite).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from claims.commands import draft_verdict, submit_verdict
from claims.models import Verdict
from dossiers.commands import add_member
from dossiers.demo import staff_group
from dossiers.models import Article, Membership, Role
from tests.browser import test_workbench_e2e as e2e

# the end-to-end module's fixtures and helpers, shared
chromium = e2e.chromium
seeds = e2e.seeds
PASSWORDS, log_in, log_out, shot = e2e.PASSWORDS, e2e.log_in, e2e.log_out, e2e.shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The analyst guide's screenshots are refreshed only when asked (UPDATE_DOC_SCREENSHOTS=1),
# so a test run does not rewrite files under docs/.
DOCS = (
    Path(__file__).resolve().parents[2] / "docs"
    if os.environ.get("UPDATE_DOC_SCREENSHOTS") == "1"
    else e2e.SCREENSHOTS
)
ARTICLE = (
    "Damascus, 4 December. Russia will keep its air base at Hmeimim, the Kremlin said on "
    "Thursday, according to the state news agency TASS. Officials said 2,000 personnel "
    "remained at the base."
)


def new_page(browser):
    return browser.new_page(viewport={"width": 1400, "height": 1000})


def test_an_analyst_uploads_from_the_admin_and_sees_extraction_finish(chromium, seeds, live_server):
    dossier, cluster = seeds
    page = new_page(chromium)
    log_in(page, live_server.url, "analyst")
    page.goto(live_server.url + reverse("admin:dossiers_dossier_change", args=[dossier.pk]))
    page.screenshot(path=str(DOCS / "dossier-board.png"), full_page=False)
    page.click("#upload-to-dossier")
    page.wait_for_selector("#upload-form")
    page.fill("#id_text", ARTICLE)
    page.fill("#id_title", "Russia keeps Hmeimim")
    page.fill("#id_outlet", "Example Wire")
    page.fill("#id_author", "A. Reporter")
    page.fill("#id_published", "2026-12-04")
    page.click("#upload-form input[type=submit]")
    page.wait_for_selector("text=Uploaded 1 article(s)")
    row = page.locator("#result_list tr", has_text="Russia keeps Hmeimim")
    row.locator(".article-status.status-done").wait_for(timeout=60_000)
    article = Article.objects.get(title="Russia keeps Hmeimim")
    assert article.status == Article.Status.DONE and article.claims.exists()
    assert article.source.name == "Example Wire"
    shot(page, "admin-upload-done")

    page.goto(live_server.url + reverse("admin:claims_claimcluster_change", args=[cluster.pk]))
    page.wait_for_selector("#member-claims")
    # History sits below the workbench content, not over its last table's last row
    last_bottom, history_top = page.evaluate(
        """() => [
          document.querySelector("#content-main").previousElementSibling
            .getBoundingClientRect().bottom,
          document.querySelector("#content-main > ul.object-tools").getBoundingClientRect().top,
        ]"""
    )
    assert history_top >= last_bottom
    page.screenshot(path=str(DOCS / "cluster.png"), full_page=False)


def test_the_author_reads_the_reviewers_reason_on_the_verdict_page(chromium, seeds, live_server):
    dossier, cluster = seeds
    team = dossier.team
    analyst = Membership.objects.get(team=team, role=Role.ANALYST).user
    verdict = draft_verdict(cluster=cluster, actor=analyst, rating="mostly_false", rationale="x")
    verdict = submit_verdict(verdict=verdict, actor=analyst, expected_version=verdict.version)
    url = live_server.url + reverse("admin:claims_verdict_change", args=[verdict.pk])
    page = new_page(chromium)

    log_in(page, live_server.url, "reviewer")
    page.goto(live_server.url + reverse("admin:claims_verdict_changelist") + "?queue=awaiting_me")
    page.click(f'#result_list a[href*="{verdict.pk}"]')
    page.fill("textarea[name=reason]", "Say which outlet first reported the withdrawal.")
    page.click("input[name=request_changes]")
    page.wait_for_selector("text=Sent back to the author.")
    log_out(page)

    log_in(page, live_server.url, "analyst")
    page.goto(url)
    notes = page.locator("#review-notes")
    assert "Say which outlet first reported the withdrawal." in notes.inner_text()
    assert "reviewer" in notes.inner_text()
    assert page.locator("input[name=approve]").count() == 0  # the author is never offered it
    shot(page, "admin-changes-requested")


def test_a_team_admin_adds_a_member(chromium, seeds, live_server):
    dossier, _ = seeds
    team = dossier.team
    users = get_user_model().objects
    lead = users.create_user(username="lead", password="lead-e2e-password", is_staff=True)
    lead.groups.add(staff_group())
    add_member(team=team, user=lead, role=Role.ADMIN)
    newcomer = users.create_user(username="newcomer", password="n", is_staff=True)
    PASSWORDS.setdefault("lead", "lead-e2e-password")

    page = new_page(chromium)
    log_in(page, live_server.url, "lead")
    page.goto(live_server.url + reverse("admin:dossiers_membership_changelist"))
    page.click(".object-tools a.addlink")
    page.select_option("#id_team", str(team.pk))
    page.fill("#id_username", "newcomer")
    page.select_option("#id_role", "reviewer")
    page.click("input[name=_save]")
    page.wait_for_selector("#result_list")
    assert "newcomer" in page.inner_text("#result_list")
    assert Membership.objects.get(team=team, user=newcomer).role == Role.REVIEWER
    shot(page, "admin-member-added")


def test_the_evidence_picker_finds_claims_by_words(chromium, seeds, live_server):
    _, cluster = seeds
    page = new_page(chromium)
    log_in(page, live_server.url, "analyst")
    page.goto(live_server.url + reverse("admin:claims_verdict_add") + f"?cluster={cluster.pk}")
    assert page.locator("#id_supporting_claims option").count() == 0  # nothing sent ahead
    suggested = e2e.pick_evidence(page, "supporting_claims", "asharq officials")
    assert 0 < suggested < cluster.dossier.claims.count()
    page.select_option("#id_rating", "unproven")
    page.click("input[name=_save]")
    page.wait_for_selector("#verdict-status")
    verdict = Verdict.objects.get(cluster=cluster)
    (evidence,) = verdict.evidence.all()
    assert evidence.relation == "supports" and "officials" in evidence.quote.lower()
