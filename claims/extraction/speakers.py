"""Article-level attribution: who is behind each sentence, and through which outlet.

`attribution.extract_attributions` finds source/cue/content spans sentence by sentence. A
news article needs more than that to trace where a claim comes from:

* one person appears under several names ("Sir Tony Benton" ... "Brenton", "Ambassador
  Tabara"), or as "he", or as a description ("the delegation chief");
* an outlet appears by name and by description ("a prominent Arabic-language newspaper",
  "the pro-Saudi paper"), sometimes before it is first named;
* the information often reaches the article through an outlet: "sources told Asharq",
  "the newspaper reported, citing sources with the opposition", "Al-Hayat quoted sources".

For each sentence the result names the `speaker` (canonical name, or the cleaned source
phrase when it has no name), the `cue` and the `cited_source`: the outlet through which the
article says the statement reached it, or None when the speaker is first-hand. The origin of
a claim, for counting independent origins, is `cited_source or speaker`.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from claims.extraction.entities import (
    KNOWN_OUTLETS,
    TITLES,
    Entity,
    classify_name,
    name_spans,
)
from claims.extraction.sentences import Sentence


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


@dataclass(frozen=True)
class SentenceAttribution:
    speaker: str | None
    cue: str | None
    cited_source: str | None


@dataclass(frozen=True)
class SpanAttribution:
    """An attribution from attribution.py, with spans moved into body coordinates."""

    content: tuple[int, int]
    source: tuple[int, int] | None
    cue: tuple[int, int] | None


NO_ATTRIBUTION = SentenceAttribution(None, None, None)

_MEDIA_NOUNS = (
    r"(?:newspaper|paper|daily|weekly|tabloid|magazine|outlet|broadcaster|channel|network"
    r"|news agency|agency|website|station)"
)
_OUTLET_NOUNS = rf"(?:{_MEDIA_NOUNS}|report)"  # "the report" also refers to the outlet's story
_OUTLET_DESCRIPTION = re.compile(
    rf"^(?:the|a|an)\s+(?:[\w’'-]+\s+){{0,4}}?{_OUTLET_NOUNS}$", re.IGNORECASE
)
_OUTLET_DESCRIPTION_START = re.compile(
    rf"^(?:the|a|an)\s+(?:[\w’'-]+\s+){{0,4}}?{_OUTLET_NOUNS}\b", re.IGNORECASE
)
_OUTLET_HEAD = re.compile(rf"\b{_MEDIA_NOUNS}\b", re.IGNORECASE)
_CAPITALISED_RUN = r"[A-Z][\w’'-]*(?:\s+(?:al-|el-)?[A-Z][\w’'-]*)*"
_NOUN_THEN_NAME = re.compile(rf"\b{_MEDIA_NOUNS}\s+(?P<name>{_CAPITALISED_RUN})")
_NAME_THEN_NOUN = re.compile(rf"(?P<name>{_CAPITALISED_RUN})(?<![’']s)\s+{_MEDIA_NOUNS}\b")
_REPORT_CUES = frozenset({"reported", "reports", "report", "published", "publishes", "wrote"})
_PRONOUNS = frozenset({"he", "she", "him", "her"})
_OTHER_PRONOUNS = frozenset(
    {"it", "they", "this", "that", "we", "i", "you", "one", "some", "others"}
)
_DESCRIPTOR_WORD = re.compile(r"-(?:based|owned|backed|led|language|run|funded)$|^pro-", re.I)
_DETERMINERS = re.compile(r"^(?:the|also|both)\s+", re.IGNORECASE)
_TRAILING_TIME = re.compile(
    r"(?:\s+(?:on\s+)?(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|yesterday|today|also"
    r"|last\s+\w+|this\s+\w+|earlier|later|previously|again|both|all|too|jointly))+$",
    re.IGNORECASE,
)
_STOP = _words("""the a an of in on at to for from with by and or s close who which that as its his her
    their""")
# Words too common to link two descriptions ("senior officials" vs "Western officials").
_GENERIC = _words("""sources source officials official people person members member senior western
    diplomatic other some several two three many""")
_CUE_VERBS = (
    r"said|says|say|told|tells|announced|announces|reported|noted|added|adds|stated|claimed"
    r"|warned|warns|insisted|insists|confirmed|confirms|denied|denies|wrote|writes|argued"
    r"|argues|explained|explains|believes|believe|estimated"
)
# "Riyadh Tabara, a former Lebanese ambassador to the United States, told ..."
_SUBJECT_CUE = re.compile(
    r"^(?!(?:The|A|An|This|That|It|They|These|Those)\b)(?P<subject>[A-Z][\w’'.-]*(?:\s+(?:(?:al|el|bin|de|van|von)[\s-])?[A-Z][\w’'.-]*){0,4})"
    rf"(?:,\s[^,“”\"]{{2,120}}?,?)?\s+(?:also\s+)?(?P<cue>{_CUE_VERBS})\b"
)
# "Nelson’s manager, Jean-Pierre Henraux, also confirmed": the source phrase was only "also".
_NAME_BEFORE_CUE = re.compile(
    r"(?P<name>[A-Z][\w’'-]+(?:\s+(?:(?:al|el|bin|de|van|von)[\s-])?[A-Z][\w’'-]+){1,3}),?\s+"
    r"(?:(?:also|both|too|then|later|previously|again)\s+)?$"
)
# "..., reports Reuters." / "..., say sources close to the Kremlin."
_INVERTED_SOURCE = re.compile(r"\s*(?P<source>(?!that\b)[^,.;:“”\"]{2,80}?)\s*[.,;]?[”\"]?$")
# "“...,” said Francois Delattre, the French Ambassador" / "“...,” al-Jubeir said."
_QUOTE_THEN_CUE = re.compile(
    rf"[,.!?][”\"]\s*(?:(?P<cue>{_CUE_VERBS})\s+(?P<source>[^,.;:“”\"]{{2,80}}?)"
    rf"|(?P<source_first>[^,.;:“”\"]{{2,60}}?)\s+(?P<cue_after>{_CUE_VERBS}))\s*(?:[,.;:]|$)"
)
_REPORTED_BY = re.compile(
    r"\b(?:was|were|has been|have been|had been)\s+(?P<cue>reported)\s+(?:\w+\s+){0,2}?by\s+"
    r"(?P<outlet>(?:the\s+|a\s+|an\s+)?[^,.;]{2,80}?)(?=\s+(?:that|which|who)\b|[,.;]|$)"
)
_QUOTED_AS_SAYING = re.compile(
    r"(?P<outlet>[A-Z][^,.;“”\"]{1,60}?)\s+(?:also\s+)?(?P<cue>quoted|cited)\s+"
    r"(?P<source>[^,.;“”\"]{2,80}?)(?:\s+as\s+saying\b|(?=\s+(?:at|in|on|who)\b|[,.;]))"
)
_PASSIVE_QUOTE = re.compile(
    r"(?P<source>(?:the|a|an)\s+[^,.;“”\"]{2,60}?)\s+(?:was|were)\s+(?P<cue>quoted)\s+as\s+saying"
)
_CITING = re.compile(r",\s*citing\s+(?P<source>[^,.;“”\"]{2,80})")
_TOLD = re.compile(r"\b(?:told|tells|telling)\s+(?P<recipient>(?:the\s+)?[^,.;“”\"]{2,60})")
_SUBJECT_BEFORE_TOLD = re.compile(r"(?P<subject>[A-Za-z][\w’' -]{2,60}?)\s*$")
_FRAMING_ADVERBS = re.compile(r"\b(?P<cue>reportedly|according to (?:the|a) report)\b", re.I)
# Reporting verbs that are also plural nouns; read as verbs only before "that", a quote,
# a colon or the end of the sentence.
_NOUN_LIKE_CUES = _words(
    "states claims reports notes charges hopes fears estimates counters concludes report claim"
    " note charge hope fear estimate alleged"
)
_PREPOSITIONS = _words("to for with from on in at by into about than")
_VERB_FOLLOWS = re.compile(r"\s*(?:that\b|[:“\"]|[.!?]|$)")
_PRONOUN_WINDOW = 2  # paragraphs back in which "he said" may find its speaker


@dataclass
class _Mention:
    name: str  # canonical speaker name or cleaned phrase
    kind: str  # person | outlet | group
    words: frozenset[str]
    cited_source: str | None
    paragraph: int


class _ArticleSources:
    """What the article says about people, outlets and the groups outlets relayed.

    Indexed so that a long upload (megabytes) stays linear: names by surname key and
    first letter, outlets by word and by position, relays by word."""

    def __init__(
        self, body: str, attributions: Sequence[SpanAttribution], entities: Sequence[Entity]
    ) -> None:
        self.mentions: list[_Mention] = []  # resolved speakers so far
        self._people: dict[str, str] = {}  # surname key -> fullest first-mentioned name
        self._keys_by_initial: dict[str, list[str]] = defaultdict(list)
        self._person_positions: list[int] = []  # every person name, in text order
        self._person_names: list[str] = []
        self._person_cache: dict[str, str] = {}
        self._outlet_names: list[str] = []
        self._outlet_first: list[int] = []
        self._outlet_index: dict[str, set[int]] = defaultdict(set)
        self._relays: list[tuple[str, frozenset[str], str]] = []  # (phrase, words, outlet)
        self._relay_index: dict[str, list[int]] = defaultdict(list)
        self._collect(body, attributions, entities)
        order = sorted(range(len(self._outlet_names)), key=self._outlet_first.__getitem__)
        self._outlets_by_position = [(self._outlet_first[i], self._outlet_names[i]) for i in order]
        self._outlet_starts = [start for start, _ in self._outlets_by_position]

    def _collect(
        self, body: str, attributions: Sequence[SpanAttribution], entities: Sequence[Entity]
    ) -> None:
        people = []
        for entity in entities:
            if entity.kind == "person":
                people.append((entity.start, entity.text))
            elif entity.kind == "outlet":
                self._add_outlet(entity.start, entity.text)
        for pattern in (_NOUN_THEN_NAME, _NAME_THEN_NOUN):
            for match in pattern.finditer(body):
                name = _strip_descriptors(match.group("name"))
                if name and classify_name(name) not in {None, "place"}:
                    self._add_outlet(match.start("name"), name)
        for attribution in attributions:
            if attribution.source and attribution.cue:
                cue = body[attribution.cue[0] : attribution.cue[1]].lower()
                name = _proper_name(_clean_phrase(body[slice(*attribution.source)]))
                if cue in _REPORT_CUES and name and classify_name(name) in {"person", "other"}:
                    self._add_outlet(attribution.source[0], name)
        outlets = set(self._outlet_names)
        for position, name in people:
            if name not in outlets:
                self._add_person(position, name)

    def _add_person(self, position: int, name: str) -> None:
        self._person_positions.append(position)
        self._person_names.append(name)
        key = _surname_key(name)
        if len(name.split()) >= 2 and key not in self._people:
            self._people[key] = name
            self._keys_by_initial[key[:1]].append(key)

    def _add_outlet(self, position: int, name: str) -> None:
        words = _content_words(name)
        if not words:
            return
        candidates = set().union(*(self._outlet_index.get(w, ()) for w in words))
        for index in sorted(candidates):
            known = self._outlet_names[index]
            if _same_outlet(name, known):
                if len(name) > len(known):
                    self._outlet_names[index] = name
                    for word in words:
                        self._outlet_index[word].add(index)
                self._outlet_first[index] = min(self._outlet_first[index], position)
                return
        index = len(self._outlet_names)
        self._outlet_names.append(name)
        self._outlet_first.append(position)
        for word in words:
            self._outlet_index[word].add(index)

    def outlet_named(self, name: str) -> str | None:
        words = _content_words(name)
        candidates = set().union(*(self._outlet_index.get(w, ()) for w in words)) if words else ()
        for index in sorted(candidates):
            if _same_outlet(name, self._outlet_names[index]):
                return self._outlet_names[index]
        return None

    def outlet_near(self, position: int, *, following: bool = True) -> str | None:
        """The outlet a description refers to: the last one named before, else (if
        `following`) the first one named after ("a prominent newspaper ... Asharq")."""
        before = bisect_right(self._outlet_starts, position) - 1
        if before >= 0:
            return self._outlets_by_position[before][1]
        if following and self._outlets_by_position:
            return self._outlets_by_position[0][1]
        return None

    def person(self, name: str) -> str:
        """The fullest form of a person's name in the article ("Brenton" -> "Tony Benton")."""
        if len(name.split()) > 1:
            return name
        if name not in self._person_cache:
            key = _surname_key(name)
            full = self._people.get(key)
            if full is None and len(key) >= 5:
                similar = (
                    known
                    for known in self._keys_by_initial.get(key[:1], ())
                    if len(known) >= 5 and _within_one_edit(key, known)
                )
                full = self._people.get(next(similar, ""))
            self._person_cache[name] = full or name
        return self._person_cache[name]

    def last_person_before(self, position: int, floor: int) -> str | None:
        """The last person named in [floor, position): who "he" most likely is."""
        index = bisect_left(self._person_positions, position) - 1
        if index < 0 or self._person_positions[index] < floor:
            return None
        return self.person(self._person_names[index])

    def add_relay(self, phrase: str, outlet: str) -> None:
        words = _content_words(phrase)
        index = len(self._relays)
        self._relays.append((phrase, words, outlet))
        for word in words:
            self._relay_index[word].append(index)

    def relay_for(self, words: frozenset[str]) -> str | None:
        """The outlet the article says relayed a group like this one ("Members of the Syrian
        opposition" ~ "sources with the Syrian opposition")."""
        content = words - _GENERIC or words
        candidates = (
            sorted(set().union(*(self._relay_index.get(w, ()) for w in content))) if content else []
        )
        for index in candidates:
            _, group_words, outlet = self._relays[index]
            if content <= (group_words - _GENERIC or group_words):
                return outlet
        return None

    def relay_described(self, words: frozenset[str]) -> tuple[str, frozenset[str], str] | None:
        """The latest relayed group a definite description ("the sources") refers to."""
        specific = words - _GENERIC
        lookup = specific or words
        candidates = (
            set().union(*(self._relay_index.get(w, ()) for w in lookup)) if lookup else set()
        )
        for index in sorted(candidates, reverse=True):
            phrase, group_words, outlet = self._relays[index]
            if specific & (group_words - _GENERIC) or (not specific and words & group_words):
                return phrase, group_words, outlet
        return None


def attribute_sentences(
    body: str,
    paragraphs: Sequence[tuple[int, int]],
    sentences: Sequence[Sentence],
    attributions: Sequence[SpanAttribution],
    entities: Sequence[Entity],
) -> list[SentenceAttribution]:
    """One SentenceAttribution per sentence, resolved across the whole article.
    `entities` are the names found in the body (body offsets, text order)."""
    attributions = [a for a in attributions if _is_plausible(body, a)]
    sources = _ArticleSources(body, attributions, entities)
    paragraph_starts = [start for start, _ in paragraphs] or [0]
    by_sentence = _best_attribution_per_sentence(sentences, attributions)
    _register_relays(sentences, sources)
    results: list[SentenceAttribution] = []
    previous, previous_paragraph = NO_ATTRIBUTION, -1
    for sentence, found in zip(sentences, by_sentence, strict=True):
        paragraph = max(bisect_right(paragraph_starts, sentence.start) - 1, 0)
        context = _Context(sources, paragraph, paragraph_starts[max(paragraph - 1, 0)])
        result = _resolve(body, sentence, found, context)
        if (
            result is NO_ATTRIBUTION
            and paragraph == previous_paragraph
            and _is_bare_quote(sentence.text)
        ):
            result = previous  # a quotation that continues the previous speaker's
        if result is NO_ATTRIBUTION:
            result = _framing_adverb(sentence, sources)
        results.append(result)
        previous, previous_paragraph = result, paragraph
    return results


@dataclass(frozen=True)
class _Context:
    sources: _ArticleSources
    paragraph: int
    previous_paragraph_start: int  # how far back "he" may look for a named person


def _is_plausible(body: str, attribution: SpanAttribution) -> bool:
    """Reject sentence-level misreadings: a cue that is part of a name ("United States"),
    inside a quotation, an infinitive ("to report"), or a source ending like a clause."""
    if attribution.cue is None:
        return attribution.source is not None
    cue_start, cue_end = attribution.cue
    cue = body[cue_start:cue_end]
    line_start = body.rfind("\n", 0, cue_start) + 1
    before = body[line_start:cue_start]
    if (
        cue[:1].isupper()
        and before.rstrip()[-1:].isalpha()
        and before.rstrip().split()[-1][:1].isupper()
    ):
        return False
    if before.count("“") > before.count("”") or before.count('"') % 2:
        return False
    if before.rstrip().lower().endswith((" to", " will", " would", " may", " might")):
        return False
    inverted = before.rstrip().endswith((",", ",”", ',"'))  # "..., reports Reuters."
    if cue.lower() in _NOUN_LIKE_CUES and not inverted and not _VERB_FOLLOWS.match(body, cue_end):
        return False  # "Sunni Muslim states in the gulf": a noun, not a reporting verb
    if attribution.source:
        words = body[slice(*attribution.source)].split() or [""]
        first, last = words[0], words[-1]
        if first in _PREPOSITIONS or last.lower() in _STOP or last.endswith(("’s", "'s")):
            return False  # "to her followers", "his manager and", "Nelson’s (alleged death)"
        if last.islower() and last.endswith("ly") and last != "daily":
            return False  # "for years Moscow officially (maintained)"
    return True


def _best_attribution_per_sentence(
    sentences: Sequence[Sentence], attributions: Sequence[SpanAttribution]
) -> list[SpanAttribution | None]:
    """For each sentence, the attribution whose content covers most of it (a source wins)."""
    best: list[SpanAttribution | None] = [None] * len(sentences)
    scores = [0] * len(sentences)
    starts = [s.start for s in sentences]
    for attribution in attributions:
        content_start, content_end = attribution.content
        for index in range(max(bisect_right(starts, content_start) - 1, 0), len(sentences)):
            sentence = sentences[index]
            if sentence.start >= content_end:
                break
            overlap = min(sentence.end, content_end) - max(sentence.start, content_start)
            score = overlap + (10_000 if attribution.source else 0)
            if overlap > 0 and score > scores[index]:
                best[index], scores[index] = attribution, score
    return best


def _register_relays(sentences: Sequence[Sentence], sources: _ArticleSources) -> None:
    """Groups the article says an outlet quoted: "X reported, citing sources with Y",
    "sources told X", "X quoted/cited Y". A claim by such a group, before or after, then
    traces to that outlet."""
    for sentence in sentences:
        text = sentence.text
        for match in _QUOTED_AS_SAYING.finditer(text):
            outlet = _outlet_of(match.group("outlet"), sentence.start + match.start(), sources)
            if outlet:
                sources.add_relay(_clean_phrase(match.group("source")), outlet)
        for match in _CITING.finditer(text):
            outlet = _last_outlet_in(text[: match.start()], sentence.start, sources)
            if outlet:
                sources.add_relay(_clean_phrase(match.group("source")), outlet)
        for match in _TOLD.finditer(text):
            recipient = _outlet_of(
                match.group("recipient"), sentence.start + match.start(), sources
            )
            subject = _SUBJECT_BEFORE_TOLD.search(text, 0, match.start())
            if recipient and subject:
                sources.add_relay(_clean_phrase(subject.group("subject")), recipient)


def _last_outlet_in(text: str, offset: int, sources: _ArticleSources) -> str | None:
    found = None
    for match in re.finditer(_CAPITALISED_RUN, text):
        found = sources.outlet_named(match.group()) or found
    if found is None and _OUTLET_HEAD.search(text):
        found = sources.outlet_near(offset)
    return found


def _resolve(
    body: str, sentence: Sentence, found: SpanAttribution | None, context: _Context
) -> SentenceAttribution:
    text = sentence.text
    phrase, cue, cue_start = None, None, None
    if found is not None:
        cue = body[slice(*found.cue)] if found.cue else None
        cue_start = found.cue[0] - sentence.start if found.cue else None
        if found.source:
            phrase = body[slice(*found.source)]
        elif found.cue and text[:cue_start].rstrip().endswith((",", ",”", ',"')):
            phrase = _inverted_source(text, found.cue[1] - sentence.start)
    if phrase is None:
        phrase, cue, cue_start = _fallback_frame(text)
    if phrase is None:
        return NO_ATTRIBUTION
    if cue_start is not None and not _clean_phrase(phrase):
        named = _NAME_BEFORE_CUE.search(text, 0, cue_start)  # "X, a manager, also said"
        phrase = named.group("name") if named else None
        if phrase is None:
            return NO_ATTRIBUTION
    if cue_start is not None and not _proper_name(_clean_phrase(phrase)):
        subject = _SUBJECT_CUE.match(text)
        if (
            subject
            and subject.start("cue") >= cue_start - 1
            and _proper_name(subject.group("subject"))
        ):
            phrase = subject.group("subject")
    tail = phrase.split()[-1].lower() if phrase.split() else ""
    if tail in _PRONOUNS and len(phrase.split()) > 1:
        phrase = tail  # "ordered his followers to ... he (said)": the clause ends in the source
    mention = _mention(phrase, sentence.start, context)
    if mention is None:
        return NO_ATTRIBUTION
    if mention.kind != "outlet":  # an outlet speaking is itself the origin
        mention.cited_source = _cited_source(text, sentence.start, mention, context.sources)
    context.sources.mentions.append(mention)
    return SentenceAttribution(mention.name, cue, mention.cited_source)


def _inverted_source(text: str, cue_end: int) -> str | None:
    """The source after the cue at the end of the sentence ("..., reports Reuters.")."""
    match = _INVERTED_SOURCE.match(text, cue_end)
    return match.group("source") if match else None


def _fallback_frame(text: str) -> tuple[str | None, str | None, int | None]:
    """Frames the sentence-level extractor may miss: passive reports and quoting outlets."""
    for pattern, group in (
        (_REPORTED_BY, "outlet"),
        (_QUOTED_AS_SAYING, "source"),
        (_PASSIVE_QUOTE, "source"),
    ):
        match = pattern.search(text)
        if match:
            return match.group(group), match.group("cue"), match.start("cue")
    match = _QUOTE_THEN_CUE.search(text)
    if match and match.group("cue"):
        return match.group("source"), match.group("cue"), match.start("cue")
    if match:
        return match.group("source_first"), match.group("cue_after"), match.start("cue_after")
    match = _SUBJECT_CUE.match(text)
    if match and _proper_name(match.group("subject")):
        return match.group("subject"), match.group("cue"), match.start("cue")
    return None, None, None


def _mention(phrase: str, position: int, context: _Context) -> _Mention | None:
    """Who a source phrase names; None for a pronoun nobody can be found for."""
    sources, paragraph = context.sources, context.paragraph
    cleaned = _clean_phrase(phrase)
    if not any(char.isalpha() for char in cleaned):
        return None
    words = _content_words(cleaned)
    lower = cleaned.lower()
    if lower in _PRONOUNS:
        earlier = _last_person(sources, paragraph)
        if earlier:
            return _Mention(earlier.name, "person", earlier.words, earlier.cited_source, paragraph)
        named = sources.last_person_before(position, context.previous_paragraph_start)
        return _Mention(named, "person", _content_words(named), None, paragraph) if named else None
    if lower in _OTHER_PRONOUNS:
        return None
    if _OUTLET_DESCRIPTION.match(cleaned):
        outlet = sources.outlet_near(position)
        if outlet:
            return _Mention(outlet, "outlet", _content_words(outlet), None, paragraph)
    name = _proper_name(cleaned)
    if name:
        outlet = sources.outlet_named(name)
        if outlet or name.split()[-1] in KNOWN_OUTLETS or _OUTLET_HEAD.search(cleaned):
            outlet = outlet or name
            return _Mention(outlet, "outlet", _content_words(outlet), None, paragraph)
        kind = classify_name(name)
        full = sources.person(name)
        known = kind == "person" or (kind == "other" and full != name)
        if known and not _has_descriptive_head(cleaned, name):
            return _Mention(full, "person", _content_words(full), None, paragraph)
        if _strip_descriptors(cleaned) == name:  # "the London-based Syrian Observatory ..."
            return _Mention(name, "group", _content_words(name), None, paragraph)
    if lower.startswith("the "):
        earlier = _described_earlier(sources, words)
        if earlier:
            return _Mention(
                earlier.name, earlier.kind, earlier.words, earlier.cited_source, paragraph
            )
    return _Mention(_DETERMINERS.sub("", cleaned), "group", words, None, paragraph)


def _cited_source(
    text: str, offset: int, mention: _Mention, sources: _ArticleSources
) -> str | None:
    for match in _TOLD.finditer(text):
        outlet = _outlet_of(match.group("recipient"), offset + match.start(), sources)
        if outlet:
            return outlet
    for match in _QUOTED_AS_SAYING.finditer(text):
        outlet = _outlet_of(match.group("outlet"), offset + match.start(), sources)
        if outlet:
            return outlet
    if _PASSIVE_QUOTE.search(text) or _FRAMING_ADVERBS.search(text):
        return mention.cited_source or sources.outlet_near(offset, following=False)
    return mention.cited_source or sources.relay_for(mention.words)


def _outlet_of(phrase: str, position: int, sources: _ArticleSources) -> str | None:
    """The outlet a recipient phrase names or describes, if it is an outlet at all."""
    cleaned = _clean_phrase(phrase)
    if _OUTLET_DESCRIPTION_START.match(cleaned):
        return sources.outlet_near(position)
    spans = name_spans(cleaned)
    if not spans or spans[0][0] > 4:
        return None
    name = _strip_descriptors(cleaned[slice(*spans[0])])
    known = sources.outlet_named(name) if name else None
    if known:
        return known
    if name and (classify_name(name) == "outlet" or name in KNOWN_OUTLETS):
        return name
    return None


def _framing_adverb(sentence: Sentence, sources: _ArticleSources) -> SentenceAttribution:
    """ "reportedly", "according to the report": the outlet the article is reporting on."""
    match = _FRAMING_ADVERBS.search(sentence.text)
    if not match:
        return NO_ATTRIBUTION
    outlet = sources.outlet_near(sentence.start, following=False)
    return SentenceAttribution(outlet, match.group("cue"), None) if outlet else NO_ATTRIBUTION


def _last_person(sources: _ArticleSources, paragraph: int) -> _Mention | None:
    for mention in reversed(sources.mentions[-50:]):
        if paragraph - mention.paragraph > _PRONOUN_WINDOW:
            break
        if mention.kind == "person":
            return mention
    return None


def _described_earlier(sources: _ArticleSources, words: frozenset[str]) -> _Mention | None:
    """An earlier speaker this definite description shares a specific word with ("the
    delegation chief" -> "the head of a Russian delegation"); generic words only if it has
    nothing else ("the sources")."""
    specific = words - _GENERIC
    for mention in reversed(sources.mentions[-50:]):
        if specific & (mention.words - _GENERIC) or (not specific and words & mention.words):
            return mention
    relay = sources.relay_described(words)
    if relay:
        phrase, group_words, outlet = relay
        return _Mention(_DETERMINERS.sub("", phrase), "group", group_words, outlet, -1)
    return None


def _is_bare_quote(text: str) -> bool:
    return text[:1] in {"“", '"'} and text.rstrip()[-1:] in {"”", '"'}


def _clean_phrase(phrase: str) -> str:
    """Source phrase without apposition, time adverbs and a leading "also"."""
    phrase = phrase.strip(" ,;:")
    head, comma, _ = phrase.partition(", ")
    if comma and _proper_name(head):
        phrase = head
    phrase = _TRAILING_TIME.sub("", phrase)
    return re.sub(r"^also\s+", "", phrase).strip()


def _proper_name(phrase: str) -> str | None:
    """The main proper name inside a phrase ("the Saudi-owned Asharq al-Awsat newspaper");
    a place only when nothing else is named."""
    best, best_kind = None, None
    for start, end in name_spans(phrase):
        name = _strip_descriptors(_strip_title(phrase[start:end]))
        kind = classify_name(name) if name else None
        if kind is None or (kind == "place" and best is not None):
            continue
        if best is None or best_kind == "place" or len(name) > len(best):
            best, best_kind = name, kind
    return best


def _has_descriptive_head(phrase: str, name: str) -> bool:
    """ "Syrian opposition sources": the name only modifies a common-noun head."""
    following = phrase[phrase.find(name) + len(name) :].split()
    return bool(following) and following[0][:1].islower()


def _strip_title(name: str) -> str:
    tokens = name.split()
    while len(tokens) > 1 and tokens[0].rstrip(".") in TITLES:
        tokens = tokens[1:]
    return " ".join(tokens)


def _strip_descriptors(name: str) -> str:
    """Drop "Saudi-owned", "London-based", "pro-Saudi" and determiners around a name."""
    tokens = [t for t in name.split() if not _DESCRIPTOR_WORD.search(t)]
    while tokens and tokens[0].lower() in {"the", "a", "an"}:
        tokens = tokens[1:]
    return " ".join(tokens)


def _surname_key(name: str) -> str:
    last = re.sub(r"[’']s$", "", name.split()[-1].lower())
    return re.sub(r"^(?:al|el|ad|as|ash|at|an|ar|az)-", "", last)


@lru_cache(maxsize=65536)
def _content_words(phrase: str) -> frozenset[str]:
    words = re.findall(r"[a-z0-9]+", phrase.lower().replace("’", "'"))
    return frozenset(w for w in words if w not in _STOP)


def _same_outlet(a: str, b: str) -> bool:
    words_a, words_b = _content_words(a), _content_words(b)
    return bool(words_a and words_b) and (words_a <= words_b or words_b <= words_a)


def _within_one_edit(a: str, b: str) -> bool:
    """Levenshtein distance <= 1, in linear time."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1 :] == b[i + 1 :]
    return a[i:] == b[i + 1 :]
