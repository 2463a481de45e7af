"""Stance candidates: a large dossier classifies a cluster only against articles on its topic."""

from claims.extraction.candidates import candidate_articles


def _filler(index: int) -> str:
    return f"Unrelated report number {index} about harvest{index} weather{index} markets{index}."


def test_a_small_dossier_keeps_every_other_article_as_a_candidate():
    articles = {"a": "Russia withdrew advisers.", "b": "Cheese prices rose.", "c": "Rain."}
    found = candidate_articles({"k": "Russian advisers left Syria"}, articles, {"k": {"a"}})
    assert sorted(found["k"]) == ["b", "c"]


def test_a_large_dossier_keeps_the_articles_that_share_the_claims_terms():
    articles = {f"filler{i}": _filler(i) for i in range(40)}
    articles["member"] = "About 100 Russian advisers left Syria via Latakia airport."
    articles["denial"] = "Moscow denied that Russian advisers left Syria; Latakia stays busy."
    articles["weak"] = "Syria was mentioned once."
    found = candidate_articles(
        {"left": "100 Russian advisers left Syria via Latakia"},
        articles,
        {"left": {"member"}},
        per_cluster=5,
    )
    assert found["left"][0] == "denial"
    assert "member" not in found["left"]
    assert "weak" not in found["left"]  # one shared term is not a topic
    assert not any(article.startswith("filler") for article in found["left"])


def test_candidates_are_capped_per_cluster():
    articles = {f"echo{i}": f"Russian advisers left Syria, report {i} says." for i in range(30)}
    found = candidate_articles(
        {"left": "Russian advisers left Syria"}, articles, {"left": set()}, 4
    )
    assert len(found["left"]) == 4
