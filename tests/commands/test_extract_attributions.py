"""`manage.py extract_attributions`: JSON Lines in, attributions with offsets out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.commands.jsonl import run_on_file, run_on_stdin


def _run(tmp_path: Path, lines: list[str]):
    return run_on_file("extract_attributions", tmp_path, lines)


def test_each_line_is_answered_in_order_with_offsets_into_its_text(tmp_path):
    texts = {
        "a": '"This was damage control," said Ruslan Pukhov, a Moscow analyst.',
        "b": "The bridge was closed for repairs on Tuesday.",
        "c": "According to the Syrian Observatory for Human Rights, the town fell on Sunday.",
    }
    lines = [json.dumps({"id": key, "text": text}) for key, text in texts.items()]
    answers, errors, failure = _run(tmp_path, lines)
    assert failure is None and errors == ""
    assert [answer["id"] for answer in answers] == ["a", "b", "c"]
    assert answers[1]["attributions"] == []
    first = answers[0]["attributions"][0]
    text = texts["a"]
    assert text[slice(*first["source"])].startswith("Ruslan Pukhov")
    assert text[slice(*first["cue"])] == "said"
    assert "damage control" in text[slice(*first["content"])]
    for answer in answers:
        for found in answer["attributions"]:
            for part in ("source", "cue", "content"):
                if found[part] is not None:
                    start, end = found[part]
                    assert 0 <= start < end <= len(texts[answer["id"]])


def test_bad_lines_are_reported_and_the_exit_is_non_zero(tmp_path):
    lines = [
        "not json",
        json.dumps({"id": "no-text"}),
        json.dumps({"id": "wrong-type", "text": 42}),
        json.dumps(["a", "list"]),
        json.dumps({"id": "good", "text": "He said the vote was rigged."}),
    ]
    answers, errors, failure = _run(tmp_path, lines)
    assert [answer["id"] for answer in answers] == ["good"]
    reported = [json.loads(line) for line in errors.splitlines()]
    assert [report["id"] for report in reported] == ["line 1", "no-text", "wrong-type", "line 4"]
    assert failure is not None and failure.returncode == 2


def test_missing_file_is_a_clean_error(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        call_command("extract_attributions", str(tmp_path / "absent.jsonl"))


def test_command_line_reads_stdin_and_never_prints_a_traceback():
    completed = run_on_stdin(
        "extract_attributions",
        [json.dumps({"id": "1", "text": "“It is over,” she said."}), "{broken"],
        timeout=120,
    )
    assert completed.returncode != 0
    assert "Traceback" not in completed.stderr
    answer = json.loads(completed.stdout.splitlines()[0])
    assert answer["id"] == "1" and answer["attributions"]
