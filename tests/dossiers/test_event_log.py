import uuid

import pytest
from django.db import DatabaseError, connection, transaction

from dossiers.events import EventType, StreamType
from eventlog.context import SYSTEM, Context
from eventlog.models import AppendOnlyViolation, Event
from eventlog.store import ConcurrencyError, record, stream_version
from tests.factories import DossierFactory, TeamFactory, member

pytestmark = pytest.mark.django_db


def test_appending_with_a_stale_expected_version_raises_a_concurrency_error():
    team = TeamFactory()
    assert stream_version(StreamType.TEAM, team.id) == 1
    with pytest.raises(ConcurrencyError) as caught, transaction.atomic():
        record(
            stream_type=StreamType.TEAM,
            stream_id=team.id,
            expected_version=0,
            event_type=EventType.TEAM_CREATED,
            data={"name": "Another"},
            context=Context(SYSTEM),
            team_id=team.id,
        )
    assert caught.value.actual == 1
    assert Event.objects.filter(stream_id=team.id).count() == 1


@pytest.mark.django_db(transaction=True)
def test_record_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="atomic"):
        record(
            stream_type=StreamType.TEAM,
            stream_id=uuid.uuid4(),
            expected_version=0,
            event_type=EventType.TEAM_CREATED,
            data={"name": "Loose"},
            context=Context(SYSTEM),
            team_id=None,
        )


def test_events_carry_actor_reason_and_stream_versions():
    dossier = DossierFactory()
    analyst = member(dossier.team)
    from dossiers.commands import upload_article

    article = upload_article(
        dossier=dossier, payload="A text with enough words in it.", actor=analyst
    ).article
    events = list(Event.objects.filter(stream_id=article.id).order_by("stream_version"))
    assert [e.stream_version for e in events] == list(range(1, len(events) + 1))
    uploaded = events[0]
    assert uploaded.type == EventType.ARTICLE_UPLOADED
    assert uploaded.metadata["actor_id"] == analyst.pk
    assert uploaded.metadata["actor"] == analyst.username
    assert uploaded.team_id == dossier.team_id


def test_the_model_refuses_to_update_or_delete_events():
    TeamFactory()
    event = Event.objects.first()
    event.type = "Tampered"
    with pytest.raises(AppendOnlyViolation):
        event.save()
    with pytest.raises(AppendOnlyViolation):
        event.delete()
    with pytest.raises(AppendOnlyViolation):
        Event.objects.all().update(type="Tampered")
    with pytest.raises(AppendOnlyViolation):
        Event.objects.all().delete()
    assert Event.objects.get(position=event.position).type == EventType.TEAM_CREATED


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
@pytest.mark.parametrize(
    "statement", ["UPDATE dossiers_event SET type = 'X'", "DELETE FROM dossiers_event"]
)
def test_postgresql_refuses_update_and_delete_on_the_event_table(statement):
    TeamFactory()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert Event.objects.filter(type=EventType.TEAM_CREATED).count() == 1
