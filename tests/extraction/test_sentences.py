from claims.extraction.sentences import MAX_SENTENCE_CHARS, split_sentences


def _texts(text: str) -> list[str]:
    sentences = split_sentences(text)
    assert all(text[s.start : s.end] == s.text for s in sentences)
    return [s.text for s in sentences]


def test_abbreviations_titles_and_initials_do_not_end_sentences():
    text = (
        "It will strain ties with the U.S., who want him gone. The U.S. wants to focus on ISIS. "
        "Gen. John Smith met J. R. Ewing and Mr. Brown at the U.N. Security Council."
    )
    assert _texts(text) == [
        "It will strain ties with the U.S., who want him gone.",
        "The U.S. wants to focus on ISIS.",
        "Gen. John Smith met J. R. Ewing and Mr. Brown at the U.N. Security Council.",
    ]


def test_an_acronym_at_the_end_of_a_sentence_still_ends_it_before_a_sentence_start():
    assert _texts("Aid came from the U.S. The convoy arrived Monday.") == [
        "Aid came from the U.S.",
        "The convoy arrived Monday.",
    ]


def test_a_missing_space_after_a_period_is_a_boundary():
    assert _texts("They hoped to gain ground near the capital.In fact, they declined.") == [
        "They hoped to gain ground near the capital.",
        "In fact, they declined.",
    ]


def test_quotes_stay_with_their_sentence():
    text = (
        "“We reject the actions of Iran … and its support,” al-Jubeir said. "
        "“[Iran] is the only state that interferes.” Tarja Cronberg said: “The question is how.”"
    )
    assert _texts(text) == [
        "“We reject the actions of Iran … and its support,” al-Jubeir said.",
        "“[Iran] is the only state that interferes.”",
        "Tarja Cronberg said: “The question is how.”",
    ]


def test_decimals_domains_and_line_breaks():
    text = "Shares fell 1.4 percent. Visit bloomberg.com for more\nNew paragraph here? Yes!"
    assert _texts(text) == [
        "Shares fell 1.4 percent.",
        "Visit bloomberg.com for more",
        "New paragraph here?",
        "Yes!",
    ]


def test_spans_are_relative_to_the_whole_text_when_splitting_a_window():
    text = "Skip this. Keep this one. And this."
    sentences = split_sentences(text, start=11)
    assert [s.text for s in sentences] == ["Keep this one.", "And this."]
    assert sentences[0].start == 11


def test_an_unpunctuated_run_is_cut_into_bounded_pieces():
    text = "word " * 2000
    sentences = split_sentences(text)
    assert len(sentences) > 1
    assert all(len(s.text) <= MAX_SENTENCE_CHARS for s in sentences)
    assert " ".join(s.text for s in sentences).split() == text.split()
