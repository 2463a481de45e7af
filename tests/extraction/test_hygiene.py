"""Extraction hygiene on real-news layouts (issue 13): speakers, cited sources, boilerplate,
datelines. Every text here is made up; each test checks one rule and fails without it."""

from __future__ import annotations

import pytest

from claims.extraction import extract_article
from claims.extraction.attribution import extract_attributions
from claims.extraction.datelines import read_dateline
from claims.extraction.names import extract_entities
from claims.extraction.sentences import split_sentences

HEADLINE = "Transit budget fight heads to the council\n\n"


def _article(*paragraphs: str) -> str:
    return HEADLINE + "\n\n".join(paragraphs)


def _claims(*paragraphs: str):
    return extract_article(_article(*paragraphs)).claims


def _claim(claims, fragment: str):
    found = [c for c in claims if fragment in c.text]
    assert found, f"no claim holds {fragment!r}: {[c.text for c in claims]}"
    return found[0]


def _texts(text: str) -> list[str]:
    return [s.text for s in split_sentences(text)]


# ---------------------------------------------------------------- sentences


@pytest.mark.parametrize(
    "text",
    [
        "Sens. Ann Ford and Tom Reyes said the tunnel plan would cost $2 billion more.",
        "Reps. Ann Ford and Tom Reyes said the tunnel plan would cost $2 billion more.",
        "Lt. Gov. Ann Ford said the tunnel plan would cost $2 billion more.",
        "Ann Ford of Fresno, Calif. Democrats said the tunnel plan would cost $2 billion more.",
        "Mary K. Lowell said the tunnel plan would cost $2 billion more.",
        "At 9 a.m. Ann Ford said the tunnel plan would cost $2 billion more.",
    ],
)
def test_abbreviations_do_not_split_a_sentence(text):
    assert _texts(text) == [text]


def test_abbreviation_before_a_sentence_start_still_splits():
    assert _texts("She was born in Fresno, Calif. The city grew fast.") == [
        "She was born in Fresno, Calif.",
        "The city grew fast.",
    ]


def test_a_quotation_of_several_sentences_stays_one_unit_with_its_attribution():
    text = "“Fares will rise. Service will not,” Ann Ford said. The vote is Monday."
    assert _texts(text) == [
        "“Fares will rise. Service will not,” Ann Ford said.",
        "The vote is Monday.",
    ]


def test_a_question_inside_a_quotation_stays_apart():
    text = "“We raised fares. Why did riders leave? Nobody knows,” Ann Ford said."
    assert _texts(text) == [
        "“We raised fares.",
        "Why did riders leave?",
        "Nobody knows,” Ann Ford said.",
    ]


def test_an_unclosed_quotation_does_not_swallow_the_line():
    text = "“Fares will rise. Service will be cut. Nobody voted for it."
    assert len(_texts(text)) == 3


def test_middle_initials_stay_inside_names():
    names = [e.text for e in extract_entities("Mary K. Lowell met Tom B. Reyes in Denver.")]
    assert "Mary K. Lowell" in names and "Tom B. Reyes" in names
    assert "Plan B" in [e.text for e in extract_entities("They chose Plan B. The rest failed.")]


def test_weekdays_titles_and_party_tags_are_not_names():
    found = {
        e.text: e.kind
        for e in extract_entities(
            "Voters in South Dakota Tuesday backed Florida Rep. Ann Ford (D-Fla.) over Tom Reyes."
        )
    }
    assert "South Dakota Tuesday" not in found and found.get("South Dakota") == "place"
    assert "Florida Rep" not in found and found.get("Ann Ford") == "person"
    assert "D-Fla" not in found


# ---------------------------------------------------------------- speakers


def test_middle_initial_speaker_is_whole():
    claim = _claim(
        _claims("The transit budget will shrink by 4 percent next year, Mary K. Lowell said."),
        "4 percent",
    )
    assert claim.speaker == "Mary K. Lowell"


def test_place_and_weekday_never_become_a_speaker():
    claims = _claims(
        "Ann Ford won the primary in South Dakota Tuesday by 12 points over Tom Reyes.",
        "“We will keep fighting for every single vote in this state,” she said in Denver Tuesday.",
    )
    claim = _claim(claims, "every single vote")
    assert claim.speaker == "Ann Ford"


def test_she_said_goes_to_the_woman_not_the_man_named_in_between():
    claims = _claims(
        "One delegate, party chairwoman Linda Marsh, pledged her vote to Tom Reyes on Friday.",
        "“We need to end this primary and get on to defeating Paul Denton,” she said.",
    )
    assert _claim(claims, "defeating Paul Denton").speaker == "Linda Marsh"


def test_he_said_goes_to_the_man_introduced_last_paragraph():
    claims = _claims(
        "Another delegate, Robert Vance of Ohio, explained his late support for Linda Marsh.",
        "“It is time to stand behind our likely nominee in this race,” he declared.",
    )
    assert _claim(claims, "stand behind our likely nominee").speaker == "Robert Vance"


def test_a_person_introduced_with_an_apposition_wins_over_an_earlier_subject():
    claims = _claims(
        "While Paul Denton had many backers, the gap worries Robert Vance, president of the "
        "county caucus.",
        "“No one is campaigning for our candidate in these neighbourhoods,” he said.",
    )
    assert _claim(claims, "No one is campaigning").speaker == "Robert Vance"


def test_names_inside_the_quotation_are_not_antecedents():
    claims = _claims(
        "Linda Marsh spoke to reporters at the depot on Friday morning.",
        "“Robert Vance has never ridden a bus in this city,” she said.",
    )
    assert _claim(claims, "never ridden a bus").speaker == "Linda Marsh"


def test_the_pollster_refers_back_to_the_named_person():
    claims = _claims(
        "Former campaign pollster Douglas Whitby spoke on a cable show on Sunday night.",
        "The pollster even suggested the mayor could be replaced by the council president.",
    )
    assert _claim(claims, "could be replaced").speaker == "Douglas Whitby"


def test_they_said_goes_to_an_organisation():
    claims = _claims(
        "The Transit Riders Union filed a complaint with the state board on Monday.",
        "They said the fare increase broke the city charter and must be reversed.",
    )
    assert _claim(claims, "broke the city charter").speaker == "Transit Riders Union"


def test_as_x_puts_it():
    claim = _claim(
        _claims("The plan is, as Linda Marsh puts it, a recipe for higher fares for commuters."),
        "recipe for higher fares",
    )
    assert claim.speaker == "Linda Marsh"


def test_a_campaign_criticizing_is_the_speaker():
    claim = _claim(
        _claims("Tom Reyes’ campaign has sharply criticized the council for delaying the budget."),
        "sharply criticized",
    )
    assert claim.speaker is not None and "campaign" in claim.speaker


def test_a_report_by_x_suggesting():
    claim = _claim(
        _claims("A report by the Urban Policy Institute suggesting that fares would rise was out."),
        "fares would rise",
    )
    assert claim.speaker == "Urban Policy Institute"


def test_a_poll_found_names_the_pollster_not_the_respondents():
    claim = _claim(
        _claims(
            "A Marist College poll released Monday found that 60 percent of riders said fares "
            "were too high."
        ),
        "60 percent",
    )
    assert claim.speaker == "Marist College"


def test_an_unnamed_poll_gives_no_speaker():
    claim = _claim(
        _claims("A new poll shows that the mayor remains in a tight race with the council chair."),
        "tight race",
    )
    assert claim.speaker is None


def test_a_header_a_region_or_a_descriptor_is_never_he():
    claims = _claims(
        "THE BORROWING Back when the loan was signed, officials in South Asia waited for weeks.",
        "“We never saw the money arrive at the ministry at all,” he said.",
    )
    assert _claim(claims, "never saw the money").speaker is None


def test_a_passive_cue_has_no_source_before_it():
    claim = _claim(
        _claims("The state removed voters from the rolls, in what is being criticized as a purge."),
        "removed voters",
    )
    assert claim.speaker is None


def test_a_sentence_start_word_is_never_a_speaker():
    claim = _claim(
        _claims("On Tuesday said the board would cut the number of routes by a third next year."),
        "routes",
    )
    assert claim.speaker is None


def test_said_in_the_passive_has_no_speaker_before_it():
    claim = _claim(
        _claims("As it turned out, the increase was later said to be illegal by a state judge."),
        "illegal",
    )
    assert claim.speaker is None


def test_a_passive_with_an_agent_names_the_agent():
    claim = _claim(
        _claims("A different side of the fare story was being told by The Valley Courier today."),
        "fare story",
    )
    assert claim.speaker == "Valley Courier"


def test_a_person_quoted_as_saying_is_the_speaker():
    claim = _claim(
        _claims("Mayor Dana Pruitt was quoted as saying that the city would appeal the ruling."),
        "appeal the ruling",
    )
    assert claim.speaker == "Dana Pruitt"


def test_lists_of_speakers_are_kept():
    claim = _claim(
        _claims("Sens. Ann Ford and Tom Reyes said the tunnel plan would cost $2 billion more."),
        "tunnel plan",
    )
    assert claim.speaker == "Ann Ford and Tom Reyes"


def test_a_quotation_signed_with_a_dash():
    claims = _claims(
        "Riders told us what the new timetable means for them.",
        "“The buses are late every single morning. I have lost two jobs because of it.” ― "
        "Rosa Delgado",
    )
    assert _claim(claims, "lost two jobs").speaker == "Rosa Delgado"


def test_a_paragraph_of_quotation_after_a_lead_in_takes_its_speaker():
    claims = _claims(
        "Ann Ford answered by pointing to the city’s record on safety.",
        "She said:",
        "“We have cut crashes by a third since 2014. The numbers speak for themselves.”",
    )
    assert _claim(claims, "cut crashes by a third").speaker == "Ann Ford"
    assert not any(c.text == "She said:" for c in claims)


def test_x_told_reporters_keeps_x():
    claim = _claim(
        _claims(
            "“Fares cannot rise again this year,” Ann Ford, who chairs the board, told "
            "reporters in Fresno."
        ),
        "Fares cannot rise",
    )
    assert claim.speaker == "Ann Ford"


def test_the_cue_touching_the_quotation_owns_it():
    claim = _claim(
        _claims(
            "When Ann Ford noted that Tom Reyes pays no fares ― Tom Reyes boasted, “That "
            "makes me a smart commuter.”"
        ),
        "smart commuter",
    )
    assert claim.speaker == "Tom Reyes"


# ---------------------------------------------------------------- cited sources


def test_told_an_outlet_gives_speaker_and_cited_source():
    claim = _claim(
        _claims("Mayor Tom Harlan told NBC that the budget would be cut by 4 percent next year."),
        "4 percent",
    )
    assert claim.speaker == "Tom Harlan"
    assert claim.cited_source is not None and "NBC" in claim.cited_source


def test_two_outlets_reporting_are_both_kept():
    claim = _claim(
        _claims("NBC News and ABC News reported that the council had lost two members this year."),
        "lost two members",
    )
    assert claim.speaker == "NBC News and ABC News"


def test_according_to_a_report_in_cites_the_outlet():
    claim = _claim(
        _claims(
            "The deficit grew to $40 million last year, according to a report in The Fresno Bee."
        ),
        "$40 million",
    )
    assert claim.speaker is None
    assert claim.cited_source is not None and "Fresno Bee" in claim.cited_source


def test_a_person_writing_for_an_outlet():
    claim = _claim(
        _claims(
            "“The budget vote changes little for riders,” wrote Dana Pruitt for Transit Weekly."
        ),
        "changes little",
    )
    assert claim.speaker == "Dana Pruitt"
    assert claim.cited_source == "Transit Weekly"


# ---------------------------------------------------------------- boilerplate and layout


@pytest.mark.parametrize(
    "line",
    [
        "Email any tips about the transit board to tips@example.com.",
        "Sponsored Content",
        "Trending Stories",
        "Most Read",
        "Editor’s note: The mayor is a serial liar and a former board member who has repeatedly "
        "pledged to ban all bicycles from every street in the city.",
        "Share this article",
        "Getty/Instagram.",
        "Ford reported from Fresno, Calif.; Reyes, from Sacramento.",
        "Jane Lowe contributed reporting to this story from the state capital.",
        "As published in the Weekend Edition of the Valley Courier.",
        "Dana Pruitt is the transit columnist for Valley News. Follow her on Twitter: @dpruitt.",
        "Follow Dana Pruitt on Twitter @DanaPruitt.",
        "PLEDGED DELEGATES AND OUTSTANDING VOTES TO BE COUNTED.",
        "The Latest on the transit budget vote in the state capital (all times PDT):",
        "Former transit board president Dana Pruitt.",
        "Ann Ford wrote:",
    ],
)
def test_boilerplate_never_becomes_a_claim(line):
    text = _article(
        "The transit board voted 5-2 on Monday to raise bus fares by 25 cents next year.",
        line,
        "The increase will take effect in January and affect about 40,000 daily riders.",
    )
    claims = extract_article(text).claims
    assert len(claims) == 2, [c.text for c in claims]
    assert not any(line[:20] in c.text for c in claims)


def test_a_question_signed_with_a_dash_is_not_a_claim():
    claims = _claims(
        "“The buses are late every single morning and nobody answers. How did we get this "
        "low?” ― Rosa Delgado"
    )
    assert not any("How did we get this low?" in c.text for c in claims)


@pytest.mark.parametrize(
    ("text", "place", "wire"),
    [
        ("WASHINGTON (AP) — The board met.", "Washington", "Associated Press"),
        ("NEW YORK (Reuters) - The board met.", "New York", "Reuters"),
        ("HEMPSTEAD, N.Y. ― The board met.", "Hempstead, N.Y.", None),
        ("CITY, N.C.—The board met.", "City, N.C.", None),
        ("(AFP) – The board met.", None, "Agence France-Presse"),
        ("PARIS, June 3 (AFP) - The board met.", "Paris", "Agence France-Presse"),
        ("WASHINGTON - The board met.", "Washington", None),
        ("ST. LOUIS — The board met.", "St. Louis", None),
    ],
)
def test_read_dateline(text, place, wire):
    dateline = read_dateline(text)
    assert dateline is not None
    assert (dateline.place, dateline.wire) == (place, wire)
    assert text[dateline.end :] == "The board met."


@pytest.mark.parametrize(
    "text",
    [
        "The board met on Monday.",
        "BREAKING — The board met.",
        "(Some people) - The board met.",
        "NASA said the launch - planned for May - was off.",
    ],
)
def test_no_dateline(text):
    assert read_dateline(text) is None


def test_dateline_is_kept_on_the_article_and_out_of_the_claims():
    raw = _article(
        "DENVER (AP) — The city council postponed its vote on the transit budget until next "
        "month, officials said Tuesday."
    )
    article = extract_article(raw)
    assert (article.place, article.wire) == ("Denver", "Associated Press")
    assert article.claims and article.claims[0].text.startswith("The city council")
    for claim in article.claims:
        assert article.body[claim.start : claim.end] == claim.text


def test_a_repeated_abstract_is_not_emitted():
    lead = "The transit board voted 5-2 on Monday to raise bus fares by 25 cents next year."
    text = _article(
        "ABSTRACT",
        lead,
        "FULL TEXT",
        lead,
        "The increase will take effect in January and affect about 40,000 daily riders.",
    )
    claims = extract_article(text).claims
    assert [c.text for c in claims].count(lead) == 1


# ---------------------------------------------------------------- attribution layout


def test_transcript_speaker_labels_are_attributions():
    text = (
        "WALLACE: Will the governor attend the debate tomorrow night in Ohio?\n"
        "PENCE: The governor will not be attending the debate tomorrow night."
    )
    found = extract_attributions(text)
    sources = {text[a.source.start : a.source.end] for a in found if a.source}
    assert {"WALLACE", "PENCE"} <= sources


def test_table_rows_are_not_speaker_labels():
    text = "Ann Ford: 1,769.\nTom Reyes: 1,501."
    assert not any(
        a.source and text[a.source.start : a.source.end] in {"Ann Ford", "Tom Reyes"}
        for a in extract_attributions(text)
    )


def test_relative_pronoun_source_reaches_its_antecedent():
    text = (
        "The fare rise was defended by Ann Ford, the board chair, who told reporters that it "
        "was unavoidable."
    )
    sources = [text[a.source.start : a.source.end] for a in extract_attributions(text) if a.source]
    assert any("Ann Ford" in s for s in sources), sources


@pytest.mark.parametrize(
    ("byline", "wire"),
    [("AP", "Associated Press"), ("By The Associated Press", "Associated Press"),
     ("Reuters", "Reuters"), ("AFP", "Agence France-Presse"), ("Jane Doe", None),
     ("Bloomberg", None), ("", None), (None, None)],
)  # fmt: skip
def test_a_byline_naming_a_wire_service_makes_the_article_its_copy(byline, wire):
    from claims.extraction.datelines import wire_named

    assert wire_named(byline) == wire


def test_an_adverb_before_the_cue_is_not_part_of_the_source_phrase():
    from claims.extraction.speakers import _clean_phrase

    assert _clean_phrase("The pollster even") == "The pollster"


def test_a_clause_is_never_a_speaker():
    """The tagger's source ran over a whole clause ("path … is now to convince … who’ve"):
    no speaker beats a sentence fragment standing as one."""
    claim = _claim(
        _claims(
            "Reyes’ only path to the nomination is now to convince enough of the delegates "
            "who’ve already said they support Ford to switch their allegiances."
        ),
        "only path",
    )
    assert claim.speaker is None


def test_a_speaker_named_after_the_cue_keeps_a_closing_description():
    claim = _claim(
        _claims(
            "The first television ad could start this week, said Brian Baker, a longtime "
            "adviser to the family who oversees the committee."
        ),
        "television ad",
    )
    assert claim.speaker == "Brian Baker"


def test_a_role_before_a_name_is_not_part_of_the_speaker():
    """Speakers are named without their titles, so that one person quoted by two outlets
    ("White House spokesman Josh Earnest", "press secretary Josh Earnest") is one origin."""
    claims = _claims(
        "Transit board spokesman Tom Reyes said Monday that the fare rise will take effect in May.",
        "But advisers to Mr. Reyes say the mayor has grown frustrated with the transit board.",
    )
    assert _claim(claims, "fare rise").speaker == "Tom Reyes"
    assert _claim(claims, "grown frustrated").speaker != "Tom Reyes"
    tagged = _claims("“Subpoenas are not optional,” panel Chairman Rep. Ann Ford (R-Utah) said.")
    assert _claim(tagged, "Subpoenas").speaker == "Ann Ford"
    inside = _claims("Valley Transit Board Chairwoman Dana Pruitt said the fares will rise in May.")
    assert _claim(inside, "fares will rise").speaker == "Dana Pruitt"


def test_a_source_ending_in_family_is_not_an_adverb():
    claim = _claim(_claims("The driver was unarmed, attorneys for the family said."), "unarmed")
    assert claim.speaker == "attorneys for the family"


def test_a_relative_source_reaches_back_to_whole_words():
    text = (
        "The plan to widen the ring road, rebuild the northern interchange and repave the old "
        "market square was approved on a narrow vote by the councillors, who said the work "
        "would start in spring."
    )
    sources = [text[a.source.start : a.source.end] for a in extract_attributions(text) if a.source]
    assert sources, "the relative source was not found"
    for source in sources:
        start = text.index(source)
        assert start == 0 or not text[start - 1].isalnum(), source
