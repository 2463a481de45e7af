"""How a replay writes: history rows handed on in batches during the fold, the log read in
chunks (on PostgreSQL: on a second connection, COPY from a thread), and foreign keys checked
before commit (on PostgreSQL: one query per key instead of the per-row triggers)."""

import uuid

import pytest
from django.db import IntegrityError, connection
from django.utils import timezone

from dossiers.events import EventType
from eventlog import rebuild as replay
from eventlog.models import Event
from eventlog.rebuild import replay_all
from eventlog.state import ProjectionState
from tests.dossiers.test_replay import build_dossier, projection_snapshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_replay_in_small_batches_rebuilds_every_projection_exactly(monkeypatch):
    build_dossier()
    before = projection_snapshot()
    batches = []
    monkeypatch.setattr(ProjectionState, "HISTORY_BATCH", 1)
    copy = replay.HistoryCopier.__call__
    monkeypatch.setattr(
        replay.HistoryCopier,
        "__call__",
        lambda self, *batch: (batches.append(batch), copy(self, *batch)),
    )

    replay_all(chunk_size=3)

    assert projection_snapshot() == before
    if connection.vendor == "postgresql":  # history went to the database during the fold
        assert len(batches) > 10


@pytest.mark.parametrize("missing", ["dossier_id", "uploaded_by"])
def test_an_event_naming_a_missing_row_fails_the_replay_and_keeps_the_read_models(missing):
    """A dossier (rebuilt by the replay) or a user (not rebuilt) that does not exist."""
    build_dossier()
    before = projection_snapshot()
    upload = Event.objects.filter(type=EventType.ARTICLE_UPLOADED).first()
    data = {**upload.data, "content_hash": "forged"}
    data[missing] = str(uuid.uuid4()) if missing == "dossier_id" else 10**9
    Event.objects.create(
        stream_type=upload.stream_type,
        stream_id=uuid.uuid4(),
        stream_version=1,
        type=upload.type,
        data=data,
        metadata={},
        team_id=upload.team_id,
        recorded_at=timezone.now(),
    )

    with pytest.raises(IntegrityError):
        replay_all()

    assert projection_snapshot() == before


def test_the_log_read_by_copy_gives_back_every_character_copy_escapes():
    """On PostgreSQL the replay reads the log as COPY text, which escapes backslashes, tabs,
    newlines and carriage returns: what the fold gets is what was appended."""
    if connection.vendor != "postgresql":
        pytest.skip("the log is read by COPY on PostgreSQL only")
    text = 'a\tb\nc\rd \\ \\\\ \\N \\. "quoted" ünïcode \u2028 \x01 end'
    for version in (1, 2, 3):
        Event.objects.create(
            stream_type="dossier",
            stream_id=uuid.UUID(int=1),
            stream_version=version,
            type="Anything",
            data={"text": text, text: [text, {"n": version}]},
            metadata={"reason": text},
            team_id=None,
            recorded_at=timezone.now(),
        )

    with replay.log_in_order(2, elsewhere=True) as events:
        read = list(events)

    assert [(e.stream_version, e.data, e.metadata) for e in read] == [
        (v, {"text": text, text: [text, {"n": v}]}, {"reason": text}) for v in (1, 2, 3)
    ]
    assert [e.recorded_at for e in read] == list(
        Event.objects.order_by("position").values_list("recorded_at", flat=True)
    )
