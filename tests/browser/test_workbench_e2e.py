"""End to end in real headless Chromium: an analyst drafts and submits a verdict on a seed
cluster; a reviewer approves and publishes it; History names both.

Uses Debian's system Chromium through Playwright; nothing downloads a browser. Screenshots go
to test-output/browser/.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.urls import reverse

from claims.models import CHECKWORTHY_KINDS, Verdict
from eventlog.models import Event
from tests.claims.workbench import hundred_officials_cluster, seed_dossier

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "browser"
PASSWORDS = {"analyst": "analyst-e2e-password", "reviewer": "reviewer-e2e-password"}


@pytest.fixture
def chromium(monkeypatch):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    # Playwright's sync API keeps an event loop on this thread; the ORM calls made between
    # browser steps are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield browser
        browser.close()


@pytest.fixture
def seeds(monkeypatch):
    monkeypatch.setenv("DEMO_ANALYST_PASSWORD", PASSWORDS["analyst"])
    monkeypatch.setenv("DEMO_REVIEWER_PASSWORD", PASSWORDS["reviewer"])
    dossier = seed_dossier()
    return dossier, hundred_officials_cluster(dossier)


def log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}{reverse('admin:login')}?next={reverse('admin:index')}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORDS[username])
    page.click("input[type=submit]")
    page.wait_for_selector("#user-tools")
    assert username in page.inner_text("#user-tools").lower()


def log_out(page) -> None:
    page.click("#logout-form button")
    page.wait_for_selector("text=Logged out")


def pick_evidence(page, field: str, words: str) -> int:
    """Choose the first claim the evidence picker (select2) suggests for `words`; return how
    many it suggested."""
    page.click(f".field-{field} .select2-selection")
    page.keyboard.type(words)
    page.locator(".select2-results__option--highlighted").wait_for()
    suggested = page.locator(".select2-results__option").count()
    page.keyboard.press("Enter")
    return suggested


def shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_analyst_drafts_and_submits_reviewer_approves_and_publishes(chromium, seeds, live_server):
    dossier, cluster = seeds
    article = cluster.claims.select_related("article").first().article
    base = live_server.url
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})

    # Analyst: the seed article with its facts and figures highlighted in place.
    log_in(page, base, "analyst")
    page.goto(base + reverse("admin:dossiers_article_change", args=[article.pk]))
    marks = page.locator("#article-body mark.claim")
    assert marks.count() == article.claims.filter(kind__in=CHECKWORTHY_KINDS).count() > 0
    claim_in_cluster = cluster.claims.filter(article=article, kind__in=CHECKWORTHY_KINDS).first()
    mark = page.locator(f'mark.claim[data-claim="{claim_in_cluster.pk}"]')
    mark.hover()
    assert "Speaker:" in mark.get_attribute("title")
    assert "Cluster:" in mark.get_attribute("title")
    shot(page, "01-analyst-article-claims-highlighted")

    # The cluster: provenance graph, then draft a verdict on it.
    page.click(f"#side-claim-{claim_in_cluster.ordinal} .meta a")
    page.wait_for_selector("svg.provenance-graph")
    assert "100" in page.inner_text("h2")
    shot(page, "02-analyst-cluster-provenance")
    page.click("#draft-verdict")
    page.wait_for_selector("#id_rating")
    assert page.input_value("#id_cluster") == str(cluster.pk)
    page.select_option("#id_rating", "unproven")
    page.fill("#id_confidence", "65")
    page.select_option("#id_source_reliability", "C")
    page.select_option("#id_information_credibility", "3")
    page.fill(
        "#id_rationale",
        "All reports trace back to **Asharq Al-Awsat**; Moscow has not confirmed the departures.",
    )
    pick_evidence(page, "context_claims", "100 senior Russian officials")
    page.click("input[name=_save]")
    page.wait_for_selector("#verdict-status")
    assert page.inner_text("#verdict-status") == "Draft"
    shot(page, "03-analyst-verdict-drafted")
    page.click("input[name=submit_for_review]")
    page.wait_for_selector("text=Submitted for review.")
    assert page.inner_text("#verdict-status") == "In review"
    shot(page, "04-analyst-submitted")
    verdict = Verdict.objects.get(cluster=cluster)
    log_out(page)

    # Reviewer: approve, then publish.
    log_in(page, base, "reviewer")
    page.goto(base + reverse("admin:claims_verdict_change", args=[verdict.pk]))
    page.click("input[name=approve]")
    page.wait_for_selector("text=Approved.")
    assert page.inner_text("#verdict-status") == "Approved"
    page.click("input[name=publish]")
    page.wait_for_selector("text=Published.")
    assert page.inner_text("#verdict-status") == "Published"
    assert page.locator("#claimreview-link").is_visible()
    shot(page, "05-reviewer-published")

    # History names both people, with the reasons.
    page.click("a.historylink")
    page.wait_for_selector("#change-history")
    history = page.inner_text("#change-history")
    assert "analyst" in history and "reviewer" in history
    assert "submitted for review" in history and "published" in history
    shot(page, "06-history-both-actors")

    verdict.refresh_from_db()
    assert verdict.status == Verdict.Status.PUBLISHED
    assert (verdict.author.username, verdict.reviewer.username) == ("analyst", "reviewer")
    actors = list(
        Event.objects.filter(stream_id=verdict.pk)
        .order_by("position")
        .values_list("type", "metadata__actor")
    )
    assert actors == [
        ("VerdictDrafted", "analyst"),
        ("VerdictSubmitted", "analyst"),
        ("VerdictApproved", "reviewer"),
        ("VerdictPublished", "reviewer"),
    ]
