"""Contradictions read on the clustering's candidate pairs: a denied predicate, something
stopped against something that goes on, a reversed lead, a disputed report; and what must
not count as one (a different predicate denied, a condition, a question)."""

from __future__ import annotations

from claims.extraction.clustering import ClusterItem, cluster_claims

FILLER = [
    ("f1", "9", "The football season opens in August with twenty teams in the league."),
    ("f2", "9", "A new museum wing opened to visitors on the river bank this spring."),
]


def contradictions_of(*claims: tuple) -> dict[frozenset, object]:
    items = [ClusterItem(*claim) for claim in (*claims, *FILLER)]
    return {frozenset((c.a, c.b)): c for c in cluster_claims(items).contradictions}


def test_a_denied_predicate_contradicts_its_assertion_across_the_noun_phrase_of_nor():
    found = contradictions_of(
        ("a", "1", "Trump also claimed Clinton had helped Machado get U.S. citizenship."),
        (
            "b",
            "1",
            "A spokeswoman for Hillary Clinton says neither the nominee nor her campaign"
            " helped Machado get U.S. citizenship.",
        ),
    )
    contradiction = found[frozenset("ab")]
    assert contradiction.kind == "denial"
    assert "nor her campaign helped" in contradiction.reason


def test_paid_nothing_contradicts_paying():
    found = contradictions_of(
        ("a", "1", "Clinton said that Trump paid nothing in federal income taxes for years."),
        ("b", "2", "Trump insisted that of course he pays federal income taxes every year."),
    )
    assert "paid nothing" in found[frozenset("ab")].reason


def test_denying_another_predicate_of_the_same_thing_is_no_contradiction():
    found = contradictions_of(
        ("a", "1", "Trump did not address his early-morning tweets about the former beauty queen."),
        ("b", "2", "Trump defended his early-morning tweets about the former beauty queen."),
    )
    assert frozenset("ab") not in found


def test_a_condition_or_a_question_asserts_nothing_to_contradict():
    found = contradictions_of(
        ("a", "1", "Trump has not paid federal income taxes since the losses of 1995."),
        ("b", "2", "Voters asked whether Trump paid federal income taxes since the 1995 losses."),
        ("c", "3", "Trump should have paid federal income taxes since the losses of 1995."),
    )
    assert frozenset("ab") not in found and frozenset("ac") not in found


def test_a_pullback_contradicts_support_that_goes_on():
    found = contradictions_of(
        ("a", "1", "A dramatic Russian pullback from support of the Assad regime was reported."),
        ("b", "2", "Russia will keep offering support to Assad despite international pressure."),
    )
    contradiction = found[frozenset("ab")]
    assert contradiction.kind == "opposed"
    assert "pullback" in contradiction.reason and "keep" in contradiction.reason


def test_a_reversed_lead_and_a_tie_against_a_clear_lead_are_contradictions():
    found = contradictions_of(
        ("a", "1", "The Reuters poll released Friday shows Clinton leads Trump by 43 to 38."),
        ("b", "1", "The tracking poll released Friday shows Trump leading Clinton 47 to 41."),
        ("c", "2", "Clinton and Trump are in a statistical tie in the national poll on Friday."),
        ("d", "3", "Clinton leads Trump by about 6 points in the national poll on Friday."),
    )
    assert (
        found[frozenset("ab")].reason == ("one puts Clinton ahead of Trump, the other the reverse")
        or found[frozenset("ab")].reason == "one puts Trump ahead of Clinton, the other the reverse"
    )
    assert "tie" in found[frozenset("cd")].reason and "6 points" in found[frozenset("cd")].reason


def test_a_lead_within_the_margin_of_error_is_no_contradiction_of_a_tie():
    found = contradictions_of(
        ("c", "2", "Clinton and Trump are in a statistical tie in the national poll on Friday."),
        ("d", "3", "Clinton leads Trump by 2 points in the national poll on Friday."),
    )
    assert frozenset("cd") not in found


def test_disputing_a_named_report_contradicts_the_claim_that_came_through_it():
    def item(key, text, source):
        return ClusterItem(key, "1", text, source=source)

    items = [
        item("a", "Clinton clinched the nomination with superdelegates.", "Associated Press"),
        item(
            "b",
            "Sanders' campaign called AP's report a rush to judgment: superdelegates can still"
            " change their minds.",
            "Sanders' campaign",
        ),
        item("c", "Sanders' campaign said superdelegates can still change their minds.", None),
        item("d", "The weather in Philadelphia was mild on Sunday.", "Associated Press"),
        *(ClusterItem(*claim) for claim in FILLER),
    ]
    found = {frozenset((c.a, c.b)): c for c in cluster_claims(items).contradictions}
    assert "AP's report" in found[frozenset("ab")].reason
    assert frozenset("bc") not in found and frozenset("ac") not in found
    assert frozenset("bd") not in found  # the same source, but nothing in common


def test_contradicting_claims_never_share_a_cluster():
    result = cluster_claims(
        [
            ClusterItem(
                "a", "1", "Russia will keep offering military support to the Assad government."
            ),
            ClusterItem("b", "2", "Russia has ended its military support to the Assad government."),
            *(ClusterItem(*claim) for claim in FILLER),
        ]
    )
    assert {frozenset((c.a, c.b)) for c in result.contradictions} == {frozenset("ab")}
    assert result.assignments["a"] != result.assignments["b"]


def test_a_denial_is_reported_against_its_closest_assertions_only():
    asserting = [
        (f"s{n}", str(n), f"Trump paid federal income taxes in {year} on his casino business.")
        for n, year in enumerate(("the year 1995", "1996 and 1997", "several years", "the past"))
    ]
    found = contradictions_of(
        ("d", "9", "Trump did not pay federal income taxes on his casino business."), *asserting
    )
    denials = [pair for pair, c in found.items() if "d" in pair and c.kind == "denial"]
    assert 1 <= len(denials) <= 2


def test_avoiding_or_refusing_is_a_denial_of_what_follows():
    found = contradictions_of(
        ("a", "1", "The losses let the company avoid paying federal income taxes for years."),
        ("b", "2", "The company says it is paying federal income taxes every single year."),
    )
    assert "avoid paying" in found[frozenset("ab")].reason
