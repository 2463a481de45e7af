import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claims.extraction.text import clean_article, detect_language, normalise_text, strip_markup

HOSTILE_PAGE = """<!doctype html><html lang="en"><head>
<title>Site | Officials leave capital</title>
<meta property="og:title" content="Officials leave capital">
<meta name="author" content="Jane Roe">
<meta property="article:published_time" content="2015-06-01T12:00:00Z">
<style>p { color: red }</style><script>alert('head')</script></head>
<body><nav>Home News Sport</nav><article><h1>Officials leave capital</h1>
<p onclick="steal()">The ministry said on Sunday that 100 officials had left the capital
for the coast with their families.</p>
<iframe src="https://evil.example/frame">framed text</iframe>
<p>&lt;script&gt;alert(2)&lt;/script&gt; Officials confirmed the departures to reporters in
the port city late on Monday evening, a spokesman said.</p>
<script>document.cookie</script></article></body></html>"""


def _origin_char_matches(source: str, cleaned: str, index: int, start: int, end: int) -> bool:
    """The cleaned character came from source[start:end]: same char, its NFKC form, or
    whitespace for whitespace."""
    original = source[start:end]
    if cleaned[index].isspace():
        return original[:1].isspace() or original == ""
    return cleaned[index] in unicodedata.normalize("NFKC", original)


def test_html_scripts_iframes_styles_and_handlers_never_reach_the_body():
    article = clean_article(HOSTILE_PAGE, content_type="text/html; charset=utf-8")

    for forbidden in ("alert", "document.cookie", "steal", "onclick", "color: red", "<", "framed"):
        assert forbidden not in article.body
    assert "100 officials had left the capital" in article.body
    assert "Officials confirmed the departures" in article.body


def test_html_metadata_gives_title_author_and_date():
    article = clean_article(HOSTILE_PAGE, content_type="text/html")

    assert article.title == "Officials leave capital"
    assert article.author == "Jane Roe"
    assert (article.published_at, article.published_precision) == ("2015-06-01", "day")
    assert not article.body.startswith("Officials leave capital")


def test_an_html_fragment_is_read_like_a_page():
    article = clean_article(
        "<p>Officials said on Monday that 300 troops left the base.</p><script>x()</script>",
        content_type="text/html",
    )
    assert article.body == "Officials said on Monday that 300 troops left the base."


def test_strip_markup_keeps_text_and_drops_script_content():
    assert strip_markup("AT&amp;T <b>rose</b> <script>x()</script>5%") == "AT&T rose 5%"


def test_non_breaking_spaces_are_normalised_and_every_char_maps_back_to_the_source():
    source = "Russia\u00a0 has\t\tleft\u00a0Syria.\r\n\r\n\r\nCafe\u0301 \ufb01ne\u200b day \u2026"
    mapped = normalise_text(source)

    assert mapped.text == "Russia has left Syria.\n\nCafé fine day ..."
    for index in range(len(mapped.text)):
        start, end = mapped.source_span(index, index + 1)
        assert _origin_char_matches(source, mapped.text, index, start, end), index


def test_source_span_of_a_word_is_the_word_in_the_upload():
    source = "Intro\u00a0line.\n\nThe\u00a0minister\u00a0said  so."
    mapped = normalise_text(source)
    start = mapped.text.index("minister")

    s, e = mapped.source_span(start, start + len("minister"))
    assert source[s:e] == "minister"


@given(st.lists(st.sampled_from(list("ab \u00a0\t\n\r\u200bé\u0301ﬁ…") + ["e\u0301"])).map("".join))
def test_offset_map_is_monotonic_and_faithful_for_any_text(source):
    mapped = normalise_text(source)

    assert len(mapped.origin) == len(mapped.text)
    assert list(mapped.origin) == sorted(mapped.origin)
    assert "\u00a0" not in mapped.text and "  " not in mapped.text and "\r" not in mapped.text
    for index in range(len(mapped.text)):
        start, end = mapped.source_span(index, index + 1)
        assert _origin_char_matches(source, mapped.text, index, start, end)


def test_body_offsets_map_back_into_the_uploaded_text():
    raw = "Headline about the talks\n\nJERUSALEM\u2014The envoy\u00a0said talks would resume in June.\n"
    article = clean_article(raw)
    start = article.body.index("envoy")

    s, e = article.source_span(start, start + len("envoy"))
    assert article.source[s:e] == "envoy"


def test_navigation_line_is_skipped_and_headline_and_subheadline_are_taken_out():
    raw = (
        "Browse By\n\nMinisters agree new border deal\n\nTalks ended late on Friday, officials say\n\n"
        "The ministers of both countries signed the agreement in Geneva on Friday night.\n"
    )
    article = clean_article(raw)

    assert article.title == "Ministers agree new border deal"
    assert article.subtitle == "Talks ended late on Friday, officials say"
    assert (
        article.body
        == "The ministers of both countries signed the agreement in Geneva on Friday night."
    )


def test_no_headline_when_the_text_starts_with_a_paragraph():
    raw = (
        "A small meteorite crashed into a wooded area near the capital overnight, the government "
        "said Sunday. Residents reported hearing a mysterious boom.\n\nMore text follows here."
    )
    assert clean_article(raw).title is None


def test_inline_byline_gives_author_and_date_and_is_cut_from_the_body():
    raw = (
        "Rebels advance on the capital\n\n"
        "By Erin Banco @ErinBanco on May 31 2015 \u2013 Members of the opposition said Sunday "
        "that 100 advisers have left.\n"
    )
    article = clean_article(raw)

    assert article.author == "Erin Banco"
    assert (article.published_at, article.published_precision) == ("2015-05-31", "day")
    assert article.body.startswith("Members of the opposition said Sunday")


def test_date_line_is_metadata_not_body():
    raw = "Report: talks collapse\n\n\u2022 June 1, 2015 12:23 pm\n\nThe talks collapsed on Sunday after a week.\n"
    article = clean_article(raw)

    assert article.published_at == "2015-06-01"
    assert "2015" not in article.body


def test_a_copyright_year_is_boilerplate_and_no_publication_date():
    raw = (
        "Leader flees after defeat\nPublished in News & Features\n"
        "The leader left the country on Sunday, officials said.\n"
        "\u00a92024 Bloomberg L.P. Visit bloomberg.com. Distributed by Tribune Content Agency, LLC.\n"
        "Comments"
    )
    article = clean_article(raw)

    assert (article.published_at, article.published_precision) == (None, None)
    assert article.body == "The leader left the country on Sunday, officials said."


def test_captions_credits_and_promotion_lines_are_dropped():
    raw = (
        "Minister resigns over scandal\n\n"
        "Jane Doe\nJane Doe / AP\n\n"
        "The minister resigned on Tuesday after reports of missing funds.\n\n"
        "The minister speaks to reporters in the capital. [Photo via Reuters]\n"
        "Her deputy will take over until elections in May 2025, the office said.\n\n"
        "Click here for the Top 12 Moments in politics\n\n"
        "Join the over 1.4 million fans of Daily Politics on FB\n\n"
        "Published under: Politics, Scandal\n\n"
        "Powered by WordPress Popup\n\n"
        "[Vadim Savitsky/AP Images]"
    )
    article = clean_article(raw)

    assert article.body == (
        "The minister resigned on Tuesday after reports of missing funds.\n\n"
        "Her deputy will take over until elections in May 2025, the office said."
    )


def test_a_body_sentence_that_mentions_publishing_is_kept():
    raw = "Study questioned\n\nPublished in 2015, the study found that 40 percent of wells were dry.\n"
    assert "40 percent of wells" in clean_article(raw).body


def test_dateline_is_removed_from_the_first_paragraph_only():
    raw = "Ceasefire agreed\n\nMOSCOW (Reuters) - The two sides agreed a ceasefire.\n\nLONDON\u2014Markets rose.\n"
    body = clean_article(raw).body

    assert body.startswith("The two sides agreed")
    assert "LONDON\u2014Markets rose." in body


def test_hard_wrapped_lines_are_rejoined_into_one_paragraph():
    raw = "Aid arrives\n\nThe first convoy reached the city on Monday after\nweeks of negotiations with the army.\n"
    assert clean_article(raw).body == (
        "The first convoy reached the city on Monday after weeks of negotiations with the army."
    )


def test_language_detection():
    assert detect_language("The minister said that the talks with the rebels would resume.") == "en"
    assert (
        detect_language("Le ministre a dit que les pourparlers avec les rebelles sont finis.")
        == "fr"
    )
    assert detect_language("Министр заявил, что переговоры возобновятся.") == "ru"
    assert detect_language("1234 5678") == "und"


_DATELINE_BODY = (
    "The minister said on Monday that the troops would leave the border region soon.\n"
    "Officials confirmed the plan.\n\u00a9 2024 Bloomberg L.P."
)


@pytest.mark.parametrize(
    "head",
    [
        "Beirut, 2 June 2015",
        "By Jane Roe\nBeirut, 2 June 2015",
        "By Jane Roe, Beirut, 2 June 2015",
        "By Jane Roe in Beirut, 2 June 2015",
        "Beirut, June 2, 2015 10:30 am",
    ],
)
def test_a_place_and_date_dateline_in_the_byline_is_the_publication_date(head):
    article = clean_article(f"Troops leave the border region\n{head}\n{_DATELINE_BODY}")

    assert (article.published_at, article.published_precision) == ("2015-06-02", "day")
    assert article.title == "Troops leave the border region"
    assert article.body.startswith("The minister said on Monday")
    assert "Beirut" not in article.body and "2024" not in article.body


def test_a_place_and_date_line_deep_in_the_body_is_not_a_dateline():
    lines = [f"Paragraph {n} says the talks went on for another day." for n in range(14)]
    raw = "Talks go on in the capital\n" + "\n".join(lines) + "\nBeirut, 2 June 2015"

    assert clean_article(raw).published_at is None


_PARAGRAPH = (
    "<p>"
    + "The minister said the troops would leave the border soon, officials said. " * 6
    + "</p>"
)


@pytest.mark.parametrize(
    ("head", "title", "author", "published"),
    [
        (
            '<meta property="og:title" content="The headline of the page">'
            '<meta property="article:published_time" content="2016-06-03T10:00:00Z">',
            "The headline of the page",
            None,
            "2016-06-03",
        ),
        (
            '<script type="application/ld+json">{"@context": "https://schema.org", '
            '"@type": "NewsArticle", "headline": "The JSON-LD headline", '
            '"datePublished": "2016-06-04T08:00:00+02:00", '
            '"author": {"@type": "Person", "name": "Jane Roe"}}</script>',
            "The JSON-LD headline",
            "Jane Roe",
            "2016-06-04",
        ),
    ],
)
def test_open_graph_and_json_ld_give_title_author_and_date(head, title, author, published):
    page = f"<html><head>{head}</head><body><article>{_PARAGRAPH}</article></body></html>"
    article = clean_article(page, content_type="text/html")

    assert (article.title, article.author) == (title, author)
    assert (article.published_at, article.published_precision) == (published, "day")


def test_html_time_element_gives_the_date_but_a_copyright_footer_does_not():
    dated = (
        "<html><body><article><h1>Troops leave the border</h1>"
        f'<time datetime="2016-06-05">5 June</time>{_PARAGRAPH}</article></body></html>'
    )
    copyright_only = (
        "<html><body><article><h1>Troops leave the border</h1>"
        f"{_PARAGRAPH}<p>\u00a9 2024 Bloomberg L.P.</p></article></body></html>"
    )

    assert clean_article(dated, content_type="text/html").published_at == "2016-06-05"
    assert clean_article(copyright_only, content_type="text/html").published_at is None


def test_a_headline_paragraph_with_an_appended_full_stop_is_the_title():
    body = "\n\nWASHINGTON - The senator said on Monday that the vote would be close.\n\nMore text."
    two_lines = clean_article("Win could help Sanders; \nUnderdog sees a prospect." + body)
    abbreviation = clean_article("Troops head back to the U.S." + body)

    assert two_lines.title == "Win could help Sanders; Underdog sees a prospect"
    assert abbreviation.title == "Troops head back to the U.S."


def test_a_text_of_one_paragraph_has_no_headline_paragraph():
    article = clean_article("The senator said on Monday that the vote would be close.\nMore text.")

    assert article.title is None
