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

from claims.extraction.names import KNOWN_OUTLETS, TITLES, Entity, classify_name, name_spans
from claims.extraction.sentences import Sentence, open_quotation
from claims.extraction.wordlists import word_set


@dataclass(frozen=True)
class SentenceAttribution:
    """What one claim's sentence says of its source: who speaks, with which cue, citing whom
    (as extraction stores it on the claim)."""

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
    {"it", "this", "that", "we", "i", "you", "one", "some", "others", "who", "which"}
)
_DESCRIPTOR_WORD = re.compile(r"-(?:based|owned|backed|led|language|run|funded)$|^pro-", re.I)
_DETERMINERS = re.compile(r"^(?:the|also|both)\s+", re.IGNORECASE)
_TRAILING_TIME = re.compile(
    r"(?:\s+(?:on\s+)?(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|yesterday|today|also"
    r"|last\s+\w+|this\s+\w+|earlier|later|previously|again|both|all|too|jointly|even))+$",
    re.IGNORECASE,
)
_STOP = word_set("""the a an of in on at to for from with by and or s close who which that as its his her
    their""")
# Words too common to link two descriptions ("senior officials" vs "Western officials").
_GENERIC = word_set("""sources source officials official people person members member senior western
    diplomatic other some several two three many""")


# Pronoun agreement: common first names by the gender their bearers are usually referred to
# with, and role nouns that carry one. Unknown names agree with any pronoun.
_FEMALE_NAMES = word_set("""mary patricia jennifer linda elizabeth barbara susan jessica sarah karen nancy lisa
    betty margaret sandra ashley kimberly emily donna michelle carol amanda dorothy melissa deborah
    stephanie rebecca sharon laura cynthia kathleen amy angela shirley anna brenda pamela emma
    nicole helen samantha katherine christine debra rachel carolyn janet catherine maria heather
    diane ruth julie olivia joyce virginia victoria kelly lauren christina joan evelyn judith
    megan andrea cheryl hannah jacqueline martha gloria teresa ann sara madison frances kathryn
    janice jean abigail alice judy sophia grace denise amber doris marilyn danielle beverly
    isabella theresa diana natalie brittany charlotte marie kayla alexis lori hillary hilary
    claire elaine nikki condoleezza theresa angela marine federica christiane ursula jill
    monica valerie kellyanne huma dianne
    tulsi kamala nancy debbie loretta sally janet carly sheryl hope neera jane lucy camila sofia
    mia ella chloe zoe lily leah noa yael fatima aisha layla nadia olga irina svetlana tatiana""")
_MALE_NAMES = word_set("""james robert john michael william david richard joseph thomas charles christopher
    daniel matthew anthony mark donald steven paul andrew joshua kenneth kevin brian george
    timothy ronald edward jason jeffrey ryan jacob gary nicholas eric jonathan stephen larry
    justin scott brandon benjamin samuel gregory alexander frank patrick raymond jack dennis
    jerry tyler aaron jose adam nathan henry douglas zachary peter kyle ethan walter noah jeremy
    christian keith roger terry gerald harold sean austin carl arthur lawrence dylan jesse jordan
    bryan billy joe bruce gabriel logan albert willie alan juan wayne elijah randy roy vincent
    ralph eugene russell bobby mason philip louis bernie barack mitt mike ted marco jeb chris
    rand ben newt harry mitch chuck tim rick reince rudy bill al dick lindsey orrin paul reid
    vladimir sergei dmitry bashar recep benjamin emmanuel francois angelo boris hassan ali
    mohammed muhammad ahmed omar abdul khalid ibrahim yusuf mahmoud hussein jim tom bob steve
    dan sam ed ken greg jeff phil lou tony nigel""")
_FEMALE_TITLES = word_set(
    "mrs. mrs ms. ms miss madam lady dame congresswoman chairwoman spokeswoman"
)
_MALE_TITLES = word_set("mr. mr sir lord congressman chairman spokesman")
# Heads of definite descriptions that refer back to a named person ("the pollster").
_PERSON_ROLES = word_set("""senator sen. pollster official spokesman spokeswoman spokesperson candidate nominee
    governor president congressman congresswoman representative lawmaker lawyer attorney
    minister ambassador leader mayor secretary director chairman chairwoman chair businessman
    businesswoman billionaire economist analyst adviser advisor strategist professor
    commissioner aide manager founder executive host anchor columnist author reporter
    diplomat envoy general commander judge justice prosecutor chief former""")
# Role words that stand right before a name ("IMF chief economist Maury Obstfeld").
_MORE_ROLES = word_set("""widow widower presenter pastor rev reverend activist organizer
    organiser officer captain sergeant detective coach player researcher scientist doctor
    campaigner consultant operative partner""")
_ROLE_WORDS = _PERSON_ROLES | _MORE_ROLES
_FEMALE_ROLES = word_set(
    "spokeswoman congresswoman chairwoman businesswoman woman wife mother daughter"
)
_MALE_ROLES = word_set("spokesman congressman chairman businessman man husband father son")
_PLURAL_PRONOUNS = frozenset({"they", "them"})
_PASSIVE_AUXILIARIES = word_set("is are was were be been being")
_AGENT = re.compile(r"\s+by\s+(?P<agent>(?:the\s+)?[A-Z][\w’'.&-]*(?:\s+[A-Z][\w’'.&-]*){0,4})")
_ADVERBS = word_set("later also widely often still long once now then since already even")
# Phrases that are only function and time words ("On", "In Denver Tuesday" minus the place).
_NOT_A_SOURCE = word_set("""on in at to for from by with of and or but so the a an this that these those
    there here then now today yesterday tonight monday tuesday wednesday thursday friday saturday
    sunday morning afternoon evening night week month year earlier later""")
_NOT_PERSON_STARTS = word_set("""the a an former ex late then acting north south east west central
    northern southern eastern western new""")
_LIST_SEPARATOR = re.compile(r",\s*(?:and\s+)?|\s+and\s+")
_FIRST_NAMES = _FEMALE_NAMES | _MALE_NAMES
_FIRST_AND_LAST = re.compile(r"\b(?P<first>[A-Z][a-z]+)\s+(?:[A-Z]\.\s+)?[A-Z][a-z][\w’'-]*[a-z]\b")
_CLOSING_QUOTES = frozenset('”"')
_DASHES = frozenset({"―", "—", "–", "--", "-"})
_QUOTATION = re.compile(r"[“\"][^“”\"]{3,}[”\"]")
# "Jane Doe for Morning Consult" / "Jane Doe of The Times": a person writing for an outlet.
_WORKING_FOR = re.compile(
    r"^(?P<person>[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*){1,3})\s+(?:for|of|at|with)\s+"
    r"(?P<outlet>(?:the\s+)?[A-Z][\w’'.&-]*(?:\s+[A-Z][\w’'.&-]*){0,4})$"
)
_APPOSITION_AFTER = re.compile(
    r"(?:\s*\([^()]{1,20}\))?,\s+(?:a|an|the|who|whose|"
    + "|".join(sorted(_PERSON_ROLES - {"sen."}))
    + r")\b"
)


class _Triggered:
    """A pattern tried only on texts holding one of its literal words: the patterns are
    slow to fail, and most sentences hold none of the words."""

    def __init__(self, pattern: re.Pattern[str], words: tuple[str, ...]) -> None:
        self.pattern, self.words = pattern, words

    def search(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(text) if any(w in text for w in self.words) else None

    def finditer(self, text: str) -> list[re.Match[str]]:
        return list(self.pattern.finditer(text)) if any(w in text for w in self.words) else []


# Words a cue must contain: the sentence-level extractor sometimes tags an ordinary verb
# ("now controls", "imposed") as a cue.
_REPORTING_WORDS = word_set(
    """say said says saying tell told tells telling report reported reports reporting
    reportedly according announce announced announces announcing add added adds adding note
    noted notes noting claim claimed claims claiming state stated states stating quote quoted
    quoting cite cited cites citing warn warned warns warning confirm confirmed confirms deny
    denied denies insist insisted insists argue argued argues explain explained explains write
    wrote writes tweet tweeted tweets estimate estimated estimates suggest suggested suggests
    acknowledge acknowledged acknowledges reply replied replies predict predicted predicts
    declare declared declares allege alleged alleges urge urged urges reveal revealed reveals
    disclose disclosed discloses stress stressed stresses emphasised emphasized maintain
    maintained maintains believe believed believes think thinks thought indicate indicated
    indicates hint hinted hints conclude concluded concludes assert asserted asserts contend
    contended contends recall recalled recalls observe observed accuse accused accuses admit
    admitted admits concede conceded concedes opinion boast boasted boasts elaborate elaborated
    elaborates hypothesize hypothesized hypothesizes hypothesised quip quipped criticize
    criticized criticizes criticised criticise called emailed posted"""
)
# When the extractor finds no cue in a sentence, these are looked for directly.
_CUE_SCAN = re.compile(
    r"\b(?:said|says|say|told|tells|reported|reports|announced|added|noted|stated|claimed"
    r"|warned|insisted|confirmed|denied|wrote|argued|explained|estimated|believes|concluded"
    r"|according to|in the opinion of|boasted|elaborated|hypothesized|hypothesised|quipped"
    r"|criticized|criticised|asserted|declared|emailed|tweeted|posted"
    r"|called(?=[^.;“”\"]{1,60}[“\"]))\b",
    re.IGNORECASE,
)
# Cues with their source after them: "according to X", "in the opinion of X".
_SOURCE_AFTER_CUES = ("according to", "in the opinion of", "citing")
_TELLING = ("told", "tell")  # the recipient follows these cues, the source comes before
_REPORTED_BY = _Triggered(
    re.compile(
        r"\b(?:was|were|has been|have been|had been)\s+(?P<cue>reported)\s+(?:\w+\s+){0,2}?by\s+"
        r"(?P<source>(?:the\s+|a\s+|an\s+)?[^,.;]{2,80}?)(?=\s+(?:that|which|who)\b|[,.;]|$)"
    ),
    ("reported",),
)
_QUOTED_AS_SAYING = _Triggered(
    re.compile(
        r"(?P<outlet>[A-Z][^,.;“”\"]{1,60}?)(?<! was)(?<! were)(?<! is)(?<! are)(?<! been)"
        r"\s+(?:also\s+)?(?P<cue>quoted|cited)\s+"
        r"(?P<source>[^,.;“”\"]{2,80}?)(?:\s+as\s+saying\b|(?=\s+(?:at|in|on|who)\b|[,.;]))"
    ),
    ("quoted", "cited"),
)
_PASSIVE_QUOTE = _Triggered(
    re.compile(
        r"(?P<source>(?:the|a|an)\s+[^,.;“”\"]{2,60}?|(?<![\w’'-])[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*){0,4})"
        r"\s+(?:was|were)\s+(?P<cue>quoted)\s+as\s+saying"
    ),
    ("quoted",),
)
_CITING = _Triggered(
    re.compile(r",\s*citing\s+(?P<source>[^,.;“”\"]{2,80})"),
    ("citing",),
)
_TOLD = _Triggered(
    re.compile(r"\b(?:told|tells|telling)\s+(?P<recipient>(?:the\s+)?[^,.;“”\"]{2,60})"),
    ("told", "tell"),
)
# "“… .” ― Jane Doe": a quotation signed with a dash.
_DASH_SIGNATURE = re.compile(
    r"[”\"]\s*(?P<cue>[―—–])\s*(?P<source>[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*){0,4})\.?\s*$"
)
_OPENING_QUOTES = frozenset('“”"')
# "A Quinnipiac poll released Monday found that ...": the poll's owner is the source.
_STUDY_NOUNS = r"(?:poll|survey|study|report|analysis|audit|review|investigation|tally|count)"
_STUDY_FINDS = _Triggered(
    re.compile(
        r"(?:^|(?<=[\s“\"(]))(?:(?:[Tt]he|[Aa]n?|[Ii]ts|[Tt]heir)\s+)?(?:(?:new|latest|recent|last|first|"
        r"national|opinion|early|annual|internal|independent)\s+)*"
        rf"(?P<source>(?!(?:The|A|An|Its|Their|This|That|Our|His|Her)\b)[A-Z][\w.&’'/-]*"
        rf"(?:\s+[A-Z][\w.&’'/-]*){{0,4}})"
        rf"(?:\s+(?:new|latest|national|opinion|online|telephone|exit|public))*\s+{_STUDY_NOUNS}"
        r"(?:\s+(?:released|published|conducted|issued|out)\b[^,.;“”\"]{0,40}?)?\s+"
        r"(?P<cue>found|finds|shows|showed|suggests|suggested|indicates|indicated|concluded"
        r"|concludes|estimated|estimates|says|said|reported|reports)\b"
    ),
    (
        "poll",
        "survey",
        "study",
        "report",
        "analysis",
        "audit",
        "review",
        "investigation",
        "tally",
        "count",
    ),
)
# "a report by the Brookings Institution suggesting ...", "a study from Jane Doe found".
_REPORT_BY = _Triggered(
    re.compile(
        rf"\b(?:[Aa]|[Aa]n|[Tt]he)\s+(?:\w+\s+){{0,2}}?{_STUDY_NOUNS}\s+(?:by|from)\s+"
        r"(?P<source>(?:the\s+)?[A-Z][\w.&’'/-]*(?:\s+(?:of\s+|for\s+)?[A-Z][\w.&’'/-]*){0,5})"
        r"[^.;]{0,60}?\b(?P<cue>suggest(?:s|ed|ing)?|found|finds|finding|show(?:s|ed|ing)?"
        r"|conclud(?:es|ed|ing)|estimat(?:es|ed|ing)|say(?:s|ing)?|said|indicat(?:es|ed|ing))\b"
    ),
    ("by", "from"),
)
# "according to a report in The Denver Post": the outlet is cited, nobody in it speaks.
_REPORT_IN = _Triggered(
    re.compile(
        r"\b(?P<cue>[Aa]ccording to)\s+(?:a|an|the)\s+(?:\w+\s+){0,2}?"
        r"(?:report|story|article|interview|editorial|column|analysis|investigation)\s+"
        r"(?:in|by|from|on|published by|published in)\s+"
        r"(?P<outlet>(?:the\s+)?[A-Z][\w.&’'-]*(?:\s+[A-Z][\w.&’'-]*){0,4})"
    ),
    ("ccording to",),
)
# "…, as Jane Doe puts it", "As the senator put it, …".
_AS_PUTS_IT = _Triggered(
    re.compile(
        r"\b[Aa]s\s+(?P<source>(?:the\s+)?[A-Za-z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*){0,4})\s+"
        r"(?P<cue>puts? it|put it|noted|notes|said|says|wrote|writes|observed|observes)\b"
    ),
    ("put it", "puts it", "noted", "notes", "said", "says", "wrote", "writes", "observe"),
)
_SUBJECT_BEFORE_TOLD = re.compile(r"(?P<subject>[A-Za-z][\w’' -]{2,60}?)\s*$")
_FRAMING_ADVERBS = re.compile(r"\b(?P<cue>reportedly|according to (?:the|a) report)\b", re.I)
# Reporting verbs that are also nouns; read as verbs only before "that", a quote, a colon or
# the end of the sentence, or in an inverted frame ("..., reports Reuters").
_NOUN_LIKE_CUES = word_set(
    "states claims reports notes charges hopes fears estimates counters concludes report claim"
    " note charge hope fear estimate alleged"
)
_VERB_FOLLOWS = re.compile(r"\s*(?:that\b|[:“\"]|[.!?]|$)")
_BEFORE_A_NOUN = word_set("the a an his her its their our this that these those")
_MODALS = word_set("to will would may might can could should must")
_PREPOSITIONS = word_set("to for with from on in at by into about than")
# Words that end the walk back from a cue to its source ("..., while the army said").
_CLAUSE_WORDS = word_set(
    "that which who whom whose and but while as because although though if when where so after"
    " before since until whether"
)
_RELATIVE_PRONOUNS = word_set("that which who")
_SOURCE_STOP = word_set("by from to with of for")
_QUOTE_END = re.compile(r"[,.!?]?[”\"]$")
_PHRASE_AFTER = re.compile(r"\s*(?P<phrase>[^,.;:“”\"()]{2,120}?)(?=\s*(?:[,.;:“”\"()]|$))")
_NAME_AND_APPOSITION = re.compile(
    r"(?P<name>[A-Z][\w’'-]+(?:\s+(?:(?:al|el|bin|de|van|von)[\s-])?[A-Z][\w’'-]+){1,3}),\s+"
    r"(?:a|an|the|former|ex-|who)\b[^“”\";:]*,?$"
)
# What may follow a source at the end of its sentence: its description ("…, said Brian Baker,
# a longtime adviser to the family who oversees the PAC.").
_CLOSING_APPOSITION = re.compile(r",\s+(?:a|an|the|who|former)\b[^“”\";:]*[.!?]?[”\"']?\s*$")
_QUOTE_MARKS = re.compile("''|[\u201c\u201d\"]")
_PARTY_TAG = re.compile(r"\s*\((?:D|R|I)(?:-[A-Z][A-Za-z.]{1,12}(?: [A-Z][A-Za-z.]{1,12})?)?\)")
_LOWER_WORD = re.compile(r"[a-z]+")
_LEADING_WORDS = re.compile(r"^(?:(?:also|but|and|still|so|yet|then)\s+)+", re.IGNORECASE)
_MAX_SOURCE_WORDS = 12
# Words in -ly that end a source phrase and are not adverbs ("attorneys for the family").
_NOT_ADVERBS = frozenset(
    ["daily", "weekly", "monthly", "quarterly", "family", "ally", "rally", "assembly"]
)
# A source may carry a relative clause ("officials who were not authorised to speak"), but
# before it, a copula or a modal means the phrase is a clause, not a name or a description.
_RELATIVE_CLAUSE = re.compile(r"\s(?:who|whom|which)\b", re.IGNORECASE)
_FINITE_VERB = re.compile(
    r"\b(?:is|are|was|were|would|will|can|could|should|must|has|have|had)\b", re.IGNORECASE
)
_COVERED = 0.8  # share of a sentence a content span must cover to lend it its speaker
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
        # Every name outside quotation marks, in text order, for "he"/"she"/"they"/"the
        # official": (position, name, kind).
        self._name_positions: list[int] = []
        self._names: list[tuple[str, str | None]] = []
        self._genders: dict[str, str] = {}  # surname key -> "f" | "m"
        self.sentence_starts: list[int] = []
        self._introduced: list[bool] = []  # the name is followed by an apposition
        self._collect(body, attributions, entities)
        self._collect_names(body, entities)
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
        # "Hillary Clinton" inside a title-case run ("Hillary Clinton Goes After …") that the
        # entity finder reads as one name: a known first name and the word after it.
        for match in _FIRST_AND_LAST.finditer(body):
            if match.group("first").lower() in _FIRST_NAMES:
                people.append((match.start(), match.group()))
        people.sort()
        outlets = set(self._outlet_names)
        for position, name in people:
            if name not in outlets:
                self._add_person(position, name)

    def _collect_names(self, body: str, entities: Sequence[Entity]) -> None:
        for entity in entities:
            if entity.kind == "place" or _inside_quotation(body, entity.start):
                continue
            self._name_positions.append(entity.start)
            self._names.append((entity.text, entity.kind))
            self._introduced.append(bool(_APPOSITION_AFTER.match(body, entity.end)))
            gender = _gender_from_context(body, entity.start, entity.text)
            if gender:
                self._genders.setdefault(_surname_key(entity.text), gender)

    def gender_of(self, name: str) -> str | None:
        return _first_name_gender(name) or self._genders.get(_surname_key(name))

    def nearest_person(self, position: int, floor: int, gender: str | None) -> str | None:
        """The person a pronoun or description at `position` refers to: sentence by sentence
        back from it (not before `floor`), and inside a sentence from its start, so that a
        subject wins over an object ("Jane Doe pledged her vote to John Roe. ... she said");
        names in quotations are skipped, and the gender must agree (unknown agrees)."""
        index = bisect_left(self._name_positions, position) - 1
        while index >= 0 and self._name_positions[index] >= floor:
            sentence = bisect_right(self.sentence_starts, self._name_positions[index]) - 1
            sentence_start = self.sentence_starts[sentence] if sentence >= 0 else 0
            first = index
            while first > 0 and self._name_positions[first - 1] >= max(sentence_start, floor):
                first -= 1
            # A person introduced with an apposition ("Jane Doe, president of X,") is who the
            # next quotation usually belongs to; otherwise the first name (the subject).
            order = sorted(range(first, index + 1), key=lambda i: not self._introduced[i])
            for candidate in order:
                found = self._person_agreeing(candidate, gender)
                if found:
                    return found
            index = first - 1
        return None

    def _person_agreeing(self, index: int, gender: str | None) -> str | None:
        text, kind = self._names[index]
        if kind in {"outlet", "organisation"}:
            return None
        bare = _strip_title(text)
        full = self.person(bare)
        if kind != "person" and (full == bare or classify_name(full) != "person"):
            return None  # a name that is no known person's
        if not _looks_like_a_person(full):
            return None
        known = self.gender_of(full)
        return full if gender is None or known is None or known == gender else None

    def nearest_group(self, position: int, floor: int) -> str | None:
        """What "they" most likely is: the nearest organisation or outlet named before
        `position`, or a name that is not a known person."""
        index = bisect_left(self._name_positions, position) - 1
        while index >= 0 and self._name_positions[index] >= floor:
            text, kind = self._names[index]
            index -= 1
            if kind in {"outlet", "organisation"}:
                return text
            if (
                kind == "other"
                and len(self.person(text).split()) < 2
                and not _first_name_gender(text)
            ):
                return text
        return None

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


def may_report(text: str) -> bool:
    """Whether `text` holds a word a reporting cue needs; cues elsewhere are discarded."""
    return not _REPORTING_WORDS.isdisjoint(_LOWER_WORD.findall(text.lower()))


def attribute_sentences(
    body: str,
    paragraphs: Sequence[tuple[int, int]],
    sentences: Sequence[Sentence],
    attributions: Sequence[SpanAttribution],
    entities: Sequence[Entity],
) -> list[SentenceAttribution]:
    """One SentenceAttribution per sentence, resolved across the whole article.

    `attributions` come from attribution.py (body offsets); `entities` are the names found in
    the body (body offsets, text order). A sentence is read from the cues inside it; a
    sentence without one may take its speaker from a quotation it continues or from an
    attribution whose content covers it."""
    cues = [a for a in attributions if a.cue and _is_reporting_cue(body, a.cue)]
    sources = _ArticleSources(body, cues, entities)
    sources.sentence_starts = [s.start for s in sentences]
    paragraph_starts = [start for start, _ in paragraphs] or [0]
    starts = [s.start for s in sentences]
    cues_in: list[list[SpanAttribution]] = [[] for _ in sentences]
    for attribution in cues:
        index = bisect_right(starts, attribution.cue[0]) - 1
        if index >= 0 and attribution.cue[1] <= sentences[index].end:
            cues_in[index].append(attribution)
    _register_relays(sentences, sources)
    results: list[SentenceAttribution] = []
    for index, sentence in enumerate(sentences):
        paragraph = max(bisect_right(paragraph_starts, sentence.start) - 1, 0)
        context = _Context(
            sources,
            paragraph,
            paragraph_starts[max(paragraph - 1, 0)],
            paragraph_starts[max(paragraph - _PRONOUN_WINDOW, 0)],
        )
        results.append(_resolve(body, sentence, cues_in[index], context))
    _fill_from_neighbours(body, paragraph_starts, sentences, cues, results, sources)
    return results


@dataclass(frozen=True)
class _Context:
    sources: _ArticleSources
    paragraph: int
    previous_paragraph_start: int  # how far back "he" may look for a named person
    window_start: int = 0  # two paragraphs back: how far "the pollster" may look


def _is_reporting_cue(body: str, cue: tuple[int, int]) -> bool:
    """Reject cue misreadings: no reporting word ("now controls"), part of a name ("United
    States"), inside a quotation, after "to"/a modal, or a noun ("the report", "Muslim
    states in the gulf")."""
    text = body[slice(*cue)]
    words = text.lower().replace(":", "").split()
    if not words or _REPORTING_WORDS.isdisjoint(words):
        return False
    line_start = body.rfind("\n", 0, cue[0]) + 1
    before = body[line_start : cue[0]].rstrip()
    previous = before.split()[-1] if before.split() else ""
    if text[:1].isupper() and previous[:1].isupper() and previous[-1:].isalpha():
        return False
    if before.count("“") > before.count("”") or before.count('"') % 2:
        return False
    if previous.lower() in _MODALS or previous.lower() in _BEFORE_A_NOUN:
        return False
    inverted = before.endswith((",", ",”", ',"'))
    noun_like = words[0] in _NOUN_LIKE_CUES
    return not noun_like or inverted or bool(_VERB_FOLLOWS.match(body, cue[1]))


@dataclass(frozen=True)
class _Frame:
    """One reporting frame found in a sentence: the cue and the raw source phrase."""

    cue: str
    phrase: str
    literal: bool = False  # the phrase is the speaker as written ("Reuters/Ipsos")
    cited_only: bool = False  # the phrase is an outlet cited with no speaker ("a report in X")


def _frames(body: str, sentence: Sentence, cues: list[SpanAttribution]):
    """Candidate frames, most specific first: passive and quoting constructions, then the
    extractor's cues (its source when inside the sentence, else the phrase next to the
    cue), then reporting verbs the extractor did not tag."""
    text = sentence.text
    signed = _DASH_SIGNATURE.search(text)
    if signed and text.lstrip()[:1] in _OPENING_QUOTES:
        yield _Frame(signed.group("cue"), signed.group("source"))
    for pattern in (_REPORTED_BY, _QUOTED_AS_SAYING, _PASSIVE_QUOTE):
        match = pattern.search(text)
        if match:
            yield _Frame(match.group("cue"), match.group("source"))
    match = _REPORT_IN.search(text)
    if match:
        yield _Frame(match.group("cue"), match.group("outlet"), cited_only=True)
    for pattern in (_STUDY_FINDS, _REPORT_BY):
        match = pattern.search(text)
        if match and classify_name(_DETERMINERS.sub("", match.group("source"))) != "place":
            yield _Frame(match.group("cue"), match.group("source"), literal=True)
    match = _AS_PUTS_IT.search(text)
    if match:
        yield _Frame(match.group("cue"), match.group("source"))
    for attribution in sorted(cues, key=lambda a: a.cue[0]):
        cue_start, cue_end = (
            attribution.cue[0] - sentence.start,
            attribution.cue[1] - sentence.start,
        )
        source = attribution.source
        inside = source and sentence.start <= source[0] and source[1] <= sentence.end
        before = inside and source[0] < attribution.cue[0]
        phrase = _pick_part(body[slice(*source)], source_before_cue=before) if inside else None
        cue_word = text[cue_start:cue_end].lower()
        if phrase and not before and cue_word.startswith(_TELLING):
            phrase = None  # "X told reporters": after "told" comes whom, not who
        far = before and attribution.cue[0] - source[1] > 3
        participle = text[cue_start:cue_end].endswith("ing")  # "..., adding that"
        if far and not participle and _is_inverted(text[:cue_start]):
            phrase = None  # "..., said a person close to X": not the subject far before
        if not phrase or not _is_plausible_source(phrase):
            phrase = _source_near_cue(text, cue_start, cue_end)
            if phrase and not _is_plausible_source(phrase):
                phrase = None
        if phrase and not _proper_name(phrase):
            phrase = _named_subject(text[:cue_start]) or phrase
        if phrase and _is_passive(text, cue_start, cue_end):
            # "the increase was later said to be illegal": nobody said it here, unless an
            # agent follows ("a story was being told by The Daily Caller").
            phrase = _passive_agent(text, cue_end)
        if phrase:
            yield _Frame(text[cue_start:cue_end], phrase)
    tagged = [a.cue for a in cues]
    for match in _CUE_SCAN.finditer(text):
        span = (sentence.start + match.start(), sentence.start + match.end())
        if all(e <= span[0] or span[1] <= s for s, e in tagged) and _is_reporting_cue(body, span):
            if _is_passive(text, match.start(), match.end()):
                phrase = _passive_agent(text, match.end())  # "is being criticized as": none
            else:
                phrase = _source_near_cue(text, match.start(), match.end())
            if phrase and _is_plausible_source(phrase):
                yield _Frame(match.group(), phrase)


def _resolve(
    body: str, sentence: Sentence, cues: list[SpanAttribution], context: _Context
) -> SentenceAttribution:
    for frame in _by_quotation(sentence.text, list(_frames(body, sentence, cues))):
        if frame.cited_only:  # the phrase names a publication by construction
            outlet = _outlet_of(frame.phrase, sentence.start, context.sources)
            outlet = outlet or _strip_descriptors(frame.phrase.strip())
            return SentenceAttribution(None, frame.cue, outlet)
        if frame.literal:
            name = _strip_descriptors(frame.phrase.strip())
            mention = _Mention(name, "group", _content_words(name), None, context.paragraph)
        else:
            found = re.search(rf"(?<!\w){re.escape(frame.phrase.strip())}(?!\w)", sentence.text)
            position = sentence.start + (found.start() if found else 0)
            mention = _mention(frame.phrase, position, context)
        if mention is None or not any(char.isalpha() for char in mention.name):
            continue
        if mention.kind == "group":  # "Though ... the coronation many pundits forecast, she
            # has reportedly amassed": the report is the source, not the pundits
            reported = _framing_adverb(sentence, context.sources)
            if reported is not NO_ATTRIBUTION:
                return reported
        if mention.kind != "outlet":  # an outlet speaking is itself the origin
            mention.cited_source = _cited_source(
                sentence.text, sentence.start, mention, context.sources
            )
        context.sources.mentions.append(mention)
        return SentenceAttribution(mention.name, frame.cue, mention.cited_source)
    return NO_ATTRIBUTION


def _by_quotation(text: str, frames: list[_Frame]) -> list[_Frame]:
    """In a sentence holding a quotation, the frame whose cue touches it comes first ("When
    A noted that …, B boasted, “…”": B speaks the quotation)."""
    quote = _QUOTATION.search(text)
    if not quote or len(frames) < 2:
        return frames

    def touches(frame: _Frame) -> bool:
        at = text.find(frame.cue)
        if at < 0:
            return False
        gap_before = text[at + len(frame.cue) : quote.start()]
        gap_after = text[quote.end() : at]
        return (0 <= len(gap_before) <= 3 and not gap_before.strip(" ,:")) or (
            at >= quote.end() and len(gap_after) <= 40 and "," in gap_after[:3]
        )

    return sorted(frames, key=lambda frame: not touches(frame))


def _fill_from_neighbours(
    body: str,
    paragraph_starts: list[int],
    sentences: Sequence[Sentence],
    cues: Sequence[SpanAttribution],
    results: list[SentenceAttribution],
    sources: _ArticleSources,
) -> None:
    """Sentences without a frame of their own: a quotation continuing the previous
    sentence's speaker, a sentence an attribution's content covers, "reportedly"."""
    starts = [s.start for s in sentences]
    paragraph_of = [bisect_right(paragraph_starts, s.start) for s in sentences]
    for attribution in cues:
        owner = bisect_right(starts, attribution.cue[0]) - 1
        if owner < 0 or results[owner] is NO_ATTRIBUTION:
            continue
        content_start, content_end = attribution.content
        for index in range(max(bisect_right(starts, content_start) - 1, 0), len(sentences)):
            sentence = sentences[index]
            if sentence.start >= content_end:
                break
            covered = min(sentence.end, content_end) - max(sentence.start, content_start)
            same_paragraph = paragraph_of[index] == paragraph_of[owner]
            if (
                results[index] is NO_ATTRIBUTION
                and same_paragraph
                and covered >= _COVERED * (sentence.end - sentence.start)
            ):
                results[index] = results[owner]
    _fill_quotations(body, sentences, paragraph_of, results)
    for index, sentence in enumerate(sentences):
        if results[index] is not NO_ATTRIBUTION:
            continue
        continues_quote = (
            index > 0
            and paragraph_of[index] == paragraph_of[index - 1]
            and _is_bare_quote(sentence.text)
        )
        if continues_quote:
            results[index] = results[index - 1]
        else:
            results[index] = _framing_adverb(sentence, sources)


def _fill_quotations(
    body: str,
    sentences: Sequence[Sentence],
    paragraph_of: list[int],
    results: list[SentenceAttribution],
) -> None:
    """A quotation's sentences share its attribution: the sentences of one quotation on a line
    ("“A. B?” she said": A and B), and a paragraph that is only a quotation, right after a
    paragraph whose last sentence names who speaks ("Jane Doe said:", "“…,” she said", "Jane
    Doe argued that …"): news style gives the speaker once, before the quotation."""
    groups: list[list[int]] = []
    for index, sentence in enumerate(sentences):
        line_start = body.rfind("\n", 0, sentence.start) + 1
        if groups and _still_open(body, line_start, sentences[groups[-1][-1]].end):
            groups[-1].append(index)
        else:
            groups.append([index])
    for group in groups:
        found = {results[i] for i in group if results[i] is not NO_ATTRIBUTION}
        if len(found) == 1:
            (attribution,) = found
            for i in group:
                if results[i] is NO_ATTRIBUTION:
                    results[i] = attribution
    by_paragraph: dict[int, list[int]] = defaultdict(list)
    for index in range(len(sentences)):
        by_paragraph[paragraph_of[index]].append(index)
    for paragraph, members in by_paragraph.items():
        previous = by_paragraph.get(paragraph - 1)
        first, last = sentences[members[0]].text, sentences[members[-1]].text.rstrip()
        if (
            previous
            and first[:1] in _OPENING_QUOTES
            and last.rstrip(".")[-1:] in _CLOSING_QUOTES
            and all(results[i] is NO_ATTRIBUTION for i in members)
            and results[previous[-1]].speaker is not None
        ):
            for i in members:
                results[i] = results[previous[-1]]


def _still_open(body: str, line_start: int, position: int) -> bool:
    return line_start < position and open_quotation(body, line_start, position) is not None


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


def _source_near_cue(text: str, cue_start: int, cue_end: int) -> str | None:
    """The source phrase of a cue, read from the sentence around it:

    "According to X, ..."                      -> after the cue
    "“...,” said Francois Delattre, the ..."   -> after the cue (it follows a quotation)
    "..., reports Reuters." / "..., say sources close to the Kremlin." -> after, to the end
    "Riyadh Tabara, a former ambassador, told" -> the name before the apposition
    "a newspaper that said that ..."           -> the noun phrase before "that"
    "Israel’s Channel Two yesterday said"      -> the words before the cue
    """
    cue = text[cue_start:cue_end].lower()
    before = _TRAILING_TIME.sub("", text[:cue_start].rstrip())
    if cue.startswith(_TELLING) and before:
        return _apposed_subject(before) if before.endswith(",") else _phrase_before(before)
    if cue.startswith(_SOURCE_AFTER_CUES) or not before or _QUOTE_END.search(before):
        return _phrase_after(text, cue_end)
    if before.endswith(","):
        return _phrase_after(text, cue_end, to_sentence_end=True) or _apposed_subject(before)
    return _phrase_before(before)


def _phrase_after(text: str, position: int, *, to_sentence_end: bool = False) -> str | None:
    match = _PHRASE_AFTER.match(text, position)
    if not match or len(match.group("phrase").split()) > _MAX_SOURCE_WORDS:
        return None
    phrase = match.group("phrase")
    if phrase.split()[0].lower() in _CLAUSE_WORDS:
        return None
    rest = text[match.end() :]
    if to_sentence_end and rest.strip(" .!?”\"'") and not _CLOSING_APPOSITION.match(rest):
        return None
    return phrase


def _is_inverted(before: str) -> bool:
    """The cue follows a comma or a quotation: its source comes after it."""
    return before.rstrip().endswith((",", ",”", ',"')) or bool(_QUOTE_END.search(before.rstrip()))


def _apposed_subject(before: str) -> str | None:
    """ "Riyadh Tabara, a former Lebanese ambassador to the United States," -> the part that
    names a person, else the subject before the first comma."""
    clause = re.split(r"[;:“”\"]", before)[-1]
    parts = [part.strip() for part in clause.split(",") if part.strip()]
    if not parts or len(parts[0].split()) > _MAX_SOURCE_WORDS:
        return None
    return _pick_part(", ".join(parts), source_before_cue=False)


def _named_subject(before: str) -> str | None:
    """ "Tarja Cronberg, a Russia expert and ex-Finnish government minister (said)": the
    clause before the cue is a name and its apposition."""
    match = _NAME_AND_APPOSITION.match(before.strip())
    return match.group("name") if match else None


def _phrase_before(before: str) -> str | None:
    """The words right before the cue, back to a clause boundary; through a relative
    pronoun to its noun ("a newspaper that (said)")."""
    words = before.split()
    taken: list[str] = []
    relative = False
    for word in reversed(words):
        bare = word.lower().strip("“”\"'()")
        if not taken and bare in _RELATIVE_PRONOUNS and not relative:
            relative = True
            continue
        if word[-1] in ',;:”"(' or word[0] in '“"(' or bare in _CLAUSE_WORDS:
            break
        if word in _DASHES:  # "… made public ― Trump boasted"
            break
        if relative and bare in _SOURCE_STOP:
            break
        taken.append(word)
        if len(taken) >= _MAX_SOURCE_WORDS:
            break
    return " ".join(reversed(taken)) or None


def _pick_part(phrase: str, *, source_before_cue: bool) -> str:
    """Of a source phrase with commas ("Faysal Itani, a fellow at ...", "TV show, Vesti
    Nedeli, Dmitry Kiselyov"): the part that is a person's name, else the part next to the
    cue."""
    parts = [part.strip() for part in phrase.split(",") if part.strip()]
    if len(parts) <= 1:
        return phrase.strip(" ,")
    for part in parts:
        name = _strip_title(part)
        if classify_name(name) == "person" and _proper_name(name) == name:
            return part
    return parts[-1] if source_before_cue else parts[0]


def _is_plausible_source(phrase: str) -> bool:
    """ "to her followers", "Nelson’s (alleged death)", "for years Moscow officially", "Sanders’
    only path to the nomination is now to convince enough of the superdelegates who’ve already":
    the extractor's source ran into the wrong words (a relative clause may follow a source)."""
    words = phrase.split()
    if not words or not any(char.isalpha() for char in phrase):
        return False
    head = _RELATIVE_CLAUSE.split(phrase, maxsplit=1)[0].split()
    while head and _FINITE_VERB.fullmatch(head[-1]):
        head.pop()  # "police have (said)": the auxiliary of the cue
    if _FINITE_VERB.search(" ".join(head)):  # "nomination is now to convince": a clause
        return False
    first, last = words[0], words[-1]
    if first in _PREPOSITIONS or last.endswith(("’s", "'s", "s’", "s'")):
        return False
    return not (last.islower() and last.endswith("ly") and last not in _NOT_ADVERBS)


def _mention(phrase: str, position: int, context: _Context) -> _Mention | None:
    """Who a source phrase names; None for a pronoun nobody can be found for."""
    sources, paragraph = context.sources, context.paragraph
    cleaned = _clean_phrase(phrase)
    if not any(char.isalpha() for char in cleaned):
        return None
    words = _content_words(cleaned)
    lower = cleaned.lower()
    if all(word in _NOT_A_SOURCE for word in re.findall(r"[a-z]+", lower)):
        return None  # "On" from "On Tuesday said …"
    if lower in _PRONOUNS:
        gender = "f" if lower in {"she", "her"} else "m"
        named = sources.nearest_person(position, context.window_start, gender)
        if named:
            return _Mention(named, "person", _content_words(named), None, paragraph)
        earlier = _last_person(sources, paragraph, gender)
        if earlier:
            return _Mention(earlier.name, "person", earlier.words, earlier.cited_source, paragraph)
        return None
    if lower in _PLURAL_PRONOUNS:
        group = sources.nearest_group(position, context.previous_paragraph_start)
        if group:
            return _Mention(group, "group", _content_words(group), None, paragraph)
        return None
    if lower in _OTHER_PRONOUNS:
        return None
    if _OUTLET_DESCRIPTION.match(cleaned):
        outlet = sources.outlet_near(position)
        if outlet:
            return _Mention(outlet, "outlet", _content_words(outlet), None, paragraph)
    joined = _joined_mention(cleaned, position, context)
    if joined:
        return joined
    working_for = _WORKING_FOR.match(cleaned)
    if working_for and classify_name(_strip_title(working_for.group("person"))) == "person":
        person = sources.person(_strip_title(working_for.group("person")))
        outlet = _outlet_of(working_for.group("outlet"), position, sources)
        if outlet:  # "Jane Doe for Morning Consult", "NBC’s Jane Doe"
            return _Mention(person, "person", _content_words(person), outlet, paragraph)
    person = _person_after_role(cleaned)
    if person:
        full = sources.person(person)
        return _Mention(full, "person", _content_words(full), None, paragraph)
    name = _proper_name(cleaned)
    if name:
        outlet = sources.outlet_named(name)
        if outlet or name.split()[-1] in KNOWN_OUTLETS or _OUTLET_HEAD.search(cleaned):
            outlet = outlet or name
            return _Mention(outlet, "outlet", _content_words(outlet), None, paragraph)
        kind = classify_name(name)
        full = sources.person(name)
        known = kind == "person" or (kind == "other" and full != name)
        heads = _strip_title(cleaned).startswith(name)  # not "fighters in the ranks of X"
        if known and heads and not _has_descriptive_head(cleaned, name):
            return _Mention(full, "person", _content_words(full), None, paragraph)
        if _strip_descriptors(cleaned) == name:  # "the London-based Syrian Observatory ..."
            return _Mention(name, "group", _content_words(name), None, paragraph)
    if lower.startswith("the "):
        earlier = _described_earlier(sources, words)
        if earlier:
            return _Mention(
                earlier.name, earlier.kind, earlier.words, earlier.cited_source, paragraph
            )
        head = lower.split()[-1]
        if head in _PERSON_ROLES and len(lower.split()) <= 5:  # "the Vermont senator"
            gender = "f" if head in _FEMALE_ROLES else "m" if head in _MALE_ROLES else None
            named = sources.nearest_person(position, context.window_start, gender)
            if named:
                return _Mention(named, "person", _content_words(named), None, paragraph)
    return _Mention(_DETERMINERS.sub("", cleaned), "group", words, None, paragraph)


def _joined_mention(cleaned: str, position: int, context: _Context) -> _Mention | None:
    """ "NBC News and ABC News", "John Doe and Jane Roe": a list of named speakers, kept whole
    (each part resolved: "Doe and Roe" -> "John Doe and Jane Roe")."""
    parts = [p.strip() for p in _LIST_SEPARATOR.split(_strip_title(cleaned)) if p.strip()]
    if len(parts) < 2 or len(parts) > 4:
        return None
    mentions = []
    for part in parts:
        bare = _strip_title(part)
        if _proper_name(bare) != bare:
            return None  # "the council and its staff": not a list of names
        mention = _mention(bare, position, context)
        if mention is None or mention.kind == "group" and classify_name(bare) != "organisation":
            return None
        mentions.append(mention)
    kinds = {m.kind for m in mentions}
    name = (
        " and ".join(m.name for m in mentions)
        if len(mentions) == 2
        else (", ".join(m.name for m in mentions[:-1]) + " and " + mentions[-1].name)
    )
    words = frozenset().union(*(m.words for m in mentions))
    kind = kinds.pop() if len(kinds) == 1 else "group"
    return _Mention(name, kind, words, None, context.paragraph)


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
    """ "reportedly", "according to the report": the outlet the article is reporting on, when
    one is named before; else no speaker, but the cue, so that origins can trace the claim to
    the report the article cites (`origins.sources_in_article`)."""
    match = _FRAMING_ADVERBS.search(sentence.text)
    if not match:
        return NO_ATTRIBUTION
    outlet = sources.outlet_near(sentence.start, following=False)
    return SentenceAttribution(outlet, match.group("cue"), None)


def _last_person(sources: _ArticleSources, paragraph: int, gender: str | None) -> _Mention | None:
    for mention in reversed(sources.mentions[-50:]):
        if paragraph - mention.paragraph > _PRONOUN_WINDOW:
            break
        if mention.kind == "person" and sources.gender_of(mention.name) in {None, gender}:
            return mention
    return None


def _inside_quotation(text: str, position: int) -> bool:
    """Whether `position` lies inside a quotation opened earlier on its line."""
    return open_quotation(text, text.rfind("\n", 0, position) + 1, position) is not None


def _is_passive(text: str, cue_start: int, cue_end: int) -> bool:
    """ "was later said to", "is being criticized as", "are widely believed": a reporting verb
    in the passive, whose subject is what was said, not who said it."""
    words = [w.lower().strip(",") for w in text[:cue_start].split()[-4:]]
    words += [w.lower() for w in text[cue_start:cue_end].split()]
    verbs = [i for i, w in enumerate(words) if w in _REPORTING_WORDS]
    if not verbs or not words[verbs[0]].endswith(("ed", "said", "told", "thought", "written")):
        return False
    if words[verbs[0]] in {"quoted", "cited"} or text[cue_end:].lstrip().startswith("as saying"):
        return False  # "Jane Doe was quoted as saying": the subject still speaks
    for word in reversed(words[: verbs[0]]):
        if word in _PASSIVE_AUXILIARIES:
            return True
        if not (word.endswith("ly") or word in _ADVERBS):
            return False
    return False


def _passive_agent(text: str, cue_end: int) -> str | None:
    match = _AGENT.match(text, cue_end)
    return match.group("agent") if match else None


def _looks_like_a_person(name: str) -> bool:
    """Not "THE BORROWING Back" (a capitalised header), "Former DNC" or "South Asia"."""
    tokens = name.split()
    if not tokens or tokens[0].lower() in _NOT_PERSON_STARTS:
        return False
    return not any(len(t) > 2 and t.isupper() and t.isalpha() for t in tokens)


def _first_name_gender(name: str) -> str | None:
    tokens = _strip_title(name).split()
    if len(tokens) < 2:
        return None
    first = tokens[0].lower()
    if first in _FEMALE_NAMES:
        return "f"
    if first in _MALE_NAMES:
        return "m"
    return None


def _gender_from_context(body: str, start: int, name: str) -> str | None:
    """ "Mrs. Clinton", "chairwoman Nancy Doe", "Nancy Doe": a title or role word right before
    the name, or a known first name."""
    before = body[max(0, start - 40) : start].split()
    previous = before[-1].lower() if before else ""
    if previous in _FEMALE_TITLES or previous in _FEMALE_ROLES:
        return "f"
    if previous in _MALE_TITLES or previous in _MALE_ROLES:
        return "m"
    return _first_name_gender(name)


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
    """Source phrase without apposition, party tags ("(D-Ohio)"), quoted words before it, time
    adverbs, a leading "also" and dangling function words ("a newspaper that"); a clause
    ending in a pronoun is that pronoun."""
    phrase = _PARTY_TAG.sub("", phrase).strip(" ,;:")
    after_quote = _QUOTE_MARKS.split(phrase)[-1].strip(" ,;:")
    if after_quote != phrase and any(char.isalpha() for char in after_quote):
        phrase = after_quote  # "sting like bees,'' Mr. Obama"
    head, comma, _ = phrase.partition(", ")
    if comma and _proper_name(head):
        phrase = head
    phrase = _TRAILING_TIME.sub("", phrase)
    words = _LEADING_WORDS.sub("", phrase).split()
    while len(words) > 1 and words[-1].lower() in _STOP:
        words.pop()
    if len(words) > 1 and words[-1].lower() in _PRONOUNS:
        words = words[-1:]  # "ordered his followers to ... he (said)"
    return " ".join(words)


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


def _person_after_role(phrase: str) -> str | None:
    """The person a phrase ends on right after a role or a title, without them: "White House
    spokesman Josh Earnest", "Republican vice-presidential nominee Gov. Mike Pence", "panel
    Chairman Rep. Jason Chaffetz" (not "advisers to Mr. X" or "groups granted Mr. X")."""
    spans = name_spans(phrase)
    if not spans or phrase[spans[-1][1] :].strip():
        return None
    start, end = spans[-1]
    tokens = phrase[start:end].split()
    roles = [i for i, t in enumerate(tokens[:-1]) if _is_role_or_title(t)]
    cut = roles[-1] + 1 if roles else 0  # "Homeland Security Secretary Jeh Johnson"
    name = " ".join(tokens[cut:])
    if classify_name(name) != "person":
        return None
    before = phrase[:start].split() + tokens[:cut]
    while before:  # titles may stand between the role and the name ("nominee Gov. X")
        word = before.pop().rstrip(".")
        if word.lower() in _ROLE_WORDS:
            return name
        if word not in TITLES:
            return None
    return None


def _is_role_or_title(token: str) -> bool:
    word = token.rstrip(".")
    return word in TITLES or word.lower() in _ROLE_WORDS


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
