"""Independent origins: where each article's claim came from, and how many distinct origins a
cluster really has once aliases and repeated reports are merged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claims.extraction.origins import (
    OriginEvidence,
    SentenceAttribution,
    article_frame,
    contextual_cited_sources,
    independent_origins,
    is_named,
    normalise_name,
    same_origin,
    sources_in_article,
    trace_origin,
)

GOLD = Path(__file__).resolve().parents[2] / ".." / "shared" / "gold" / "seeds.json"


def evidence(article: str, source=None, speaker=None, cited=None) -> OriginEvidence:
    return OriginEvidence(article, source, speaker, cited)


def test_cited_source_is_the_origin_before_speaker_and_outlet():
    e = evidence("1", "Jews News", "Syrian opposition sources", "Asharq Al-Awsat reported")
    assert trace_origin(e) == normalise_name("Asharq Al-Awsat")


def test_named_speaker_is_the_origin_when_nothing_is_cited():
    assert trace_origin(evidence("1", "Bloomberg", "Ruslan Pukhov", None)) == "ruslan pukhov"


def test_anonymous_sources_with_nothing_cited_are_the_article_itself():
    assert trace_origin(evidence("1", "Bloomberg", "a person close to the Kremlin")) == "bloomberg"
    assert trace_origin(evidence("7", None, "Syrian opposition sources")).endswith("7")


@pytest.mark.parametrize(
    "name",
    ["Syrian opposition sources", "Members of the Syrian opposition", "the delegation chief",
     "a person close to the Kremlin", "the Saudi-owned newspaper", "He", "", None],
)  # fmt: skip
def test_descriptions_and_pronouns_are_not_names(name):
    assert not is_named(name)


@pytest.mark.parametrize(
    "name",
    ["Reuters", "Riyadh Tabara", "The Foreign Ministry in Moscow", "Al-Hayat",
     "Syrian Observatory for Human Rights", "Israel's Channel Two"],
)  # fmt: skip
def test_outlets_people_and_institutions_are_names(name):
    assert is_named(name)


def test_spellings_of_one_outlet_normalise_or_alias_to_one_name():
    spellings = [
        "Asharq Al-Awsat",
        "asharq al-awsat",
        "the Saudi-owned London-based Asharq al-Awsat newspaper",
        "Asharq Al-Awsat\u2019s",
        "Asharq",
    ]
    keys = [normalise_name(spelling) for spelling in spellings]
    assert all(same_origin(keys[0], key) for key in keys)


def test_surname_spelt_two_ways_is_one_person_but_other_surnames_are_not():
    assert same_origin(normalise_name("Sir Tony Benton"), normalise_name("Brenton"))
    assert not same_origin(normalise_name("Brenton"), normalise_name("Benson"))
    assert not same_origin(normalise_name("Tony Blair"), normalise_name("Tony Benton"))


def test_a_common_media_word_alone_does_not_alias_outlets():
    assert not same_origin(normalise_name("The Times"), normalise_name("The New York Times"))


def test_three_articles_repeating_one_report_have_one_origin():
    members = [
        evidence("000", None, "a prominent Arabic-language newspaper", "Asharq Al-Awsat"),
        evidence("001", "Jews News", "Syrian opposition sources", "Asharq"),
        evidence("003", "MESOP", "Members of the Syrian opposition", "Asharq al-Awsat"),
    ]
    summary = independent_origins(members)
    assert summary.count == 1
    assert normalise_name(summary.primary) == "asharq al awsat"
    assert summary.article_counts == {summary.primary: 3}


def test_unnamed_outlet_is_taken_as_the_one_outlet_the_cluster_names():
    members = [
        evidence("000", None, "The head of the Russian delegation", "Asharq Al-Awsat"),
        evidence("001", "Jews News", "the delegation chief", "The pro-Saudi paper"),
    ]
    assert independent_origins(members).count == 1


def test_unnamed_outlet_stays_apart_when_the_cluster_names_two_outlets():
    members = [
        evidence("1", "A", None, "Reuters"),
        evidence("2", "B", None, "Al-Hayat"),
        evidence("3", "C", "officials", "the newspaper"),
    ]
    assert independent_origins(members).count == 3


def test_independent_witnesses_are_counted_separately_and_ranked_by_support():
    members = [
        evidence("1", "Bloomberg", "Ruslan Pukhov"),
        evidence("2", "Reuters", None, "Ruslan Pukhov"),
        evidence("3", "The Guardian", "a person close to the Kremlin"),
        evidence("4", "The Times", None, None),
    ]
    summary = independent_origins(members)
    assert summary.count == 2  # The Times only narrates: it adds no witness of its own
    assert summary.primary == "Ruslan Pukhov"
    assert summary.article_counts["Ruslan Pukhov"] == 2
    assert summary.article_counts["Guardian"] == 1


def test_outlets_restating_a_wire_report_in_their_own_voice_are_one_origin():
    members = [
        evidence("1", "HuffPost", "The Associated Press"),
        evidence("2", "The New York Times", None, None),
        evidence("3", "Western Journal", None, "an Associated Press survey"),
        evidence("4", "Breitbart", "", ""),
    ]
    summary = independent_origins(members)
    assert summary.count == 1
    assert normalise_name(summary.primary) == "associated press"


def test_a_fact_nobody_is_named_for_is_one_unattributed_origin():
    members = [evidence(key, outlet) for key, outlet in (("1", "A"), ("2", "B"), ("3", "C"))]
    summary = independent_origins(members)
    assert (summary.count, summary.primary) == (1, "Unattributed")
    assert summary.article_counts == {"Unattributed": 3}


def test_empty_cluster_has_no_origin():
    summary = independent_origins([])
    assert (summary.count, summary.primary, summary.origins) == (0, None, ())


def test_gold_origin_counts_for_the_seed_clusters():
    if not GOLD.exists():
        pytest.skip(f"{GOLD} absent: gold annotations live in the shared folder")
    gold = json.loads(GOLD.read_text(encoding="utf-8"))["clusters"]
    # Evidence as the seed articles state it (speaker and cited outlet of each member).
    members = {
        "russian_staff_left": [
            evidence("000", None, "a prominent Arabic-language newspaper", "Asharq Al-Awsat"),
            evidence("001", None, "Syrian opposition sources", "Asharq"),
            evidence("003", None, "Members of the Syrian opposition", "Asharq al-Awsat"),
        ],
        "delegation_head_statement": [
            evidence("000", None, "The head of the Russian delegation", "Asharq Al-Awsat"),
            evidence("001", None, "the delegation chief", "The pro-Saudi paper"),
        ],
    }
    for name, cluster_members in members.items():
        summary = independent_origins(cluster_members)
        assert summary.count == gold[name]["independent_origins"], name
        assert normalise_name(summary.primary) == normalise_name(gold[name]["origin"]), name


# Reading a claim in its article's context (sources_in_article).


def said(speaker=None, cue=None, cited=None) -> SentenceAttribution:
    return SentenceAttribution(speaker, cue, cited)


def test_an_article_reporting_another_outlets_story_passes_it_to_unattributed_claims():
    article = [
        said("Asharq Al-Awsat", "reported"),
        said(),  # "Many of the Russian officials ... worked in the operations center"
        said("The head of the Russian delegation"),  # an unnamed speaker
        said("Israel's Channel Two", "said"),  # a named speaker of its own
    ]
    assert sources_in_article(article) == [None, "Asharq Al-Awsat", "Asharq Al-Awsat", None]


def test_an_outlet_cited_below_the_lead_does_not_frame_the_article():
    article = [said(), said("Reuters", "reported"), said()]
    assert article_frame(article) is None
    assert sources_in_article(article) == [None, None, None]


def test_a_lead_with_a_plain_speech_cue_is_not_a_report_about_a_report():
    assert article_frame([said("Ruslan Pukhov", "said"), said()]) is None


def test_a_repeated_speaker_keeps_the_source_named_at_another_mention():
    article = [
        said("Tabara", "said"),  # '"Moscow wants guarantees," said Tabara.'
        said("Riyadh Tabara", "told", "Asharq Al-Awsat"),
        said("Faysal Itani", "said"),
    ]
    assert sources_in_article(article) == ["Asharq Al-Awsat", "Asharq Al-Awsat", None]


def test_contextual_sources_keep_articles_apart():
    claims = [
        ("a", said("Asharq Al-Awsat", "reported")),
        ("a", said()),
        ("b", said()),
    ]
    assert contextual_cited_sources(claims) == [None, "Asharq Al-Awsat", None]


def test_a_wire_copy_passes_the_agency_to_its_unattributed_claims():
    claims = [said(), said("Bernie Sanders", "said"), said("officials", "said")]
    assert sources_in_article(claims, wire="Associated Press") == [
        "Associated Press",
        None,
        "Associated Press",
    ]
    assert sources_in_article(claims) == [None, None, None]


def test_outlets_running_one_agency_story_and_one_restating_it_are_one_origin():
    copies = [
        evidence("1", "Breitbart", None, "Associated Press"),  # wire copy, narration
        evidence("2", "Yahoo", None, "Associated Press"),
        evidence("3", "The Times", None, None),  # its own restatement
    ]
    summary = independent_origins(copies)
    assert (summary.count, summary.primary) == (1, "Associated Press")


def test_contextual_sources_give_each_wire_copy_its_agency():
    rows = [("a", said()), ("b", said()), ("b", said("Jane Roe", "said"))]
    assert contextual_cited_sources(rows, {"b": "Reuters"}) == [None, "Reuters", None]


def test_a_reportedly_claim_traces_to_the_report_the_article_cites_even_further_down():
    article = [
        said(None, "reportedly"),  # "she has reportedly amassed the 2,383 delegates needed"
        said(),
        said("the Associated Press", "According to"),
    ]
    assert sources_in_article(article)[0] == "the Associated Press"
    assert sources_in_article([said(None, "reportedly"), said()]) == [None, None]


@pytest.mark.parametrize(
    ("short", "long"),
    [("AP", "The Associated Press"), ("AFP", "Agence France-Presse"), ("NYT", "New York Times")],
)
def test_an_agency_and_its_initials_are_one_origin(short, long):
    assert same_origin(normalise_name(short), normalise_name(long))


def test_initials_of_other_words_are_not_an_acronym():
    assert not same_origin(normalise_name("AP"), normalise_name("Agence France-Presse"))
    assert not same_origin(normalise_name("Al"), normalise_name("Associated Lawyers"))


def test_a_speaker_whose_name_normalises_to_nothing_is_no_ones_origin():
    """FNC-1's "IS-affiliated websites claimed …" gave a speaker with no name words left,
    and re-clustering a 1,668-article dossier failed on it (IndexError) until this held."""
    assert normalise_name("IS-affiliated") == ""
    assert not same_origin(normalise_name("IS-affiliated"), normalise_name("Tony Benton"))
    assert not same_origin("", "")
    article = [
        said("Tony Benton", "told", "Reuters"),
        said("IS-affiliated", "websites claimed"),
        said("Benton", "said"),
    ]
    assert sources_in_article(article) == ["Reuters", None, "Reuters"]
