"""Event replay rate: `replay_all()` over a log of 1M events (goal: at least 20k events/s).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/claimdesk .venv/bin/python bench/bench_replay.py
        [--events 1000000] [--rebuild]

PostgreSQL only, in its own database named after DATABASE_URL's with `_bench_replay` appended
(e.g. `claimdesk_bench_replay`), created and migrated on first run and reused after.

Setup (not timed, once): a template newsroom is made through the commands, the way the
product makes it: a team with an analyst and a reviewer, a dossier, articles uploaded and
extracted by the real extractor, re-clustered, and verdicts taken through the whole workflow
(draft, edit, submit, approve, publish, revise). Its log is then copied with fresh ids, by
bulk COPY straight into the event table, until the log holds `--events` events: a million
events through the commands would take hours, and replay only reads the log.

Not timed either: `VACUUM ANALYZE` of the database before each replay.

Timed: `replay_all()`, which empties every read model (and its history), folds every event in
order into rows in memory and writes them table by table, in one transaction. Afterwards the
row counts of every read model must be the template's times the number of copies: the replay
rebuilt all of it. A replay still running
after `--budget` seconds is stopped (its transaction rolls back, leaving the read models as
they were); the rate measured so far and the projected full time are printed instead.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from services import bench_database, ensure_database  # noqa: E402

TEMPLATE_ARTICLES = 40
TEMPLATE_VERDICTS = 6
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_COPY_NAMESPACE = uuid.UUID("0f6d3c57-5d0e-4b8e-9a51-8e3f1b1c2a77")


def build_template() -> None:
    """A small newsroom, made through the commands (extraction runs in-process)."""
    from django.contrib.auth import get_user_model

    from claims import commands as claim_commands
    from claims import reclustering
    from claims.models import ClaimCluster
    from dossiers import commands
    from dossiers.models import Role
    from eventlog.context import SYSTEM
    from tests.factories import article_text

    users = get_user_model().objects
    analyst = users.create_user("bench-analyst", password=None, is_staff=True)
    reviewer = users.create_user("bench-reviewer", password=None, is_staff=True)
    team = commands.create_team(name="Replay newsroom", actor=SYSTEM)
    commands.add_member(team=team, user=analyst, role=Role.ANALYST, actor=SYSTEM)
    commands.add_member(team=team, user=reviewer, role=Role.REVIEWER, actor=SYSTEM)
    dossier = commands.create_dossier(team=team, title="Border clashes", actor=analyst)
    for n in range(TEMPLATE_ARTICLES):
        commands.upload_article(dossier=dossier, payload=article_text(n), actor=analyst)
    reclustering.recluster_dossier(dossier=dossier, actor=SYSTEM)
    clusters = ClaimCluster.objects.filter(dossier=dossier, is_active=True)
    for cluster in clusters.order_by("-article_count", "id")[:TEMPLATE_VERDICTS]:
        verdict = claim_commands.draft_verdict(
            cluster=cluster, actor=analyst, rating="mostly_true", rationale="Two outlets agree."
        )
        verdict = claim_commands.edit_verdict(
            verdict=verdict,
            actor=analyst,
            expected_version=verdict.version,
            rating="true",
            confidence=80,
            source_reliability="B",
            information_credibility=2,
            rationale="Confirmed by a third outlet.",
        )
        for step, actor in (
            (claim_commands.submit_verdict, analyst),
            (claim_commands.approve_verdict, reviewer),
            (claim_commands.publish_verdict, reviewer),
        ):
            verdict = step(verdict=verdict, actor=actor, expected_version=verdict.version)
        claim_commands.revise_verdict(
            verdict=verdict, actor=analyst, expected_version=verdict.version, reason="New video."
        )


def copy_log(copies: int) -> None:
    """Append `copies` copies of the template log, every id replaced by a fresh one."""
    from django.db import connection

    from eventlog.models import Event

    template = list(Event.objects.filter(team_id=_template_team()).order_by("position"))
    span = template[-1].recorded_at - template[0].recorded_at + timedelta(seconds=1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(position), 0) FROM dossiers_event")
        position = cursor.fetchone()[0]
        start = Event.objects.filter(stream_type="team").count() - 1  # copies made before
        columns = "position, stream_type, stream_id, stream_version, type, data, metadata, team_id, recorded_at"
        raw = cursor.connection  # psycopg's connection, for COPY
        for number in range(start + 1, start + 1 + copies):
            fresh = _id_map(number)
            with raw.cursor().copy(f"COPY dossiers_event ({columns}) FROM STDIN") as copy:
                for event in template:
                    position += 1
                    copy.write_row(
                        (
                            position,
                            event.stream_type,
                            fresh(str(event.stream_id)),
                            event.stream_version,
                            event.type,
                            _rewrite(_distinct_names(event, number), fresh),
                            _rewrite(event.metadata, fresh),
                            fresh(str(event.team_id)) if event.team_id else None,
                            event.recorded_at + span * number,
                        )
                    )
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('dossiers_event', 'position'), %s)", [position]
        )


def _rewrite(value: dict, fresh) -> str:
    return _UUID.sub(lambda match: fresh(match.group()), json.dumps(value))


def _distinct_names(event, number: int) -> dict:
    """Team names are unique: each copy's team gets its number."""
    if event.type == "TeamCreated":
        return {**event.data, "name": f"{event.data['name']} {number}"}
    return event.data


def _id_map(number: int):
    def fresh(old: str) -> str:
        return str(uuid.uuid5(_COPY_NAMESPACE, f"{number}:{old}"))

    return fresh


def row_counts() -> dict[str, int]:
    from django.apps import apps

    from eventlog.models import Event

    return {
        model._meta.label: model.objects.count()
        for label in ("dossiers", "claims")
        for model in apps.get_app_config(label).get_models()
        if model is not Event
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--rebuild", action="store_true", help="drop the bench database first")
    parser.add_argument(
        "--budget",
        type=float,
        default=300,
        help="seconds; a replay still running then is stopped and rolled back, and the rate "
        "so far is reported with the full replay's projected time",
    )
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print("bench_replay: skipped, it needs DATABASE_URL=postgres://... (PostgreSQL)")
        return 0
    bench_url, name, maintenance_url = bench_database(url, "_bench_replay")
    ensure_database(maintenance_url, name, args.rebuild)
    os.environ["DATABASE_URL"] = bench_url
    os.environ.pop("REDIS_URL", None)  # setup extracts in-process
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from eventlog.models import Event
    from eventlog.rebuild import replay_all

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    counts_file = REPO / "var" / f"{name}.json"
    if not Event.objects.exists():
        build_template()
        call_command("replay_events", verbosity=0)  # the rows exactly as a replay makes them
        counts_file.parent.mkdir(parents=True, exist_ok=True)
        counts_file.write_text(json.dumps(row_counts()))
    if not counts_file.exists():
        print(f"bench_replay: {counts_file} is missing; run again with --rebuild")
        return 1
    template_counts = json.loads(counts_file.read_text())
    per_copy = Event.objects.filter(team_id=_template_team()).count()
    total = Event.objects.count()
    if total < args.events:
        copy_log(-(-(args.events - total) // per_copy))
    total = Event.objects.count()
    copies = total // per_copy
    print(f"database {name}: {total:,} events ({copies:,} copies of a {per_copy}-event newsroom)")
    vacuum()
    print(f"setup: {time.perf_counter() - started:,.0f} s (not part of the figure)")

    cpu, wall = time.process_time(), time.perf_counter()
    progress = Progress(wall, args.budget)
    try:
        replayed = replay_all(progress=progress)
    except OutOfBudget:
        replayed = progress.count  # the transaction rolled back: the read models are as before
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    rate = replayed / wall
    if replayed < total:
        print(
            f"budget of {args.budget:.0f} s spent after {replayed:,} of {total:,} events "
            f"(rolled back); a full replay would take about {total / rate / 60:,.0f} min"
        )
    print(f"replayed {replayed:,} events in {wall:,.1f} s wall, {cpu:,.1f} s CPU (this process)")
    print(f"rate: {rate:,.0f} events/s wall (goal >= 20,000: {rate / 20_000:.3f} of it)")
    if replayed < total:
        return 0
    expected = {label: count * copies for label, count in template_counts.items()}
    counts = row_counts()
    wrong = {label: (counts[label], n) for label, n in expected.items() if counts[label] != n}
    print("read models rebuilt: " + ("all row counts as expected" if not wrong else f"{wrong}"))
    return 1 if wrong else 0


def vacuum() -> None:
    """Clear the rows the previous replay left dead, as autovacuum would between two replays
    (some servers, this one included, run with it off): each run starts from the same state."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def _template_team() -> uuid.UUID:
    from eventlog.models import Event

    return Event.objects.filter(stream_type="team").order_by("position").first().stream_id


class OutOfBudget(Exception):
    pass


class Progress:
    """replay_all's progress callback: prints the rate and stops the replay past the budget."""

    def __init__(self, started: float, budget: float):
        self.started, self.budget, self.count = started, budget, 0

    def __call__(self, count: int) -> None:
        self.count = count
        elapsed = time.perf_counter() - self.started
        if count % 100_000 == 0:
            print(f"  {count:>9,} events, {count / elapsed:,.0f}/s", flush=True)
        if elapsed > self.budget:
            raise OutOfBudget


if __name__ == "__main__":
    sys.exit(main())
