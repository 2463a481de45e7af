import pytest

from claims.extraction import extract_article
from claims.extraction.kinds import (
    CHECKWORTHY_KINDS,
    ClaimKind,
    classify_claim_kind,
    is_checkworthy_kind,
)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # Facts: past or present events, no figure, no future, no opinion.
        ("Clinton won the primary in New Jersey on Tuesday.", ClaimKind.FACTUAL),
        ("The senator resigned from the committee in March.", ClaimKind.FACTUAL),
        # "May" the month is not the modal; "could not be reached" is not a prediction.
        ("In May, the governor signed the bill into law.", ClaimKind.FACTUAL),
        ("The mayor could not be reached for comment on Friday.", ClaimKind.FACTUAL),
        # A relative clause in the future does not make the main statement a prediction.
        ("Jones, who will face Smith in November, won four states.", ClaimKind.FACTUAL),
        # Past expectations and schedules, "going to" a place, "would-be": not predictions.
        ("Clinton was expected to capture a large majority of them.", ClaimKind.FACTUAL),
        ("Obama was scheduled to meet with Sanders at the White House.", ClaimKind.FACTUAL),
        ("The reality is this is going to the convention, he said.", ClaimKind.FACTUAL),
        ("She campaigned as a strong would-be commander in chief.", ClaimKind.FACTUAL),
        # Looking back: "would have" is not about the future.
        ("Without the recount, Jones would have lost the seat.", ClaimKind.FACTUAL),
        # Figures: digits, percentages, money, large counts; a year alone is not one.
        ("The ministry said 42 soldiers were killed near the border.", ClaimKind.STATISTIC),
        ("Turnout reached 61 percent in the northern districts.", ClaimKind.STATISTIC),
        ("The programme cost $4 million last year, the audit found.", ClaimKind.STATISTIC),
        ("Thousands of people marched through the capital on Sunday.", ClaimKind.STATISTIC),
        ("The bridge opened to traffic in 2015 after a long delay.", ClaimKind.FACTUAL),
        # Predictions, including a predicted figure.
        ("The senator will stay in the race until the convention.", ClaimKind.PREDICTION),
        ("Unemployment is expected to reach 5 percent next year.", ClaimKind.PREDICTION),
        ("Analysts said the deal could collapse within weeks.", ClaimKind.PREDICTION),
        ("“We’ll win this state,” the candidate told supporters.", ClaimKind.PREDICTION),
        ("The party is likely to lose seats in the autumn election.", ClaimKind.PREDICTION),
        ("They are going to have to compromise, the leader said.", ClaimKind.PREDICTION),
        ("The IMF forecasts growth of 3 percent next year.", ClaimKind.PREDICTION),
        # Questions, also inside a quotation closed by its attribution.
        ("Is this the end of the road for the campaign?", ClaimKind.QUESTION),
        ("“Why would we quit now?” the senator asked reporters.", ClaimKind.QUESTION),
        # Opinions in the speaker's own words, and reported beliefs.
        (
            "“I think she is the best candidate we have,” the president said.",
            ClaimKind.QUOTE_OPINION,
        ),
        ("“It is a disgrace and a disaster for the party,” Smith said.", ClaimKind.QUOTE_OPINION),
        ("“We must stand together as a party,” she told the crowd.", ClaimKind.QUOTE_OPINION),
        ("The president believes the party must unite behind her.", ClaimKind.QUOTE_OPINION),
        # A figure inside a quoted opinion can be checked: a statistic.
        ("“I am proud that we won 27 states,” the senator said.", ClaimKind.STATISTIC),
        # Market-index moves and page furniture.
        ("The Dow Jones industrial average fell 150 points, or 0.9 percent.", ClaimKind.OTHER),
        ("The S&P 500 index closed higher for a third day on Friday.", ClaimKind.OTHER),
        ("Stocks rallied sharply on Wall Street after the jobs report.", ClaimKind.OTHER),
        ("Sign up for our newsletter to get the latest news every day.", ClaimKind.OTHER),
        ("© 2016 Example Media Group. All rights reserved.", ClaimKind.OTHER),
    ],
)
def test_each_claim_gets_the_kind_its_wording_shows(text, kind):
    assert classify_claim_kind(text) == kind


def test_a_scare_quoted_word_is_not_a_quoted_opinion():
    assert classify_claim_kind('The senator called the plan a "great" idea.') == ClaimKind.FACTUAL
    assert (
        classify_claim_kind("The senator called the plan “a great deal for workers.”")
        == ClaimKind.QUOTE_OPINION
    )


def test_stored_quantities_decide_a_statistic_without_reparsing():
    text = "The ministry said soldiers were killed near the border."
    figure = [{"text": "42 soldiers", "value": 42.0, "unit": "soldiers"}]
    assert classify_claim_kind(text, figure) == ClaimKind.STATISTIC
    assert classify_claim_kind(text, []) == ClaimKind.FACTUAL
    small = [{"text": "two states", "value": 2.0, "unit": "states"}]
    assert classify_claim_kind("Jones won two states on Tuesday night.", small) == ClaimKind.FACTUAL


def test_only_facts_and_figures_are_checkworthy():
    assert {ClaimKind.FACTUAL, ClaimKind.STATISTIC} == CHECKWORTHY_KINDS
    assert is_checkworthy_kind("statistic") and not is_checkworthy_kind("prediction")


def test_the_django_choices_mirror_the_extractor_kinds():
    from claims.models import CHECKWORTHY_KINDS as STORED_CHECKWORTHY
    from claims.models import ClaimKind as StoredKind

    assert [k.value for k in StoredKind] == [k.value for k in ClaimKind]
    assert {k.value for k in STORED_CHECKWORTHY} == {k.value for k in CHECKWORTHY_KINDS}


def test_extract_article_gives_every_claim_a_kind():
    extracted = extract_article(
        "Strike at the port\n\n"
        "Dock workers in Rotterdam ended their strike on Friday, union leader Marta Jansen said. "
        "The port authority agreed to a 6 percent raise for 4,000 workers. "
        "Jansen said the union will strike again in the spring if talks fail. "
        "“I think this is a fair and honest deal for everyone,” Jansen said.\n"
    )
    kinds = {claim.text[:20]: claim.kind for claim in extracted.claims}
    assert kinds == {
        "Dock workers in Rott": "factual",
        "The port authority a": "statistic",
        "Jansen said the unio": "prediction",
        "“I think this is a f": "quote_opinion",
    }
