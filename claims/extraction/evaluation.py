"""Scores of the extraction (and, given an assignment, the clustering) against hand gold.

Gold format: `/work/shared/gold/seeds.json`. Every gold quote is a substring of its article
once whitespace runs are collapsed to one space; the same normalisation (plus NFKC, which
the extractor applies to bodies) is applied to claim texts before substring tests.

Claims are identified as (article key, index in `ExtractedArticle.claims`); a clustering is
a mapping from such ids to cluster ids. Articles only need `.title`, `.author`,
`.published_at` and `.claims` with `.text`, `.speaker`, `.cited_source`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from claims.extraction.kinds import CHECKWORTHY_KINDS
from claims.extraction.pipeline import ExtractedArticle, extract_article
from claims.extraction.wordlists import word_set

ClaimId = tuple[str, int]


_NAME_STOPWORDS = word_set("the a an of in on at to for with and s")


class _Claim(Protocol):
    text: str
    speaker: str | None
    cited_source: str | None


class _Article(Protocol):
    title: str | None
    author: str | None
    published_at: str | None
    claims: Sequence[_Claim]


def normalise_for_matching(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


def names_match(gold_name: str, candidate: str | None) -> bool:
    """True when every content word of the gold name is in the candidate, allowing one typo
    in words of five letters or more ("Asharq al-Awsat" ~ "Asharq Al-Awsat", "Brenton" ~
    "Tony Benton")."""
    if not candidate:
        return False
    wanted, offered = _name_words(gold_name), _name_words(candidate)
    return bool(wanted) and all(any(_same_word(w, o) for o in offered) for w in wanted)


def _name_words(name: str) -> set[str]:
    words = re.findall(r"[a-z0-9]+", normalise_for_matching(name).lower().replace("’", "'"))
    return {w for w in words if w not in _NAME_STOPWORDS}


def _same_word(a: str, b: str) -> bool:
    if a == b:
        return True
    if min(len(a), len(b)) < 5 or abs(len(a) - len(b)) > 1:
        return False
    return _within_one_edit(a, b)


def _within_one_edit(a: str, b: str) -> bool:
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1 :] == b[i + 1 :]
    return a[i:] == b[i + 1 :]


def claims_containing(article: _Article, quote: str) -> list[int]:
    wanted = normalise_for_matching(quote)
    return [i for i, c in enumerate(article.claims) if wanted in normalise_for_matching(c.text)]


def extract_gold_articles(gold: Mapping[str, Any], seeds_dir: Path) -> dict[str, ExtractedArticle]:
    """Run the extractor on every article the gold names, read from `seeds_dir`."""
    return {
        key: extract_article((seeds_dir / entry["file"]).read_text(encoding="utf-8"))
        for key, entry in gold["articles"].items()
    }


def evaluate_against_gold(
    gold: Mapping[str, Any],
    articles: Mapping[str, _Article],
    cluster_of: Mapping[ClaimId, str] | None = None,
    origin_counts: Mapping[str, int] | None = None,
    contradictions: Collection[tuple[ClaimId, ClaimId]] | None = None,
) -> dict[str, Any]:
    """All metrics for the articles present in `articles`; the clustering ones only when an
    assignment is given, the origin one only when origin counts per cluster are given, the
    contradiction one only when the contradicting claim pairs found are given."""
    report: dict[str, Any] = {
        "metadata": metadata_scores(gold, articles),
        "attribution": attribution_recall(gold, articles),
        "not_claims": boilerplate_emitted(gold, articles),
    }
    if cluster_of is not None:
        report["clusters"] = clusters_found_together(gold, articles, cluster_of)
        report["cannot_link"] = cannot_link_violations(gold, articles, cluster_of)
        report["pairs"] = cluster_pair_scores(gold, articles, cluster_of)
        if origin_counts is not None:
            report["origins"] = origin_count_accuracy(gold, articles, cluster_of, origin_counts)
    if contradictions is not None:
        report["contradictions"] = contradictions_found(gold, articles, contradictions)
    return report


def metadata_scores(gold: Mapping[str, Any], articles: Mapping[str, _Article]) -> dict[str, Any]:
    """Headline, author and publication date found where gold gives them; a value invented
    where gold has none counts as spurious."""
    scores = {field: {"found": 0, "total": 0, "spurious": 0, "misses": []} for field in _FIELDS}
    for key, expected in gold["articles"].items():
        article = articles.get(key)
        if article is None:
            continue
        for field, (gold_field, matches) in _FIELDS.items():
            wanted, got = expected.get(gold_field), getattr(article, field)
            score = scores[field]
            if wanted is None:
                score["spurious"] += got is not None
                continue
            score["total"] += 1
            if got is not None and matches(wanted, got):
                score["found"] += 1
            else:
                score["misses"].append({"article": key, "gold": wanted, "got": got})
    return scores


def _same_title(wanted: str, got: str) -> bool:
    """Equal up to case, spacing and one closing full stop: archives append a full stop to
    headlines (PolNeAR does), so a headline that ends with its own ("… — Yet.") cannot be told
    from one that got it appended."""

    def key(title: str) -> str:
        return normalise_for_matching(title).casefold().removesuffix(".")

    return key(wanted) == key(got)


_FIELDS = {
    "title": ("headline", _same_title),
    "author": ("author", names_match),
    "published_at": ("published", lambda wanted, got: got.startswith(wanted)),
}


def attribution_recall(gold: Mapping[str, Any], articles: Mapping[str, _Article]) -> dict[str, Any]:
    """Share of gold (speaker, quote) pairs found in a claim whose speaker or cited source
    names the gold speaker; `quote_recall` ignores the speaker."""
    total = found = quoted = 0
    misses = []
    for key, speaker, quote in gold["attributions"]:
        article = articles.get(key)
        if article is None:
            continue
        total += 1
        containing = [article.claims[i] for i in claims_containing(article, quote)]
        quoted += bool(containing)
        if any(
            names_match(speaker, c.speaker) or names_match(speaker, c.cited_source)
            for c in containing
        ):
            found += 1
            continue
        misses.append(
            {
                "article": key,
                "gold_speaker": speaker,
                "quote": quote,
                "got": [(c.speaker, c.cited_source) for c in containing] or None,
            }
        )
    return {
        "recall": found / total if total else None,
        "found": found,
        "total": total,
        "quote_recall": quoted / total if total else None,
        "misses": misses,
    }


def boilerplate_emitted(
    gold: Mapping[str, Any], articles: Mapping[str, _Article]
) -> dict[str, Any]:
    """Gold non-claims (captions, credits, share lines) that overlap an emitted claim."""
    emitted = []
    total = 0
    for key, text in gold["not_claims"]:
        article = articles.get(key)
        if article is None:
            continue
        total += 1
        boilerplate = normalise_for_matching(text)
        for claim in article.claims:
            claim_text = normalise_for_matching(claim.text)
            if boilerplate in claim_text or (len(claim_text) >= 10 and claim_text in boilerplate):
                emitted.append({"article": key, "not_claim": text, "claim": claim.text})
                break
    return {"emitted": len(emitted), "total": total, "items": emitted}


def clusters_found_together(
    gold: Mapping[str, Any], articles: Mapping[str, _Article], cluster_of: Mapping[ClaimId, str]
) -> dict[str, Any]:
    """Per gold cluster: is there one cluster holding a claim for every member quote?"""
    together, total = 0, 0
    details = {}
    for name, cluster in gold["clusters"].items():
        if any(key not in articles for key, _ in cluster["members"]):
            continue
        member_clusters = [
            _clusters_of(articles, cluster_of, key, quote) for key, quote in cluster["members"]
        ]
        total += 1
        common = set.intersection(*member_clusters) if member_clusters else set()
        together += bool(common)
        details[name] = {
            "together": bool(common),
            "members_found": sum(bool(c) for c in member_clusters),
            "members": len(member_clusters),
        }
    return {
        "share": together / total if total else None,
        "together": together,
        "total": total,
        "details": details,
    }


def _annotated_claims(
    gold: Mapping[str, Any], articles: Mapping[str, _Article]
) -> dict[tuple[str, str], ClaimId]:
    """Each quote gold says something about clustering (cluster members, cannot-link and
    contradiction pairs) -> the first emitted claim containing it."""
    quotes = [member for cluster in gold["clusters"].values() for member in cluster["members"]]
    quotes += [item for pair in gold.get("cannot_link", []) for item in pair]
    quotes += [item for *pair, _ in gold.get("contradicts", []) for item in pair]
    found = {}
    for key, quote in quotes:
        article = articles.get(key)
        if article is None:
            continue
        containing = claims_containing(article, quote)
        if containing:
            found[(key, quote)] = (key, containing[0])
    return found


def cluster_pair_scores(
    gold: Mapping[str, Any], articles: Mapping[str, _Article], cluster_of: Mapping[ClaimId, str]
) -> dict[str, Any]:
    """Pair precision and recall of the clustering over the annotated claims.

    A gold pair is two distinct claims holding members of one gold cluster; a predicted pair
    is two distinct annotated claims sharing a cluster. The gold is not exhaustive, but every
    annotated claim's links are: gold names each of them in at most one cluster, so a
    predicted pair outside the gold clusters is a false link (the contradiction and
    cannot-link quotes are exactly the claims that must not be merged carelessly)."""
    annotated = _annotated_claims(gold, articles)
    gold_pairs: set[frozenset[ClaimId]] = set()
    for cluster in gold["clusters"].values():
        claims = {annotated[tuple(m)] for m in cluster["members"] if tuple(m) in annotated}
        gold_pairs |= {frozenset((a, b)) for a in claims for b in claims if a != b}
    claims = sorted(set(annotated.values()))
    predicted = {
        frozenset((a, b))
        for i, a in enumerate(claims)
        for b in claims[i + 1 :]
        if a in cluster_of and cluster_of.get(a) == cluster_of.get(b)
    }
    true = predicted & gold_pairs
    return {
        "precision": len(true) / len(predicted) if predicted else None,
        "recall": len(true) / len(gold_pairs) if gold_pairs else None,
        "predicted": len(predicted),
        "gold": len(gold_pairs),
        "correct": len(true),
        "false_links": [sorted(pair) for pair in sorted(predicted - gold_pairs, key=sorted)],
        "missed_links": [sorted(pair) for pair in sorted(gold_pairs - predicted, key=sorted)],
    }


def contradictions_found(
    gold: Mapping[str, Any],
    articles: Mapping[str, _Article],
    found: Collection[tuple[ClaimId, ClaimId]],
) -> dict[str, Any]:
    """Gold contradicting pairs reported between a claim holding each quote (either order);
    `reported` is how many contradictions were reported in all, the analyst's reading load."""
    reported = {frozenset(pair) for pair in found}
    hits, total, details = 0, 0, []
    for (key_a, quote_a), (key_b, quote_b), *_ in gold.get("contradicts", []):
        if key_a not in articles or key_b not in articles:
            continue
        total += 1
        side_a = [(key_a, i) for i in claims_containing(articles[key_a], quote_a)]
        side_b = [(key_b, i) for i in claims_containing(articles[key_b], quote_b)]
        hit = any(frozenset((a, b)) in reported for a in side_a for b in side_b)
        hits += hit
        details.append({"a": [key_a, quote_a], "b": [key_b, quote_b], "found": hit})
    return {
        "share": hits / total if total else None,
        "found": hits,
        "total": total,
        "reported": len(reported),
        "details": details,
    }


def cannot_link_violations(
    gold: Mapping[str, Any], articles: Mapping[str, _Article], cluster_of: Mapping[ClaimId, str]
) -> dict[str, Any]:
    """Gold pairs that must stay apart but share a cluster."""
    violations = []
    total = 0
    for (key_a, quote_a), (key_b, quote_b) in gold["cannot_link"]:
        if key_a not in articles or key_b not in articles:
            continue
        total += 1
        shared = _clusters_of(articles, cluster_of, key_a, quote_a) & _clusters_of(
            articles, cluster_of, key_b, quote_b
        )
        if shared:
            violations.append(
                {"a": [key_a, quote_a], "b": [key_b, quote_b], "clusters": sorted(shared)}
            )
    return {"violations": len(violations), "total": total, "items": violations}


def origin_count_accuracy(
    gold: Mapping[str, Any],
    articles: Mapping[str, _Article],
    cluster_of: Mapping[ClaimId, str],
    origin_counts: Mapping[str, int],
) -> dict[str, Any]:
    """For gold clusters with a known independent-origin count: does the cluster holding
    most of their members report that count?"""
    correct, total = 0, 0
    details = {}
    for name, cluster in gold["clusters"].items():
        expected = cluster.get("independent_origins")
        if expected is None:
            continue
        votes: dict[str, int] = {}
        for key, quote in cluster["members"]:
            for cluster_id in _clusters_of(articles, cluster_of, key, quote):
                votes[cluster_id] = votes.get(cluster_id, 0) + 1
        total += 1
        chosen = max(votes, key=votes.get) if votes else None
        got = origin_counts.get(chosen) if chosen is not None else None
        correct += got == expected
        details[name] = {"expected": expected, "got": got, "cluster": chosen}
    return {
        "accuracy": correct / total if total else None,
        "correct": correct,
        "total": total,
        "details": details,
    }


def _clusters_of(
    articles: Mapping[str, _Article], cluster_of: Mapping[ClaimId, str], key: str, quote: str
) -> set[str]:
    article = articles.get(key)
    if article is None:
        return set()
    return {
        cluster_of[(key, i)] for i in claims_containing(article, quote) if (key, i) in cluster_of
    }


# What a fact-checker would not pick, read independently of `kinds.py` (stricter: any future or
# modal word counts, any market word): used to audit the top of the check-worthiness ranking.
_AUDIT_BOILERPLATE = re.compile(
    r"editor['’]?s note|sponsored|newsletter|subscribe|sign up|click here|follow (?:us|him|her)"
    r" on|tips? to|e-?mail (?:us|any)|all rights reserved|©|trending|contributed (?:to )?this"
    r" report|photo:|getty images",
    re.I,
)
_AUDIT_MARKET = re.compile(
    r"\b(?:Dow|S&P|Nasdaq|FTSE|Nikkei|DAX|stock markets?|stocks|index(?:es)?|indices)\b", re.I
)
_AUDIT_PREDICTION = re.compile(
    r"\b(?:will|won['’]t|shall|going to|gonna|expected to|likely to|forecasts?|predicts?"
    r"|could|(?-i:may)|might|would)\b|\w['’]ll\b",
    re.I,
)


def top_checkworthy_claims(
    articles: Mapping[str, ExtractedArticle], n: int = 20
) -> list[tuple[str, Any]]:
    """The `n` highest-scoring claims of check-worthy kinds (what the admin highlights) across
    the articles, as (article key, claim), best first; ties keep article and claim order."""
    ranked = [
        (key, claim)
        for key, article in articles.items()
        for claim in article.claims
        if claim.kind in CHECKWORTHY_KINDS
    ]
    ranked.sort(key=lambda item: -item[1].checkworthiness)
    return ranked[:n]


def audit_top_claim(text: str, not_claims: Collection[str] = ()) -> list[str]:
    """Why a top-ranked claim should not be there: "boilerplate" (a gold non-claim or page
    furniture), "market" (a market index or stocks), "prediction" (a future or modal word)."""
    problems = []
    normalised = normalise_for_matching(text)
    if _AUDIT_BOILERPLATE.search(text) or any(
        normalise_for_matching(item) in normalised for item in not_claims
    ):
        problems.append("boilerplate")
    if _AUDIT_MARKET.search(text):
        problems.append("market")
    if _AUDIT_PREDICTION.search(text):
        problems.append("prediction")
    return problems
