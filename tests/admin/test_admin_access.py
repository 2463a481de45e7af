"""Per-team access everywhere in the admin: a foreign dossier's objects do not exist for you."""

import pytest
from django.urls import reverse

from claims.models import CHECKWORTHY_KINDS, Claim, Verdict
from eventlog.models import Event

pytestmark = pytest.mark.django_db


def object_urls(desk) -> dict[str, tuple[str, str]]:
    """(method, url) of every admin page that shows or acts on one of the desk's objects."""
    dossier, article, verdict = desk.dossier, desk.article, desk.verdict
    article_version = article.history.order_by("history_id").first().history_id
    event = Event.objects.filter(stream_id=verdict.id).first()
    membership = dossier.team.memberships.first()
    pages = {
        "dossier change": ("get", reverse("admin:dossiers_dossier_change", args=[dossier.pk])),
        "dossier history": ("get", reverse("admin:dossiers_dossier_history", args=[dossier.pk])),
        "dossier as-of": ("get", reverse("admin:dossiers_dossier_as_of", args=[dossier.pk])),
        "dossier as-of dated": (
            "get",
            reverse("admin:dossiers_dossier_as_of", args=[dossier.pk]) + "?when=2030-01-01",
        ),
        "dossier timeline": ("get", reverse("admin:dossiers_dossier_timeline", args=[dossier.pk])),
        "dossier reanalyse": (
            "post",
            reverse("admin:dossiers_dossier_reanalyse", args=[dossier.pk]),
        ),
        "article change": ("get", reverse("admin:dossiers_article_change", args=[article.pk])),
        "article history": ("get", reverse("admin:dossiers_article_history", args=[article.pk])),
        "article past version": (
            "get",
            reverse("admin:dossiers_article_simple_history", args=[article.pk, article_version]),
        ),
        "article reextract": (
            "post",
            reverse("admin:dossiers_article_reextract", args=[article.pk]),
        ),
        "claim change": ("get", reverse("admin:claims_claim_change", args=[desk.claim.pk])),
        "claim history": ("get", reverse("admin:claims_claim_history", args=[desk.claim.pk])),
        "cluster change": (
            "get",
            reverse("admin:claims_claimcluster_change", args=[desk.cluster.pk]),
        ),
        "cluster history": (
            "get",
            reverse("admin:claims_claimcluster_history", args=[desk.cluster.pk]),
        ),
        "verdict change": ("get", reverse("admin:claims_verdict_change", args=[verdict.pk])),
        "verdict history": ("get", reverse("admin:claims_verdict_history", args=[verdict.pk])),
        "verdict claimreview": (
            "get",
            reverse("admin:claims_verdict_claimreview", args=[verdict.pk]),
        ),
        "verdict submit": (
            "post",
            reverse("admin:claims_verdict_workflow", args=[verdict.pk, "submit"]),
        ),
        "event change": ("get", reverse("admin:eventlog_event_change", args=[event.pk])),
        "team change": ("get", reverse("admin:dossiers_team_change", args=[dossier.team.pk])),
        "membership change": (
            "get",
            reverse("admin:dossiers_membership_change", args=[membership.pk]),
        ),
    }
    return pages


def fetch(client, method: str, url: str):
    if method == "post":
        return client.post(url, {"version": 1, "reason": "x"})
    return client.get(url)


def test_a_member_opens_every_admin_page_of_their_own_dossier(client, desk):
    client.force_login(desk.analyst)
    for name, (method, url) in object_urls(desk).items():
        response = fetch(client, method, url)
        # 409: the draft has no ClaimReview yet, which the page says rather than hiding it
        assert response.status_code in (200, 302, 409), f"{name}: {response.status_code}"
        if method == "post":
            assert response.status_code == 302


def test_every_admin_url_of_a_foreign_dossier_is_404_or_403(client, desk, other_desk):
    client.force_login(desk.analyst)
    verdict_version = other_desk.verdict.version
    for name, (method, url) in object_urls(other_desk).items():
        response = fetch(client, method, url)
        assert response.status_code in (403, 404), f"{name} answered {response.status_code}"
    other_desk.verdict.refresh_from_db()
    assert other_desk.verdict.version == verdict_version
    assert other_desk.verdict.status == Verdict.Status.DRAFT


CHANGELISTS = [
    "dossiers_dossier",
    "dossiers_article",
    "eventlog_event",
    "dossiers_team",
    "dossiers_membership",
    "claims_claim",
    "claims_claimcluster",
    "claims_verdict",
]


@pytest.mark.parametrize("changelist", CHANGELISTS)
def test_lists_show_only_the_users_teams(client, desk, other_desk, changelist):
    client.force_login(desk.analyst)
    page = client.get(reverse(f"admin:{changelist}_changelist")).content.decode()
    assert str(other_desk.dossier.team.name) not in page or changelist == "dossiers_team"
    ours, theirs = owned_pks(desk, changelist), owned_pks(other_desk, changelist)
    assert any(pk in page for pk in ours), "the user's own rows must be listed"
    assert not any(pk in page for pk in theirs)


def owned_pks(desk, changelist: str) -> list[str]:
    dossier = desk.dossier
    if changelist == "dossiers_dossier":
        return [str(dossier.pk)]
    if changelist == "dossiers_article":
        return [str(pk) for pk in dossier.articles.values_list("pk", flat=True)]
    if changelist == "eventlog_event":
        return [
            f"/{pk}/"
            for pk in Event.objects.filter(team_id=dossier.team_id).values_list("pk", flat=True)
        ]
    if changelist == "dossiers_team":
        return [str(dossier.team_id)]
    if changelist == "dossiers_membership":
        return [
            f"/membership/{pk}/" for pk in dossier.team.memberships.values_list("pk", flat=True)
        ]
    if changelist == "claims_claim":
        return [str(pk) for pk in dossier.claims.values_list("pk", flat=True)]
    if changelist == "claims_claimcluster":
        return [str(pk) for pk in dossier.clusters.values_list("pk", flat=True)]
    return [str(desk.verdict.pk)]


def test_search_finds_nothing_of_a_foreign_dossier(client, desk, other_desk):
    client.force_login(desk.analyst)
    foreign = other_desk.dossier
    page = client.get(
        reverse("admin:dossiers_dossier_changelist"), {"q": foreign.title}
    ).content.decode()
    assert str(foreign.pk) not in page
    page = client.get(
        reverse("admin:claims_claimcluster_changelist"),
        {"q": other_desk.cluster.canonical_text[:30]},
    ).content.decode()
    assert str(other_desk.cluster.pk) not in page
    assert str(desk.cluster.pk) in page  # both teams' articles share the sample wording


def test_forms_offer_no_foreign_objects_as_choices(client, desk, other_desk):
    client.force_login(desk.analyst)
    add_verdict = client.get(reverse("admin:claims_verdict_add")).content.decode()
    assert str(desk.open_cluster.pk) in add_verdict
    assert str(other_desk.open_cluster.pk) not in add_verdict
    # The evidence pickers suggest facts and figures of the user's teams only, and for a
    # verdict on a cluster, the cluster's own claims too.
    own, foreign = (
        Claim.objects.filter(dossier=d.dossier, kind__in=CHECKWORTHY_KINDS).first()
        for d in (desk, other_desk)
    )
    search = reverse("admin:claims_verdict_evidence_search")
    for query in ({"term": own.text}, {"term": own.text, "cluster": desk.cluster.pk}):
        suggested = {item["id"] for item in client.get(search, query).json()["results"]}
        assert str(own.pk) in suggested and str(foreign.pk) not in suggested
    suggested = client.get(search, {"cluster": desk.cluster.pk, "term": desk.claim.text}).json()
    assert str(desk.claim.pk) in {item["id"] for item in suggested["results"]}

    add_dossier = client.get(reverse("admin:dossiers_dossier_add")).content.decode()
    assert str(desk.dossier.team_id) in add_dossier
    assert str(other_desk.dossier.team_id) not in add_dossier


def test_list_filters_offer_no_foreign_dossiers(client, desk, other_desk, django_user_model):
    changelists = ("dossiers_article", "claims_claimcluster", "claims_verdict")
    # A superuser sees both dossiers, so the filter shows both titles: the check below can fail.
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))
    for changelist in changelists:
        page = client.get(reverse(f"admin:{changelist}_changelist")).content.decode()
        assert f">{other_desk.dossier.title}</a>" in page
    client.force_login(desk.analyst)
    for changelist in changelists:
        page = client.get(reverse(f"admin:{changelist}_changelist")).content.decode()
        assert other_desk.dossier.title not in page


def test_posting_a_foreign_cluster_into_the_draft_form_is_refused(client, desk, other_desk):
    client.force_login(desk.analyst)
    response = client.post(
        reverse("admin:claims_verdict_add"),
        {
            "cluster": other_desk.open_cluster.pk,
            "rating": "false",
            "confidence": 60,
            "source_reliability": "B",
            "information_credibility": 2,
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Verdict.objects.filter(cluster=other_desk.open_cluster).exists()


def test_superusers_see_every_team(client, desk, other_desk, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="x")
    client.force_login(admin)
    page = client.get(reverse("admin:dossiers_dossier_changelist")).content.decode()
    assert str(desk.dossier.pk) in page and str(other_desk.dossier.pk) in page


FILTERED_LISTS = [
    ("dossiers_article", "dossier__id__exact"),
    ("claims_claim", "dossier__id__exact"),
    ("claims_claimcluster", "dossier__id__exact"),
    ("claims_verdict", "dossier__id__exact"),
    ("dossiers_membership", "team__id__exact"),
]


def filter_value(desk, param: str) -> str:
    return str(desk.dossier.team_id if param.startswith("team") else desk.dossier.pk)


@pytest.mark.parametrize(("changelist", "param"), FILTERED_LISTS)
def test_a_list_narrowed_to_a_foreign_dossier_is_404(client, desk, other_desk, changelist, param):
    client.force_login(desk.analyst)
    url = reverse(f"admin:{changelist}_changelist")
    assert client.get(url, {param: filter_value(desk, param)}).status_code == 200
    assert client.get(url, {param: filter_value(other_desk, param)}).status_code == 404
    assert client.get(url, {param: "not-an-id"}).status_code == 404
