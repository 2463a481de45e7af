"""In real headless Chromium: the dossier page answers its question over time (issue 18).

The chart renders (server-side SVG, no script), a dot opens the as-of view of the dossier,
and the summary counts the three seed reports echoing Asharq Al-Awsat as one origin. The
first screenshot is the one in docs/ANALYST_GUIDE.md (copied to docs/question-answer.png).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.browser.test_workbench_e2e import PASSWORDS, chromium, log_in, shot  # noqa: F401
from tests.claims.workbench import seed_dossier

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def dossier(monkeypatch):
    monkeypatch.setenv("DEMO_ANALYST_PASSWORD", PASSWORDS["analyst"])
    monkeypatch.setenv("DEMO_REVIEWER_PASSWORD", PASSWORDS["reviewer"])
    return seed_dossier()


def test_the_answer_chart_renders_and_a_point_opens_the_as_of_view(
    chromium,  # noqa: F811
    dossier,
    live_server,
):
    base = live_server.url
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    log_in(page, base, "analyst")
    page.goto(base + reverse("admin:dossiers_dossier_change", args=[dossier.pk]))

    page.wait_for_selector("svg#answer-chart")
    summary = page.inner_text("#answer-summary")
    assert summary.startswith("Supported by 3 articles from 1 independent origin (2015)")
    assert "disputed by" in summary
    points = page.locator("svg#answer-chart a.answer-point")
    assert points.count() >= 3
    labels = {points.nth(i).get_attribute("data-label") for i in range(points.count())}
    assert {"agree", "disagree"} <= labels
    circle = page.locator('svg#answer-chart a.answer-point[data-label="agree"] circle').first
    box = circle.bounding_box()
    assert box and box["width"] > 5 and box["height"] > 5  # drawn, not just in the markup
    page.locator("#question").scroll_into_view_if_needed()
    page.locator("#question").screenshot(path=str(_shots() / "10-question-answer.png"))

    with page.expect_navigation():
        circle.click()
    assert "/as-of/" in page.url and "when=" in page.url
    page.wait_for_selector("#as-of-articles")
    assert "Russia has withdrawn its support" in page.inner_text("#as-of-claim-form")
    stances = page.locator("#as-of-articles td.stance-then").all_inner_texts()
    assert stances.count("Agree") == 3
    shot(page, "11-question-as-of")


def _shots():
    from tests.browser.test_workbench_e2e import SCREENSHOTS

    return SCREENSHOTS
