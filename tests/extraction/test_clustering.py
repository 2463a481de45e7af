"""Claim clustering: paraphrases join, different facts stay apart, identity survives re-runs,
and the candidate pairs stay far below all pairs."""

from __future__ import annotations

import json
import re
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest

from claims.extraction.clustering import ClusterItem, claim_clauses, cluster_claims

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "examples" / "seeds"
GOLD = REPO / ".." / "shared" / "gold" / "seeds.json"

_SENTENCE_END = re.compile(r"(?<=[.!?\u201d\"])\s+(?=[\u201c\"A-Z\[])|\n\s*\n|\n(?=\S)")
_DATE = re.compile(r"\b(?:January|February|March|April|May|June|July|August|September|October"
                   r"|November|December) \d{1,2}\b")  # fmt: skip
_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)?(?![\w-])")


def quantities_of(text: str) -> tuple[float, ...]:
    """Numbers a claim states, without dates and years (the Claim model keeps dates apart)."""
    values = (float(n.replace(",", "")) for n in _NUMBER.findall(_DATE.sub(" ", text)))
    return tuple(v for v in values if not (v.is_integer() and 1800 <= v <= 2100))


def claim(key: str, article: str, text: str, previous: str | None = None) -> ClusterItem:
    return ClusterItem(key, article, text, quantities_of(text), previous)


def together(result, *keys: str) -> bool:
    return len({result.assignments[key] for key in keys}) == 1


# --- seed articles: whole sentences, every other sentence a distractor ---------------------


def _normalise(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def gold() -> dict:
    if not GOLD.exists():
        pytest.skip(f"{GOLD} absent: gold annotations live in the shared folder")
    return json.loads(GOLD.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def seed_claims(gold) -> list[ClusterItem]:
    items = []
    for article, meta in gold["articles"].items():
        body = (SEEDS / meta["file"]).read_text(encoding="utf-8")
        for number, sentence in enumerate(_SENTENCE_END.split(body)):
            sentence = _normalise(sentence)
            if len(sentence.split()) >= 4:
                items.append(claim(f"{article}-{number}", article, sentence))
    return items


def sentence_with(items: list[ClusterItem], article: str, quote: str) -> str:
    keys = [i.claim_key for i in items if i.article_key == article and _normalise(quote) in i.text]
    assert len(keys) == 1, f"{article}: {quote!r} is in {len(keys)} sentences"
    return keys[0]


@pytest.fixture(scope="module")
def seed_result(seed_claims):
    return cluster_claims(seed_claims)


def test_gold_cluster_members_end_up_together(gold, seed_claims, seed_result):
    for name, cluster in gold["clusters"].items():
        keys = [sentence_with(seed_claims, a, quote) for a, quote in cluster["members"]]
        assert together(seed_result, *keys), name


def test_gold_clusters_stay_distinct_from_each_other(gold, seed_claims, seed_result):
    cluster_keys = {
        name: seed_result.assignments[sentence_with(seed_claims, *cluster["members"][0])]
        for name, cluster in gold["clusters"].items()
    }
    assert len(set(cluster_keys.values())) == len(cluster_keys)


def test_gold_cannot_link_pairs_stay_apart(gold, seed_claims, seed_result):
    for first, second in gold["cannot_link"]:
        keys = sentence_with(seed_claims, *first), sentence_with(seed_claims, *second)
        assert not together(seed_result, *keys), (first[1], second[1])


def test_cluster_of_three_outlets_reports_three_articles(gold, seed_claims, seed_result):
    members = gold["clusters"]["russian_staff_left"]["members"]
    key = seed_result.assignments[sentence_with(seed_claims, *members[0])]
    assert seed_result.clusters[key].article_count >= len({a for a, _ in members})


# --- behaviour on small hand-made dossiers --------------------------------------------------

DISTRACTORS = [
    "The central bank raised interest rates by half a point on Tuesday.",
    "Heavy rain flooded several villages in the north of the country.",
    "The football federation suspended the coach for three matches.",
    "A new airport terminal opened to passengers after years of delays.",
    "Scientists discovered a new species of frog in the rainforest.",
]


def test_paraphrases_across_outlets_join_despite_synonyms():
    items = [
        claim("a", "1", "Some 200 European diplomats stationed in Kabul were flown back to Paris."),
        claim("b", "2", "200 European officials had left Kabul via the military airport."),
        claim(
            "c", "3", "As many as 200 European advisers have withdrawn from Kabul, sources said."
        ),
    ] + [claim(f"d{n}", f"x{n}", text) for n, text in enumerate(DISTRACTORS)]
    result = cluster_claims(items)
    assert together(result, "a", "b", "c")
    assert all(not together(result, "a", f"d{n}") for n in range(len(DISTRACTORS)))


def test_conflicting_quantities_split_otherwise_similar_claims():
    items = [
        claim("half", "1", "The rebels now control some 50 percent of the province's territory."),
        claim(
            "quarter", "2", "The rebels now control only 25 percent of the province's territory."
        ),
        claim(
            "half-again", "3", "Rebels control 50 percent of the province's territory, they said."
        ),
    ] + [claim(f"d{n}", f"x{n}", text) for n, text in enumerate(DISTRACTORS)]
    result = cluster_claims(items)
    assert together(result, "half", "half-again")
    assert not together(result, "half", "quarter")


def test_leaving_office_is_not_leaving_the_country():
    items = [
        claim("resign", "1", "Moscow will accept the president leaving office once talks succeed."),
        claim(
            "depart", "2", "As many as 100 Russian advisers have left the country, officials said."
        ),
        claim("depart-2", "3", "100 Russian advisers departed the country last week."),
    ] + [claim(f"d{n}", f"x{n}", text) for n, text in enumerate(DISTRACTORS)]
    result = cluster_claims(items)
    assert together(result, "depart", "depart-2")
    assert not together(result, "resign", "depart")


def test_claims_of_one_article_do_not_link_directly():
    text = "The ministry confirmed that 40 soldiers were wounded in the border clash."
    same_article = [claim("a", "1", text), claim("b", "1", text.replace("40", "forty") + " ")]
    result = cluster_claims(same_article + [claim("z", "9", DISTRACTORS[0])])
    assert not together(result, "a", "b")
    other_outlet = claim(
        "c", "2", "Forty soldiers were wounded in the border clash, the ministry said."
    )
    result = cluster_claims(same_article + [other_outlet])
    assert together(result, "a", "b", "c")


def test_every_claim_gets_a_cluster_and_a_member_as_canonical_text():
    items = [claim(f"d{n}", f"x{n}", text) for n, text in enumerate(DISTRACTORS)]
    result = cluster_claims(items)
    assert set(result.assignments) == {item.claim_key for item in items}
    for cluster in result.clusters.values():
        member_texts = {i.text for i in items if i.claim_key in cluster.claim_keys}
        assert cluster.canonical_text in member_texts
        assert cluster.canonical_claim_key in cluster.claim_keys


def test_syndicated_copies_beyond_the_block_limit_still_cluster():
    text = "The company recalled 12,000 cars after a brake fault was found."
    items = [claim(str(n), str(n), text) for n in range(30)]
    result = cluster_claims(items + [claim("z", "z", DISTRACTORS[0])], max_block=5)
    assert len({result.assignments[str(n)] for n in range(30)}) == 1
    assert not together(result, "0", "z")


def test_claims_without_content_words_are_not_lumped_together():
    items = [claim("a", "1", "He said so."), claim("b", "2", "They did it again.")]
    assert not together(cluster_claims(items), "a", "b")


def test_duplicate_claim_keys_are_refused():
    with pytest.raises(ValueError, match="unique"):
        cluster_claims([claim("a", "1", DISTRACTORS[0]), claim("a", "2", DISTRACTORS[1])])


# --- identity across re-clustering -----------------------------------------------------------

STAFF = [
    (
        "s1",
        "1",
        "Some 100 senior Russian officials stationed in Damascus were flown back to Moscow.",
    ),
    ("s2", "2", "100 senior Russian officials had left Syria via the airport in Latakia."),
]
NEW_STAFF = ("s3", "3", "As many as 100 Russian advisers have left Syria, the opposition said.")


def rerun(first_result, items, added, **options):
    previous = [
        claim(i.claim_key, i.article_key, i.text, first_result.assignments[i.claim_key])
        for i in items
    ]
    return cluster_claims(previous + [claim(*row) for row in added], **options)


def test_rerun_with_an_added_article_keeps_every_cluster_key():
    items = [claim(*row) for row in STAFF] + [
        claim(f"d{n}", f"x{n}", text) for n, text in enumerate(DISTRACTORS)
    ]
    first = cluster_claims(items)
    second = rerun(first, items, [NEW_STAFF])
    for item in items:
        assert second.assignments[item.claim_key] == first.assignments[item.claim_key]
    assert second.assignments["s3"] == first.assignments["s1"]
    assert not second.retired_keys


def test_anchored_key_survives_when_its_cluster_merges_into_a_bigger_one():
    items = [
        claim("v", "1", "100 senior Russian officials left Syria via Latakia.", previous="verdict"),
        claim("a", "2", "Some 100 senior Russian officials were flown back from Syria.", "plain"),
        claim("b", "3", "As many as 100 senior Russian officials have left Syria.", "plain"),
    ]
    without_anchor = cluster_claims(items)
    assert together(without_anchor, "v", "a", "b")
    assert without_anchor.assignments["v"] == "plain"
    with_anchor = cluster_claims(items, anchored_keys={"verdict"})
    assert with_anchor.assignments["v"] == "verdict"
    assert with_anchor.retired_keys == {"plain"}


def test_split_cluster_keeps_its_key_for_the_larger_part_and_a_fresh_key_for_the_rest():
    items = [
        claim("a", "1", "Some 100 senior Russian officials were flown back from Syria.", "old"),
        claim("b", "2", "As many as 100 senior Russian officials have left Syria.", "old"),
        claim("c", "3", "Heavy rain flooded several villages in the north of the country.", "old"),
    ]
    result = cluster_claims(items)
    assert result.assignments["a"] == result.assignments["b"] == "old"
    assert result.assignments["c"].startswith("new-")


# --- scale ----------------------------------------------------------------------------------


def synthetic_dossier(n_claims: int, seed: int = 3) -> tuple[list[ClusterItem], list[int]]:
    """Claims over a Zipf-distributed vocabulary; every fact is reported by 1 to 4 outlets,
    each report dropping a word or two."""
    rng = np.random.default_rng(seed)
    letters = np.array(list("bcdfghjklmnpqrstvwxz"))
    vocabulary = np.array(sorted({"".join(w) for w in rng.choice(letters, size=(30_000, 6))}))
    weights = 1 / np.arange(1, len(vocabulary) + 1) ** 1.05
    fact_words = rng.choice(vocabulary, size=(n_claims, 14), p=weights / weights.sum())
    items, facts = [], []
    for fact, words in enumerate(fact_words):
        for _ in range(int(rng.integers(1, 5))):
            kept = words[rng.random(len(words)) > 0.1]
            article = str(rng.integers(n_claims // 10))  # ten claims an article
            items.append(ClusterItem(str(len(items)), article, " ".join(kept)))
            facts.append(fact)
        if len(items) >= n_claims:
            return items[:n_claims], facts[:n_claims]
    return items, facts


def test_candidate_pairs_at_20k_claims_are_a_tiny_share_of_all_pairs():
    items, facts = synthetic_dossier(20_000)
    result = cluster_claims(items)
    all_pairs = len(items) * (len(items) - 1) // 2
    assert result.candidate_pairs < all_pairs / 50
    reports = {}
    for item, fact in zip(items, facts, strict=True):
        reports.setdefault(fact, []).append(item.claim_key)
    repeated = [keys for keys in reports.values() if len(keys) > 1]
    joined = sum(together(result, *pair) for keys in repeated for pair in combinations(keys, 2))
    assert joined / sum(len(keys) * (len(keys) - 1) // 2 for keys in repeated) > 0.9


# --- facts that differ, links, contradictions ---------------------------------------------


def test_a_different_count_beside_a_shared_figure_is_a_different_claim():
    result = cluster_claims(
        [
            claim("a", "1", "Clinton needs 67 delegates to reach the 2,383 needed to win."),
            claim("b", "2", "Clinton needs 71 delegates to reach the 2,383 needed to win."),
            claim("c", "3", "Clinton still needs 67 more delegates to reach the 2,383 to win."),
        ]
    )
    assert together(result, "a", "c")
    assert not together(result, "a", "b")


def test_a_sentence_carrying_two_claims_does_not_chain_their_clusters():
    """The hinge states both propositions; each cluster is linked to it on other words."""
    result = cluster_claims(
        [
            claim("a1", "1", "Sanders told his supporters that the struggle continues."),
            claim("a2", "2", "The struggle continues, Sanders told his supporters in an email."),
            claim("b1", "3", "The final primary contest is in the District of Columbia next week."),
            claim("b2", "4", "The District of Columbia holds the final primary contest next week."),
            claim(
                "hinge",
                "5",
                "Sanders told his supporters the struggle continues and vowed to compete in "
                "the final primary contest in the District of Columbia next week.",
            ),
        ]
    )
    assert together(result, "a1", "a2")
    assert together(result, "b1", "b2")
    assert not together(result, "a1", "b1")
    assert together(result, "hinge", "a1") or together(result, "hinge", "b1")


def test_falling_short_of_a_mark_is_not_reaching_it_nor_what_it_takes():
    """Three claims about one mark and its figure: the shortfall, the rule and the
    attainment are three propositions; two reports of the shortfall are one."""
    result = cluster_claims(
        [
            claim("short", "1", "The appeal is $2 million short of its $10 million goal, "
                  "the charity said."),
            claim("shy", "2", "The charity's appeal remains $2 million shy of the $10 million "
                  "goal."),
            claim("rule", "3", "It takes $10 million to complete the charity's appeal and meet "
                  "its goal."),
            claim("reached", "4", "The charity's appeal has reached its $10 million goal, "
                  "the charity said."),
        ]
    )  # fmt: skip
    assert together(result, "short", "shy")
    assert not together(result, "short", "reached")
    assert not together(result, "short", "rule")
    assert not together(result, "rule", "reached")


def test_persuading_and_switching_are_met_in_their_paraphrases():
    """ "persuade" meets "convince" and "switch" meets "flip": the two clauses state one
    thing in different words, and come out as the same terms."""
    (first,) = claim_clauses("Unions will persuade wavering senators to switch.")
    (second,) = claim_clauses("Wavering senators could flip if unions convince them.")
    assert set(first) == set(second)


def test_the_united_states_is_one_term_however_written():
    """ "United States" is one name, not "unit" and "stat": two of a short clause's terms
    were enough to link a veterans speech to an offshore-tax study."""
    written = {
        frozenset(claim_clauses(f"The {name} military is depleted and weak today.")[0])
        for name in ("United States", "U.S.", "United States of America")
    }
    assert len(written) == 1 and "usa" in next(iter(written))


def test_a_time_of_day_is_not_a_figure():
    (terms,) = claim_clauses("He said he would be awake for a 3 a.m. call, or at 7:30 pm.")
    assert not any(term.startswith("#") for term in terms), terms


def test_clinching_securing_and_capturing_a_prize_are_one_predicate():
    """Obtaining something, however a paper words it; "secure" goes with obtaining, the
    commoner sense in news ("secured a loan", "secured the nomination")."""
    terms = {
        frozenset(claim_clauses(f"The senator {verb} the party's nomination on Monday.")[0])
        for verb in ("clinched", "secured", "captured", "amassed")
    }
    assert len(terms) == 1


def test_a_side_fact_in_an_appositive_or_parenthesis_does_not_link_two_claims():
    """Appositives and parentheticals add a fact about something named; the claim is the
    rest. Two claims sharing only such a side fact are two claims."""
    result = cluster_claims(
        [
            claim("home", "1", "Ohio, the most delegate-rich state on the primary calendar, has "
                  "become a second home for the senator."),
            claim("tie", "2", "The senator and the governor are tied in delegate-rich Ohio, a "
                  "poll of the state found."),
            claim("reach", "3", "She will reach that number on Tuesday, when voters cast ballots "
                  "in Ohio (475 delegates) and five other states."),
            claim("maine", "4", "The results in Maine will get little attention on a night when "
                  "five other states vote, including Ohio (475 delegates)."),
            claim("resign", "5", "Jane Doe, the mayor of Springfield, resigned on Monday after "
                  "the audit."),
            claim("resigned", "6", "Springfield mayor Jane Doe resigned Monday after an audit."),
        ]
    )  # fmt: skip
    assert not together(result, "home", "tie")
    assert not together(result, "reach", "maine")
    assert together(result, "resign", "resigned")  # what the appositive names still counts


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (  # a side fact between dashes
            "The transcript of the debate \u2013 published in full by the Springfield Gazette "
            "on its website \u2013 shows the senator spoke about bail reform.",
            "Voters favour the senator by five points, according to a poll published in full by "
            "the Springfield Gazette on its website.",
        ),
        (  # a role before a name says who she is
            "Democratic presidential candidate Jane Roe is praising the new gun rules in a tweet.",
            "The mayor compared the governor to Democratic presidential candidate Jane Roe, "
            "saying both are part of the system.",
        ),
        (  # the description closing an attribution ("said X, head of Y") is about the speaker
            "“The plan has the virtue of being fiscally responsible,” said Leonard Burman, "
            "director of the centrist Urban-Brookings Tax Policy Center.",
            "“I see no connection between the rhetoric and what he has proposed,” said Len "
            "Burman, head of the centrist Urban-Brookings Tax Policy Center.",
        ),
    ],
)
def test_claims_sharing_only_a_side_fact_or_a_speakers_title_are_two_claims(first, second):
    result = cluster_claims([claim("a", "1", first), claim("b", "2", second)])
    assert not together(result, "a", "b")


def test_a_restatement_with_one_figure_more_may_join():
    result = cluster_claims(
        [
            claim("a", "1", "As many as 100 Russian advisers have left Syria for Moscow."),
            claim("b", "2", "Some 100 Russian advisers, 30 of them officers, have left Syria."),
        ]
    )
    assert together(result, "a", "b")


def test_the_same_event_on_different_days_is_not_one_claim():
    def dated(key, article, text, weekday):
        return ClusterItem(key, article, text, (), None, (weekday,))

    result = cluster_claims(
        [
            dated("a", "1", "Clinton secured the Democratic nomination on Monday night.", "monday"),
            dated(
                "b", "2", "Clinton secured the Democratic nomination on Tuesday night.", "tuesday"
            ),
            dated("c", "3", "Clinton secured the Democratic nomination Monday night.", "monday"),
        ]
    )
    assert together(result, "a", "c")
    assert not together(result, "a", "b")
    found = {(c.kind, frozenset((c.a, c.b))) for c in result.contradictions}
    assert ("dates", frozenset(("a", "b"))) in found or ("dates", frozenset("cb")) in found


def test_each_member_of_a_shared_cluster_says_why_it_is_there():
    result = cluster_claims(
        [
            claim("a", "1", "Russian military advisers withdrew from Damascus on Sunday."),
            claim(
                "b", "2", "Russian military experts have withdrawn from Damascus, officials say."
            ),
            claim(
                "c", "2", "Russian military experts have withdrawn from Damascus, officials say."
            ),
            claim("d", "3", "The football season opens in August with twenty teams."),
        ]
    )
    assert together(result, "a", "b", "c")
    link = result.links["a"]
    assert link.partner in {"b", "c"} and 0 < link.score <= 1
    assert "Damascus" in link.shared_terms
    assert any("~" in term for term in link.shared_terms)  # advisers ~ experts
    assert result.links["c"].identical and result.links["c"].partner == "b"
    assert "d" not in result.links  # a claim alone has no link to explain


def test_a_denial_of_the_same_statement_is_reported_as_a_contradiction():
    result = cluster_claims(
        [
            claim("a", "1", "Russia has withdrawn its military advisers from Damascus."),
            claim("b", "2", "Russia has not withdrawn its military advisers from Damascus."),
            claim("c", "3", "The museum did not open its new wing to visitors this spring."),
        ]
    )
    kinds = {frozenset((c.a, c.b)): c for c in result.contradictions}
    found = kinds[frozenset("ab")]
    assert found.kind == "denial" and "not withdrawn" in found.reason
    assert not any("c" in pair for pair in kinds)
    assert not together(result, "a", "b")


def test_a_capital_standing_for_its_government_meets_the_country():
    result = cluster_claims(
        [
            claim("a", "1", "Moscow pulled its advisers out of Damascus this week."),
            claim("b", "2", "Russian military experts left the Syrian capital this week."),
            claim("c", "3", "The weather in Paris was mild on Sunday, forecasters said."),
            claim("d", "4", "The football season opens in August with twenty teams."),
        ]
    )
    assert together(result, "a", "b")
    assert not together(result, "a", "c")


def test_how_a_source_is_described_does_not_link_unrelated_claims():
    anonymity = (
        ", who spoke on condition of anonymity because {} was not authorized to discuss the "
        "matter publicly, said "
    )
    result = cluster_claims(
        [
            claim("a", "1", "The official" + anonymity.format("he") + "border talks had stalled."),
            claim(
                "b", "2", "The diplomat" + anonymity.format("she") + "the wheat harvest was poor."
            ),
            claim("c", "3", "An official" + anonymity.format("he") + "the border talks stalled."),
        ]
    )
    assert not together(result, "a", "b")
    assert together(result, "a", "c")


def test_claims_quoting_the_same_remark_join_whatever_frames_it():
    result = cluster_claims(
        [
            claim("a", "1", "Trump boasted at the debate, “That makes me smart.”"),
            claim(
                "b",
                "2",
                "The advertisement ends with footage of the candidate saying, “That makes me"
                " smart,” when his rival attacked his tax returns.",
            ),
            claim("c", "3", "The football season opens in August with twenty teams."),
        ]
    )
    assert together(result, "a", "b")
    assert result.links["a"].shared_quote == "That makes me smart"
    assert result.links["a"].as_dict()["shared_quote"] == "That makes me smart"


def test_a_short_quotation_meets_the_longer_quotation_holding_it_but_shared_filler_does_not():
    result = cluster_claims(
        [
            claim("a", "1", "The Vermont senator emailed supporters: “The struggle continues.”"),
            claim(
                "b",
                "2",
                "He told the rally: “We won in Montana and in North Dakota, and the struggle"
                " continues until the convention.”",
            ),
            claim("c", "3", "“I think that we are going to win,” the mayor told a radio host."),
            claim("d", "4", "“I think that we are going to lose,” a farmer told the paper."),
        ]
    )
    assert together(result, "a", "b")
    assert not together(result, "c", "a") and not together(result, "c", "b")


def test_irregular_past_forms_and_plurals_in_es_meet_their_stems():
    result = cluster_claims(
        [
            claim("a", "1", "The company paid no taxes in Ireland over three years."),
            claim("b", "2", "The company did pay taxes in Ireland over three years, it said."),
            claim("c", "3", "Companies pay tax in Ireland, the minister said."),
        ]
    )
    from claims.extraction.clustering import _term_set

    assert {"pay", "tax"} <= _term_set("The company paid no taxes")
    assert "tax" in _term_set("Companies pay tax")
    assert result.contradictions  # "paid no taxes" against "did pay taxes"


# --- analysts' constraints (issue 14) -------------------------------------------------------

TOLL = "The ministry said that {} soldiers were killed near the northern border crossing."


def test_a_must_link_joins_claims_whose_figures_conflict():
    items = [claim("a", "1", TOLL.format(12)), claim("b", "2", TOLL.format(13))]
    assert not together(cluster_claims(items), "a", "b")
    assert together(cluster_claims(items, must_link=[("a", "b")]), "a", "b")


def test_a_cannot_link_separates_even_identical_copies():
    items = [claim(key, key, TOLL.format(12)) for key in "abc"]
    result = cluster_claims(items, cannot_link=[("a", "b")])
    assert not together(result, "a", "b")
    assert together(result, "b", "c") or together(result, "a", "c")


def test_a_cannot_link_wins_over_a_chain_of_must_links():
    items = [claim(key, key, TOLL.format(n)) for key, n in zip("abc", (12, 13, 14), strict=True)]
    result = cluster_claims(items, must_link=[("a", "b"), ("b", "c")], cannot_link=[("a", "c")])
    assert together(result, "a", "b") and not together(result, "a", "c")


# --- meaning: the sentence encoder's part in borderline pairs -----------------------------

MEANING_TEXTS = [
    "Clinton clinched the Democratic nomination on Monday night.",
    "On Monday night Clinton won the delegates she needed to become the Democratic nominee.",
    "Russia will approve Assad leaving office once the government is stable.",
    "Moscow announced that Assad had left office and fled the country.",
    "Heavy rain flooded several streets in the old town overnight.",
]


def _meaning_of(pairs, similarity, threshold=0.35):
    from claims.extraction.clustering import _with_meaning

    left = np.array([a for a, _ in pairs], dtype=np.int64)
    right = np.array([b for _, b in pairs], dtype=np.int64)
    return _with_meaning(MEANING_TEXTS, left, right, np.array(similarity, np.float32), threshold)


def test_a_borderline_pair_is_scored_on_meaning_too_and_the_link_says_how_much():
    blended, meaning = _meaning_of([(0, 1)], [0.3])
    assert meaning[(0, 1)] > 0.5  # the same event in other words
    assert blended[0] == pytest.approx(0.8 * 0.3 + 0.2 * meaning[(0, 1)], abs=1e-5)
    assert blended[0] > 0.35  # wording alone (0.3) would have kept them apart


def test_pairs_clear_on_wording_either_way_are_not_encoded(monkeypatch):
    from claims.extraction import sentence_encoder

    encoded = []
    real = sentence_encoder.encode
    monkeypatch.setattr(
        sentence_encoder, "encode", lambda texts: encoded.extend(texts) or real(texts)
    )
    blended, meaning = _meaning_of([(0, 4), (0, 1)], [0.05, 0.9])
    assert blended.tolist() == pytest.approx([0.05, 0.9]) and meaning == {} and encoded == []


def test_meaning_never_raises_a_prediction_to_the_report_of_its_outcome():
    blended, meaning = _meaning_of([(2, 3)], [0.3])
    assert (2, 3) in meaning
    assert blended[0] <= 0.3 + 1e-6


def test_at_most_the_budget_of_claims_is_encoded_nearest_the_threshold_first(monkeypatch):
    from claims.extraction import clustering

    monkeypatch.setattr(clustering, "MEANING_BUDGET", 2)
    blended, meaning = _meaning_of([(2, 4), (0, 1)], [0.25, 0.34])
    assert list(meaning) == [(0, 1)]  # 0.34 is nearer the threshold than 0.25
    assert blended[0] == pytest.approx(0.25)


def test_a_link_scored_on_meaning_shows_its_meaning_and_one_scored_on_wording_does_not():
    items = [ClusterItem(str(i), f"article-{i}", text) for i, text in enumerate(MEANING_TEXTS)]
    links = cluster_claims(items).links
    nomination = links["0"].as_dict()  # borderline on wording: meaning read
    assert nomination["partner"] == "1" and nomination["meaning_similarity"] > 0.5
    assert links["2"].partner == "3" and links["2"].score >= 0.35 / 0.8  # clear on wording
    assert "meaning_similarity" not in links["2"].as_dict()
