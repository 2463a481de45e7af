"""`manage.py score_checkworthiness`: JSON Lines of sentences in, scores out in the same order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.commands.jsonl import run_on_file, run_on_stdin

STATISTIC = "Unemployment fell to 4.1 percent in 2016, the lowest in a decade."
COURTESY = "Thank you, it's great to be here."


def _run(tmp_path: Path, lines: list[str]):
    return run_on_file("score_checkworthiness", tmp_path, lines)


def test_each_line_gets_a_score_in_order(tmp_path):
    lines = [
        json.dumps({"id": "stat", "text": STATISTIC, "speaker": "Jane Doe", "document": "d1"}),
        json.dumps({"id": "thanks", "text": COURTESY}),
        json.dumps({"id": "applause", "text": "(APPLAUSE)", "speaker": "SYSTEM"}),
    ]
    answers, errors, failure = _run(tmp_path, lines)
    assert failure is None and errors == ""
    assert [answer["id"] for answer in answers] == ["stat", "thanks", "applause"]
    assert all(set(answer) == {"id", "score"} for answer in answers)
    assert all(0.0 <= answer["score"] <= 1.0 for answer in answers)
    assert answers[0]["score"] > answers[1]["score"]


def test_bad_lines_are_reported_and_valid_lines_still_answered_in_order(tmp_path):
    lines = [
        json.dumps({"id": "first", "text": STATISTIC}),
        "not json",
        json.dumps({"id": "no-text"}),
        json.dumps({"id": "bad-speaker", "text": COURTESY, "speaker": 7}),
        json.dumps(["a", "list"]),
        json.dumps({"id": "last", "text": COURTESY, "speaker": None}),
    ]
    answers, errors, failure = _run(tmp_path, lines)
    assert [answer["id"] for answer in answers] == ["first", "last"]
    reported = [json.loads(line) for line in errors.splitlines()]
    assert [report["id"] for report in reported] == ["line 2", "no-text", "bad-speaker", "line 5"]
    assert failure is not None and failure.returncode == 2


def test_missing_file_is_a_clean_error(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        call_command("score_checkworthiness", str(tmp_path / "absent.jsonl"))


def test_command_line_reads_stdin_and_never_prints_a_traceback():
    completed = run_on_stdin(
        "score_checkworthiness",
        [json.dumps({"id": "1", "text": STATISTIC}), "{broken"],
        timeout=120,
    )
    assert completed.returncode != 0
    assert "Traceback" not in completed.stderr
    answer = json.loads(completed.stdout.splitlines()[0])
    assert answer["id"] == "1" and 0.0 <= answer["score"] <= 1.0
