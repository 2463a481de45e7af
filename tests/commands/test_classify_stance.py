"""`manage.py classify_stance`: JSON Lines of (claim, body) in, stances out in the same order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from claims.extraction.stance import STANCE_LABELS, load_model
from tests.commands.jsonl import run_on_file, run_on_stdin

CLAIM = "Apple will launch a $15-a-month TV streaming service with HBO in April"
RESTATING = (
    "Apple will launch a TV streaming service in April that will cost $15 a month, with HBO as "
    "its first partner, the company confirmed on Monday. The streaming service will be available "
    "on Apple TV, iPhone and iPad. Apple said HBO shows will stream on the new service from April."
)
OFF_TOPIC = (
    "A small meteorite crashed into a wooded area in Nicaragua's capital of Managua overnight, "
    "the government said Sunday. Residents reported hearing a mysterious boom that left a "
    "16-foot deep crater near the city's airport."
)


def _line(ref: str, claim: str = CLAIM, body: str = RESTATING) -> str:
    return json.dumps({"id": ref, "claim": claim, "body": body})


def _run(tmp_path: Path, lines: list[str]):
    return run_on_file("classify_stance", tmp_path, lines)


def test_each_line_gets_its_stance_in_order(tmp_path):
    lines = [_line("same"), _line("other", body=OFF_TOPIC), _line("empty", body="")]
    answers, errors, failure = _run(tmp_path, lines)
    assert failure is None and errors == ""
    assert [answer["id"] for answer in answers] == ["same", "other", "empty"]
    assert all(set(answer) == {"id", "stance"} for answer in answers)
    assert all(answer["stance"] in STANCE_LABELS for answer in answers)
    assert answers[0]["stance"] in {"agree", "discuss"}  # restates the claim
    assert answers[1]["stance"] == "unrelated"


def test_bad_lines_are_reported_and_valid_lines_still_answered_in_order(tmp_path):
    lines = [
        _line("first"),
        "{not json",
        json.dumps({"id": "no-body", "claim": CLAIM}),
        json.dumps({"id": "numeric-body", "claim": CLAIM, "body": 7}),
        json.dumps(["a", "list"]),
        _line("last", body=OFF_TOPIC),
    ]
    answers, errors, failure = _run(tmp_path, lines)
    assert [answer["id"] for answer in answers] == ["first", "last"]
    assert answers[0]["stance"] in {"agree", "discuss"}
    assert answers[1]["stance"] == "unrelated"
    reported = [json.loads(line) for line in errors.splitlines()]
    assert [report["id"] for report in reported] == ["line 2", "no-body", "numeric-body", "line 5"]
    assert "body" in reported[1]["error"]
    assert failure is not None and failure.returncode == 2


def test_the_model_is_loaded_once_for_many_batches(tmp_path):
    load_model.cache_clear()
    lines = [_line(str(i), claim=f"{CLAIM} (report {i})") for i in range(300)]
    answers, errors, failure = _run(tmp_path, lines)
    assert failure is None and errors == ""
    assert [answer["id"] for answer in answers] == [str(i) for i in range(300)]
    assert load_model.cache_info().misses == 1


def test_missing_file_is_a_clean_error(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        call_command("classify_stance", str(tmp_path / "absent.jsonl"))


def test_command_line_reads_stdin_and_never_prints_a_traceback():
    completed = run_on_stdin(
        "classify_stance", [_line("1", body=OFF_TOPIC), "{broken"], timeout=300
    )
    assert completed.returncode != 0
    assert "Traceback" not in completed.stderr
    assert json.loads(completed.stdout.splitlines()[0]) == {"id": "1", "stance": "unrelated"}
    assert "invalid JSON" in completed.stderr
