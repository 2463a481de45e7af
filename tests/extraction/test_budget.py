"""The per-article budget (issue 16, bug 7): a whole article on one line is cut into pieces of
bounded length, extraction stops at its time budget, and the claims kept are bounded."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from claims.extraction import extract_article, pipeline
from claims.extraction.pipeline import (
    ExtractionBudget,
    ExtractionBudgetExceeded,
    bounded_paragraphs,
)

SEEDS = Path(__file__).resolve().parents[2] / "examples" / "seeds"


def _seed_texts() -> list[str]:
    return [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]


def _one_line(size: int) -> str:
    text = " ".join(" ".join(_seed_texts()).split())
    return (text * (size // len(text) + 1))[:size]


def test_an_over_long_paragraph_is_cut_at_sentence_ends_keeping_the_body_length():
    body = " ".join(f"Sentence number {n} says that {n} soldiers were seen." for n in range(400))
    cut_body, paragraphs = bounded_paragraphs(body, [(0, len(body))], 2000)
    assert len(cut_body) == len(body), "spans keep their meaning"
    assert [i for i, (a, b) in enumerate(zip(body, cut_body, strict=True)) if a != b] == [
        i for i, char in enumerate(cut_body) if char == "\n"
    ]
    assert all(body[i] == " " for i, char in enumerate(cut_body) if char == "\n")
    assert len(paragraphs) > 1
    assert all(end - start <= 2000 for start, end in paragraphs)
    assert paragraphs[0][0] == 0 and paragraphs[-1][1] == len(body)
    for start, _ in paragraphs[1:]:
        assert cut_body[start - 1] == "\n" and cut_body[start - 2] == "."


def test_a_body_of_ordinary_paragraphs_is_left_as_it_is():
    body = "One paragraph.\n\nAnother one."
    paragraphs = [(0, 14), (16, 28)]
    assert bounded_paragraphs(body, paragraphs, 1000) == (body, paragraphs)


def test_a_single_line_article_is_extracted_in_bounded_lines(monkeypatch):
    """What grows with the square of a line's length (quotation state, paragraph windows)
    only ever sees a bounded line: a 1 MB line held a worker for 108 s."""
    seen = []
    real = pipeline.split_sentences

    def spy(text, *args, **kwargs):
        seen.append(max(len(line) for line in text.split("\n")))
        return real(text, *args, **kwargs)

    monkeypatch.setattr(pipeline, "split_sentences", spy)
    raw = _one_line(60_000)
    article = extract_article(raw, budget=ExtractionBudget(paragraph_chars=5_000))
    assert seen and seen[0] <= 5_000
    assert article.claims
    for claim in article.claims:
        assert article.body[claim.start : claim.end] == claim.text
    uncut = pipeline.clean_article(raw).body
    assert len(article.body) == len(uncut)
    assert re.sub(r"\s", " ", article.body) == re.sub(r"\s", " ", uncut)


def test_extraction_stops_at_its_time_budget_with_a_reason_a_person_can_act_on():
    with pytest.raises(ExtractionBudgetExceeded) as stopped:
        extract_article(_one_line(50_000), budget=ExtractionBudget(seconds=0.01))
    message = str(stopped.value)
    assert "stopped after 0.01 s" in message
    assert "split it into smaller articles" in message


def test_the_claim_budget_keeps_the_most_checkworthy_claims_in_text_order():
    raw = _seed_texts()[0]
    everything = extract_article(raw)
    assert len(everything.claims) > 3 and not everything.notice
    kept = extract_article(raw, budget=ExtractionBudget(max_claims=3))
    assert len(kept.claims) == 3
    best = sorted(everything.claims, key=lambda c: -c.checkworthiness)[:3]
    assert {c.start for c in kept.claims} == {c.start for c in best}
    assert [c.start for c in kept.claims] == sorted(c.start for c in kept.claims)
    assert kept.notice.startswith(f"the article holds {len(everything.claims)} claims")
    assert "3 most check-worthy" in kept.notice


def test_a_generous_budget_changes_nothing_for_ordinary_articles():
    budget = ExtractionBudget(seconds=600, max_claims=10_000)
    for raw in _seed_texts():
        assert extract_article(raw, budget=budget) == extract_article(raw)
