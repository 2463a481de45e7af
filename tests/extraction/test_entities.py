from datetime import date

from claims.extraction.dates import extract_dates
from claims.extraction.names import extract_entities
from claims.extraction.quantities import extract_quantities


def _by_text(mentions):
    return {m.text: m for m in mentions}


def test_counted_noun_and_approximation_are_read_from_the_phrase():
    text = (
        "It said some 100 senior Russian diplomatic and technical officials stationed in "
        "Damascus were flown back, as many as 100 Russian advisers have left the country."
    )
    quantities = extract_quantities(text)

    assert [(q.value, q.approx, q.qualifier, q.unit) for q in quantities] == [
        (100, True, "some", "officials"),
        (100, True, "as many as", "advisers"),
    ]
    assert all(text[q.start : q.end] == q.text for q in quantities)


def test_percentages_scales_currency_and_number_words():
    text = (
        "The group controls some 50 percent of the territory, Assad only 25%. Over 1.4 million "
        "fans paid $10,000 and two people died; a dozen soldiers were hurt, one of them said."
    )
    found = {(q.value, q.unit, q.approx) for q in extract_quantities(text)}

    assert {
        (50, "percent", True),
        (25, "percent", False),
        (1_400_000, "fans", False),
        (10_000, "$", False),
        (2, "people", False),
        (12, "soldiers", False),
    } <= found
    assert not any(unit is None for _, unit, _ in found)  # "one of them" is not a count


def test_a_share_is_one_quantity_stated_as_its_percentage():
    """ "eight of 10 voters" is 80 percent of voters, not ten voters: it meets "80 percent"
    and differs from "nine in 10"."""
    text = (
        "Nearly eight of 10 voters will watch; one in four will not, and 9 out of 10 "
        "said the debate changed nothing. Only 3 of the 12 judges agreed."
    )
    quantities = extract_quantities(text)
    assert [(q.text, q.value, q.unit, q.approx) for q in quantities] == [
        ("Nearly eight of 10 voters", 80.0, "percent", True),
        ("one in four", 25.0, "percent", False),
        ("9 out of 10", 90.0, "percent", False),
        ("Only 3", 3.0, None, False),
        ("12 judges", 12.0, "judges", False),
    ]


def test_years_and_dates_are_not_quantities():
    text = "The war began in 2011 and on May 31 2015 it entered its fifth year; 2000 troops left."
    values = [q.value for q in extract_quantities(text)]
    assert values == [2000]


def test_dates_absolute_partial_relative_and_resolved_weekdays():
    text = (
        "Members said Sunday that in late March, as in 2011, officials left last week; "
        "the report of May 31 2015 and 1 June 2015 came two days ago."
    )
    dates = _by_text(extract_dates(text, reference=date(2015, 6, 1)))

    assert dates["Sunday"].value == "2015-05-31"
    assert dates["late March"].kind == "month"
    assert dates["2011"].value == "2011"
    assert dates["last week"].kind == "relative"
    assert dates["May 31 2015"].value == "2015-05-31"
    assert dates["1 June 2015"].value == "2015-06-01"
    assert dates["two days ago"].kind == "relative"


def test_may_the_verb_is_not_a_month():
    assert extract_dates("Russia may expedite his exit.") == []


def test_people_organisations_outlets_and_places():
    text = (
        "Saudi Foreign Minister Adel al-Jubeir met Secretary of State John Kerry in Cairo. "
        "According to the London-based Syrian Observatory for Human Rights, Israel’s Channel Two "
        "and Reuters reported on the U.N. Security Council."
    )
    entities = extract_entities(text)
    kinds = {e.text: e.kind for e in entities}

    assert kinds["Adel al-Jubeir"] == "person"
    assert kinds["John Kerry"] == "person"
    assert kinds["Cairo"] == "place"
    assert kinds["Syrian Observatory for Human Rights"] == "organisation"
    assert kinds["Channel Two"] == "outlet"
    assert kinds["Reuters"] == "outlet"
    assert kinds["Israel"] == "place"
    assert kinds["U.N. Security Council"] == "organisation"
    assert all(text[e.start : e.end] == e.text for e in entities)
    assert "According" not in kinds and "London-based" not in kinds
