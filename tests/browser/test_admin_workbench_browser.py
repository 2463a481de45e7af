"""In real headless Chromium, the admin workbench's must-shows: upload from the admin and
watch extraction finish; find the top cluster from the board; a reviewer requests changes and
the author reads the reason and the reviewer's comment; a reviewer approves from the review queue; an analyst reads a
diff in History; the change log filtered by person; a team admin adds a member. The board,
a cluster, the review queue and the change log are screenshotted for the analyst guide (into
docs/ with UPDATE_DOC_SCREENSHOTS=1).

Debian's Chromium through Playwright; nothing is downloaded. Tasks run eagerly (SQLite).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from claims.commands import EvidenceInput, add_comment, draft_verdict, submit_verdict
from claims.models import EvidenceRelation, Verdict
from claims.selectors import BoardFilter, dossier_board
from dossiers.commands import add_member
from dossiers.demo import staff_group
from dossiers.models import Article, Membership, Role
from eventlog.context import SYSTEM
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
SCREENSHOT_TOP = {"x": 0, "y": 0, "width": 1700, "height": 700}
ARTICLE = (
    "Damascus, 4 December. Russia will keep its air base at Hmeimim, the Kremlin said on "
    "Thursday, according to the state news agency TASS. Officials said 2,000 personnel "
    "remained at the base."
)


def new_page(browser, width: int = 1400):
    return browser.new_page(viewport={"width": width, "height": 1000})


def test_an_analyst_uploads_from_the_admin_and_sees_extraction_finish(chromium, seeds, live_server):
    dossier, cluster = seeds
    page = new_page(chromium)
    log_in(page, live_server.url, "analyst")
    page.goto(live_server.url + reverse("admin:dossiers_dossier_change", args=[dossier.pk]))
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


def people(dossier):
    team = dossier.team
    return (
        Membership.objects.get(team=team, role=Role.ANALYST).user,
        Membership.objects.get(team=team, role=Role.REVIEWER).user,
    )


def submitted(cluster, analyst, rating: str) -> Verdict:
    verdict = draft_verdict(cluster=cluster, actor=analyst, rating=rating, rationale="Checked.")
    return submit_verdict(verdict=verdict, actor=analyst, expected_version=verdict.version)


def test_an_analyst_finds_the_top_cluster_from_the_board(chromium, seeds, live_server):
    dossier, cluster = seeds
    analyst, _ = people(dossier)
    submitted(cluster, analyst, "mostly_false")  # some work for the board's recent activity
    add_comment(target=cluster, actor=analyst, body="Three reports, one origin.")
    top = dossier_board(dossier, BoardFilter(verdict="none", shared=True)).top_clusters[0]
    page = new_page(chromium)
    log_in(page, live_server.url, "analyst")
    page.goto(live_server.url + reverse("admin:dossiers_dossier_change", args=[dossier.pk]))
    activity = page.inner_text("#recent-activity")
    assert "analyst drafted “Mostly false” on “" in activity
    assert "analyst commented on the cluster “" in activity
    page.locator("#dossier-board").screenshot(path=str(DOCS / "dossier-board.png"))

    page.select_option("#id_board-verdict", "none")
    page.check("#id_board-shared")
    with page.expect_navigation():
        page.click("#board-filters input[type=submit]")
    assert "match" in page.inner_text("#board-filters")
    page.click("#top-clusters tbody tr:first-child td:first-child a")
    page.wait_for_selector("#member-claims")
    assert page.url.endswith(f"/claimcluster/{top.cluster.pk}/change/")
    assert top.cluster.canonical_text in page.inner_text("#content")
    shot(page, "admin-board-top-cluster")


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
    page.fill("#comment-form textarea[name=body]", "Asharq Al-Awsat, I think: **check** it.")
    page.click("#comment-form input[name=add_comment]")
    page.wait_for_selector("text=Comment added.")
    log_out(page)

    log_in(page, live_server.url, "analyst")
    page.goto(url)
    notes = page.locator("#review-notes")
    assert "Say which outlet first reported the withdrawal." in notes.inner_text()
    assert "reviewer" in notes.inner_text()
    comments = page.locator("#comments")
    assert "reviewer" in comments.inner_text()
    assert comments.locator("strong", has_text="check").count() == 1  # Markdown, sanitised
    assert page.locator("input[name=approve]").count() == 0  # the author is never offered it
    shot(page, "admin-changes-requested")


def test_a_reviewer_approves_from_the_review_queue(chromium, seeds, live_server):
    dossier, cluster = seeds
    analyst, _ = people(dossier)
    verdict = submitted(cluster, analyst, "mostly_false")
    other = dossier_board(dossier, BoardFilter(verdict="none")).top_clusters[0].cluster
    submitted(other, analyst, "unproven")
    queue = live_server.url + reverse("admin:claims_verdict_changelist") + "?queue=awaiting_me"
    page = new_page(chromium, width=1700)
    log_in(page, live_server.url, "reviewer")
    page.goto(queue)
    assert page.locator("#result_list tbody tr").count() == 2
    page.click("#toggle-nav-sidebar")  # room for the list's every column
    page.screenshot(path=str(DOCS / "review-queue.png"), clip=SCREENSHOT_TOP)

    page.click(f'#result_list a[href*="{verdict.pk}"]')
    page.click("input[name=approve]")
    page.wait_for_selector("text=Approved.")
    assert page.inner_text("#verdict-status") == "Approved"
    page.goto(queue)
    assert page.locator(f'#result_list a[href*="{verdict.pk}"]').count() == 0
    assert page.locator("#result_list tbody tr").count() == 1
    verdict.refresh_from_db()
    assert (verdict.status, verdict.reviewer.username) == (Verdict.Status.APPROVED, "reviewer")


def test_an_analyst_reads_a_diff_in_history(chromium, seeds, live_server):
    dossier, cluster = seeds
    analyst, _ = people(dossier)
    cited = cluster.claims.order_by("ordinal").first()
    verdict = draft_verdict(
        cluster=cluster,
        actor=analyst,
        rating="mostly_false",
        rationale="Only one origin.",
        evidence=[EvidenceInput(relation=EvidenceRelation.SUPPORTS, claim=cited)],
    )
    page = new_page(chromium)
    log_in(page, live_server.url, "analyst")
    page.goto(live_server.url + reverse("admin:claims_verdict_change", args=[verdict.pk]))
    page.select_option("#id_rating", "false")
    e2e.pick_evidence(page, "refuting_claims", "Moscow")
    page.fill("#id_change_note", "Moscow denied it")
    page.click("input[name=_save]")
    page.wait_for_selector("text=Saved")

    page.click("a.historylink")
    page.wait_for_selector("#change-history")
    newest = page.locator("#change-history tbody tr").first
    changes = newest.inner_text()
    assert "Rating: Mostly false → False" in " ".join(changes.split())
    assert "Evidence: — → Refutes: “" in " ".join(changes.split())
    assert "Moscow denied it" in changes and "analyst" in changes
    shot(page, "admin-history-diff")

    page.locator("#change-history tbody tr").last.locator("td a").first.click()
    page.wait_for_selector("#content-main")
    assert page.locator("select[name=rating], textarea[name=rationale]").count() == 0
    assert "Mostly false" in page.inner_text("#content-main")
    assert cited.text[:40] in page.inner_text("#content-main")


def test_the_change_log_filtered_by_person(chromium, seeds, live_server):
    dossier, cluster = seeds
    analyst, reviewer = people(dossier)
    verdict = submitted(cluster, analyst, "mostly_false")
    add_comment(target=verdict, actor=reviewer, body="Which outlet reported it first?")
    page = new_page(chromium, width=1700)
    log_in(page, live_server.url, "analyst")
    page.goto(live_server.url + reverse("admin:dossiers_dossier_change", args=[dossier.pk]))
    page.fill("input[name=reason]", "new extractor")
    page.click("text=Re-analyse every article")
    page.wait_for_selector("text=Re-analysis queued")

    page.goto(live_server.url + reverse("admin:eventlog_event_changelist"))
    assert {"analyst", "reviewer", "system"} <= set(
        page.locator("#result_list td.field-who").all_inner_texts()
    )
    page.locator("#changelist-filter a", has_text="analyst").first.click()
    page.wait_for_selector("#result_list")
    assert "actor=" in page.url
    who = page.locator("#result_list td.field-who").all_inner_texts()
    assert who and set(who) == {"analyst"}
    log = page.inner_text("#result_list")
    assert "asked for “" in log and "to be extracted again" in log
    assert "submitted “Mostly false” on “" in log and "changes" in log  # a request's group
    page.click("#toggle-nav-sidebar")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(DOCS / "change-log.png"), clip=SCREENSHOT_TOP)


def test_a_team_admin_adds_a_member(chromium, seeds, live_server):
    dossier, _ = seeds
    team = dossier.team
    users = get_user_model().objects
    lead = users.create_user(username="lead", password="lead-e2e-password", is_staff=True)
    lead.groups.add(staff_group())
    add_member(team=team, user=lead, role=Role.ADMIN, actor=SYSTEM)
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
