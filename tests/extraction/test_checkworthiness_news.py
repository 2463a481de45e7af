"""What an analyst sees first on real news: the top of the check-worthiness ranking among the
highlighted kinds (facts and figures) holds no boilerplate, market-index move or prediction.
The same figure: `manage.py top_checkworthy ../shared/gold/news_dev.json --seeds
../shared/data/polnear`."""

import json

import pytest

from claims.extraction.evaluation import (
    audit_top_claim,
    extract_gold_articles,
    top_checkworthy_claims,
)
from tests.conftest import shared_path


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        ("The Dow Jones industrial average fell 150 points on Friday.", ["market"]),
        ("Editor's note: this story has been updated with new figures.", ["boilerplate"]),
        ("The senator said he will stay in the race until July.", ["prediction"]),
        ("Sanders won 46 percent of the vote in the May primary.", []),
    ],
)
def test_the_audit_names_what_a_fact_checker_would_not_pick(text, problems):
    assert audit_top_claim(text) == problems


def test_a_gold_non_claim_counts_as_boilerplate():
    assert audit_top_claim("Jane Doe contributed reporting from Denver today.") == []
    assert audit_top_claim(
        "Jane Doe contributed reporting from Denver today.", ["Jane Doe contributed reporting"]
    ) == ["boilerplate"]


@pytest.mark.shared_data
def test_the_top_20_of_the_dev_dossier_are_facts_and_figures_worth_checking():
    gold = json.loads(shared_path("gold", "news_dev.json").read_text(encoding="utf-8"))
    articles = extract_gold_articles(gold, shared_path("data", "polnear"))
    not_claims = [text for _, text in gold["not_claims"]]

    top = top_checkworthy_claims(articles, 20)

    assert len(top) == 20
    assert {claim.kind for _, claim in top} <= {"factual", "statistic"}
    scores = [claim.checkworthiness for _, claim in top]
    assert scores == sorted(scores, reverse=True)
    flagged = {claim.text: audit_top_claim(claim.text, not_claims) for _, claim in top}
    assert {text: problems for text, problems in flagged.items() if problems} == {}
