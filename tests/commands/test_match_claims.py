"""`manage.py match_claims`: JSON Lines of sentence pairs in, same / score / why out."""

from __future__ import annotations

import json

from tests.commands.jsonl import run_on_file, run_on_stdin

SAME = (
    "The company cut 500 jobs at its Ohio plant.",
    "The company cut 500 jobs in its Ohio plant, the union said.",
)
OTHER = (
    "The company cut 500 jobs at its Ohio plant.",
    "Voters in Denver elected a new mayor on Tuesday.",
)


def _line(ref: str, pair: tuple[str, str]) -> str:
    return json.dumps({"id": ref, "a": pair[0], "b": pair[1]})


def test_each_pair_gets_same_score_and_why_in_order(tmp_path):
    answers, errors, failure = run_on_file(
        "match_claims", tmp_path, [_line("1", SAME), _line("2", OTHER)]
    )
    assert failure is None and errors == ""
    assert [a["id"] for a in answers] == ["1", "2"]
    assert answers[0]["same"] is True and answers[1]["same"] is False
    assert answers[0]["score"] > answers[1]["score"]
    assert set(answers[0]["why"]) >= {"similarity", "shared_terms", "different_numbers"}


def test_a_bad_line_is_reported_and_the_good_ones_still_answered(tmp_path):
    answers, errors, failure = run_on_file(
        "match_claims", tmp_path, [_line("1", SAME), '{"id": "2", "a": "only one side"}', "{"]
    )
    assert [a["id"] for a in answers] == ["1"]
    assert "line 2" in errors and "line 3" in errors
    assert failure is not None


def test_stdin_works_without_a_traceback():
    result = run_on_stdin("match_claims", [_line("x", SAME)], timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["id"] == "x"
