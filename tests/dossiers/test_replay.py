import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import ProtectedError

from claims.commands import EvidenceInput, add_comment, draft_verdict
from claims.models import Claim, ClaimCluster, EvidenceRelation, Verdict
from claims.reclustering import recluster_dossier
from dossiers.commands import correct_question_stance, set_claim_form
from dossiers.models import Article, Role
from eventlog.context import SYSTEM
from eventlog.models import Event
from tests.factories import DossierFactory, article_text, member, upload

pytestmark = pytest.mark.django_db(transaction=True)


def projection_snapshot() -> dict[str, list]:
    """Every row of every read model and history table, minus surrogate history ids."""
    snapshot = {}
    for label in ("dossiers", "claims"):
        for model in apps.get_app_config(label).get_models():
            if model is Event:
                continue
            rows = [
                {k: v for k, v in row.items() if k != "history_id"}
                for row in model.objects.values()
            ]
            snapshot[model._meta.label] = sorted(rows, key=repr)
    return snapshot


def build_dossier():
    dossier = DossierFactory()
    analyst = member(dossier.team, Role.ANALYST)
    member(dossier.team, Role.REVIEWER)
    for n in range(3):
        upload(dossier, article_text(n), actor=analyst)
    upload(dossier, article_text(0).replace("Monday", "Tuesday"), actor=analyst)
    recluster_dossier(dossier=dossier, actor=SYSTEM)
    # The question's claim form, stances scored on extraction and again on a new form, and
    # an analyst's correction (issue 18).
    dossier.refresh_from_db()
    dossier = set_claim_form(
        dossier=dossier, claim_form="The ministry has reported soldiers killed", actor=analyst
    )
    correct_question_stance(
        article=dossier.articles.order_by("uploaded_at").first(), label="disagree", actor=analyst
    )
    cluster = ClaimCluster.objects.filter(dossier=dossier).order_by("-article_count").first()
    claim = cluster.claims.first()
    verdict = draft_verdict(
        cluster=cluster,
        actor=analyst,
        rating="mostly_true",
        confidence=70,
        rationale="Two outlets agree.",
        evidence=[EvidenceInput(relation=EvidenceRelation.SUPPORTS, claim=claim)],
    )
    add_comment(target=verdict, actor=analyst, body="Which outlet was **first**?")
    add_comment(target=cluster, actor=analyst, body="Same figure in both reports.")
    return dossier


def test_replaying_the_log_rebuilds_every_projection_exactly():
    build_dossier()
    assert Article.objects.filter(status="done").count() == 4
    assert Claim.objects.exists() and Verdict.objects.exists()
    before = projection_snapshot()
    assert all(before[label] for label in ("dossiers.Article", "claims.Claim", "claims.Verdict"))
    # Link evidence and contradictions (Monday vs Tuesday) are rebuilt from the log too.
    assert ClaimCluster.objects.exclude(contradictions=[]).exists()
    assert ClaimCluster.objects.exclude(member_links={}).exists()
    assert Article.objects.filter(question_stance_corrected=True).count() == 1
    assert Article.objects.exclude(question_stance_sentences=[]).exists()
    assert before["claims.Comment"] and before["claims.HistoricalComment"]

    call_command("replay_events")

    assert projection_snapshot() == before


def test_a_user_in_the_log_is_not_deleted_and_once_deactivated_still_replays():
    """Deleting a user used to rewrite read models outside the log (memberships deleted,
    creators and uploaders nulled), after which replay failed on a foreign key."""
    dossier = build_dossier()
    analyst = dossier.team.memberships.get(role=Role.ANALYST).user
    with pytest.raises(ProtectedError):
        analyst.delete()
    analyst.is_active = False
    analyst.save()
    before = projection_snapshot()

    call_command("replay_events")

    assert projection_snapshot() == before


def test_replay_after_wiping_by_hand_restores_the_rows():
    build_dossier()
    before = projection_snapshot()
    from eventlog.rebuild import replay_all

    replay_all()
    replay_all()  # twice in a row gives the same state: projections are deterministic
    assert projection_snapshot() == before


def test_replay_rebuilds_re_extraction_failures_sources_and_role_changes():
    """The events the other replay tests do not make: a re-extraction that retires claims
    (evidence keeps its quote, loses its claim), dissolved clusters, a failed extraction,
    a source and its correction, a role change, a member removed, a dossier edited, an
    article's date corrected, a source and articles archived and unarchived."""
    from claims.extraction import EXTRACTOR_VERSION, extract_article
    from dossiers import commands
    from dossiers.commands import ExtractionResult
    from dossiers.events import EventType
    from workers.pipeline import claim_id

    dossier = build_dossier()
    analyst = dossier.team.memberships.get(role=Role.ANALYST).user
    commands.add_member(team=dossier.team, user=analyst, role=Role.REVIEWER, actor=SYSTEM)
    leaver = get_user_model().objects.create_user("leaver")
    commands.add_member(team=dossier.team, user=leaver, role=Role.VIEWER, actor=SYSTEM)
    commands.remove_member(team=dossier.team, user=leaver, actor=SYSTEM)
    commands.update_dossier(
        dossier=dossier, actor=SYSTEM, expected_version=dossier.version, title="Renamed", tags=["x"]
    )
    dossier.refresh_from_db()
    wire = commands.add_source(team=dossier.team, name="Wire", domain="wire.example", actor=analyst)
    wire = commands.update_source(
        source=wire, actor=analyst, expected_version=wire.version, kind="agency"
    )
    wire = commands.update_source(
        source=wire, actor=SYSTEM, expected_version=wire.version, archived=True
    )
    commands.update_source(source=wire, actor=SYSTEM, expected_version=wire.version, archived=False)
    extracted = extract_article(
        "Harbour strike ends\n\nDock workers in Rotterdam ended their strike on Friday after "
        "the port authority agreed to a 6 percent raise, union leader Marta Jansen said.\n"
    )
    cited = Verdict.objects.get().evidence.get().claim.article
    lone = ClaimCluster.objects.filter(article_count=1, verdicts=None).first().claims.get()
    for article in (cited, lone.article):
        (article,) = commands.start_extractions(articles=[Article.objects.get(id=article.id)])
        ids = [claim_id(article.id, c.start, c.end, c.text) for c in extracted.claims]
        commands.record_extraction_results(
            results=[ExtractionResult(article=article, extracted=extracted, claim_ids=ids)],
            extractor_version=EXTRACTOR_VERSION,
        )
        recluster_dossier(dossier=dossier, actor=SYSTEM)
    failed = Article.objects.filter(dossier=dossier).exclude(id=cited.id).first()
    failed = commands.correct_article_metadata(
        article=failed, actor=analyst, expected_version=failed.version, published="2015-06"
    )
    commands.request_extraction(article=failed, actor=analyst)
    (failed,) = commands.start_extractions(articles=[Article.objects.get(id=failed.id)])
    commands.record_extraction_failure(article=failed, error="ValueError: broken")
    # Two articles archived (their claims leave their clusters), then one brought back.
    shelved = Article.objects.filter(dossier=dossier, status="done").exclude(id=cited.id)[:2]
    for article in shelved:
        commands.correct_article_metadata(
            article=article, actor=analyst, expected_version=article.version, archived=True
        )
    recluster_dossier(dossier=dossier, actor=SYSTEM)
    back = Article.objects.get(id=shelved[0].id)
    commands.correct_article_metadata(
        article=back, actor=analyst, expected_version=back.version, archived=False
    )
    recluster_dossier(dossier=dossier, actor=SYSTEM)
    assert Article.objects.filter(archived=True).count() == 1
    assert not Claim.objects.filter(article__archived=True).exclude(cluster=None).exists()
    logged = set(Event.objects.values_list("type", flat=True))
    assert logged >= set(EventType) | {"ClusterDissolved"}, set(EventType) - logged
    assert Verdict.objects.get().evidence.get().claim is None
    before = projection_snapshot()

    call_command("replay_events")

    assert projection_snapshot() == before


def test_replay_rebuilds_the_metadata_given_at_upload_over_what_extraction_read():
    from dossiers.commands import ArticleUpload, upload_articles

    dossier = DossierFactory()
    analyst = member(dossier.team, Role.ANALYST)
    given = upload(
        dossier,
        article_text(1),
        actor=analyst,
        title="Headline the analyst knows",
        author="Jane Roe",
        url="https://example.org/a",
        outlet="Example Times",
        published="2016-06",
    )
    upload_articles(
        dossier=dossier,
        uploads=[ArticleUpload(article_text(2), outlet="Wire", published="2016-06-03T10:00:00Z")],
        actor=analyst,
    )
    upload(dossier, article_text(3), actor=analyst)  # no metadata: extraction's own
    assert Article.objects.filter(status="done").count() == 3
    before = projection_snapshot()

    call_command("replay_events")

    assert projection_snapshot() == before
    given.refresh_from_db()
    assert (given.title, given.author, given.source.name) == (
        "Headline the analyst knows",
        "Jane Roe",
        "Example Times",
    )
    assert (given.published_at.isoformat()[:7], given.published_precision) == ("2016-06", "month")


def test_a_wire_copy_is_known_from_its_dateline_or_byline_and_replay_keeps_it():
    dossier = DossierFactory()
    analyst = member(dossier.team, Role.ANALYST)
    dated = upload(
        dossier, "Strike ends\n\nROTTERDAM (AP) — " + article_text(4).split("\n\n", 1)[1]
    )
    bylined = upload(dossier, article_text(5), actor=analyst, author="AP")
    own = upload(dossier, article_text(6), actor=analyst, author="Jane Roe")
    before = projection_snapshot()

    call_command("replay_events")

    assert projection_snapshot() == before
    wires = {a.id: (a.wire, a.place) for a in Article.objects.filter(dossier=dossier)}
    assert wires[dated.id] == ("Associated Press", "Rotterdam")
    assert wires[bylined.id] == ("Associated Press", "")
    assert wires[own.id] == ("", "")


def test_claim_kinds_travel_in_the_event_and_old_events_project_as_factual():
    """ClaimsExtracted carries each claim's kind; an event written before kinds existed has
    none, and its claims are "factual" (what the migration gave stored rows) both when it is
    projected live and when the log is replayed."""
    from claims.extraction import extract_article
    from dossiers.commands import ExtractionResult, _claims_extracted, _record_article_events
    from dossiers.events import EventType
    from workers.pipeline import claim_id

    dossier = DossierFactory()
    analyst = member(dossier.team, Role.ANALYST)
    new = upload(dossier, article_text(1), actor=analyst)
    event = Event.objects.filter(type="ClaimsExtracted", stream_id=new.id).get()
    carried = {claim["id"]: claim["kind"] for claim in event.data["claims"]}
    stored = {str(claim.id): claim.kind for claim in Claim.objects.filter(article=new)}
    assert stored == carried
    assert {"statistic", "prediction"} <= set(stored.values())  # "13 soldiers", "We will"

    old = upload(dossier, article_text(2), actor=analyst)
    extracted = extract_article(article_text(3))
    ids = [claim_id(old.id, c.start, c.end, c.text) for c in extracted.claims]
    data = _claims_extracted(ExtractionResult(article=old, extracted=extracted, claim_ids=ids), "1")
    for claim in data["claims"]:
        del claim["kind"]
    old = Article.objects.get(id=old.id)
    _record_article_events([old], EventType.CLAIMS_EXTRACTED, [data])
    assert set(Claim.objects.filter(article=old).values_list("kind", flat=True)) == {"factual"}
    before = projection_snapshot()

    call_command("replay_events")

    assert projection_snapshot() == before


def test_replay_rebuilds_analysts_corrections_exactly():
    """Every correction event type (issue 14), then an extractor upgrade that carries them."""
    from claims import corrections
    from tests.claims.corrections import claim_saying, cluster_saying, upgrade_extractor

    dossier = build_dossier()
    analyst = dossier.team.memberships.get(role=Role.ANALYST).user
    share, quote = cluster_saying(dossier, "40 percent"), cluster_saying(dossier, "We will respond")
    first, second, *_ = quote.claims.order_by("id")
    corrections.reject_link(
        claim=first, others=[second], actor=analyst, expected_version=quote.version
    )
    second.refresh_from_db()  # its cluster is the one re-clustering gave it
    corrections.move_claim(
        claim=second, to_cluster=None, actor=analyst, expected_version=second.cluster.version
    )
    second.refresh_from_db()
    corrections.confirm_link(
        claim=second, other=first, actor=analyst, expected_version=second.cluster.version
    )
    share.refresh_from_db()
    corrections.pin_wording(
        cluster=share, text="Forty percent", actor=analyst, expected_version=share.version
    )
    twelve, thirteen = (
        cluster_saying(dossier, "14 soldiers"),
        cluster_saying(dossier, "13 soldiers"),
    )
    corrections.merge_clusters(
        target=twelve, sources=[thirteen], actor=analyst, expected_version=twelve.version
    )
    claim = claim_saying(dossier, "40 percent")
    claim = corrections.correct_claim(
        claim=claim,
        field="speaker",
        value="SOHR",
        actor=analyst,
        expected_version=claim.article.version,
    )
    claim = corrections.mark_not_a_claim(
        claim=claim, actor=analyst, expected_version=claim.article.version
    )
    corrections.restore_claim(claim=claim, actor=analyst, expected_version=claim.article.version)
    upgrade_extractor(dossier)
    before = projection_snapshot()
    assert len(before["claims.Correction"]) == 8

    call_command("replay_events")

    assert projection_snapshot() == before
