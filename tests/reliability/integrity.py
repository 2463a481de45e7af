"""Checks that the event log and the read models are whole after a fault or a load."""

from __future__ import annotations

from collections import defaultdict

from eventlog.models import Event
from eventlog.rebuild import replay_all
from tests.dossiers.test_replay import projection_snapshot


def assert_streams_have_no_gaps() -> None:
    """Every stream's versions are exactly 1..n in the order of their global positions."""
    versions: dict[tuple[str, str], list[int]] = defaultdict(list)
    rows = Event.objects.order_by("position").values_list(
        "stream_type", "stream_id", "stream_version"
    )
    for stream_type, stream_id, version in rows:
        versions[(stream_type, str(stream_id))].append(version)
    broken = {k: v for k, v in versions.items() if v != list(range(1, len(v) + 1))}
    assert versions and not broken, f"streams with gaps or disorder: {broken}"


def assert_replay_rebuilds_the_live_state() -> None:
    """Every event has its projection, and nothing else is in the read models."""
    before = projection_snapshot()
    replay_all()
    after = projection_snapshot()
    assert after == before, snapshot_difference(before, after)


def snapshot_difference(before: dict[str, list], after: dict[str, list]) -> str:
    """Which read models differ, with one differing row of each: enough to start debugging."""
    lines = []
    for label in sorted(before.keys() | after.keys()):
        old, new = before.get(label, []), after.get(label, [])
        if old == new:
            continue
        lost = [row for row in old if row not in new]
        gained = [row for row in new if row not in old]
        lines.append(f"{label}: {len(old)} rows live, {len(new)} after replay")
        lines.append(f"  live only:   {lost[:1]}")
        lines.append(f"  replay only: {gained[:1]}")
    return "\n".join(lines)
