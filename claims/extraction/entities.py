"""Mentions inside a claim: named entities, quantities and dates.

Heuristic and dependency-free on purpose (no model download): capitalised sequences
classified by cue words and a small gazetteer, numbers with their qualifier and head noun,
and date expressions. Every span is relative to the text passed in, so for a claim
`claim.text[m.start:m.end] == m.text`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from claims.extraction.wordlists import word_set


@dataclass(frozen=True)
class Entity:
    start: int
    end: int
    text: str
    kind: str  # person | organisation | outlet | place | other


@dataclass(frozen=True)
class Quantity:
    start: int
    end: int
    text: str
    value: float
    approx: bool
    qualifier: str | None  # the word(s) before the number: "some", "as many as", "only"
    unit: str | None  # "percent", a currency sign, or the counted noun ("officials")


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    text: str
    kind: str  # date | month | year | weekday | relative
    value: str | None  # ISO (possibly reduced: "2015-06", "2011"), when it can be resolved


# ---------------------------------------------------------------- dates

MONTH_NUMBERS = {
    name: number
    for number, names in enumerate(
        [
            "january jan",
            "february feb",
            "march mar",
            "april apr",
            "may",
            "june jun",
            "july jul",
            "august aug",
            "september sep sept",
            "october oct",
            "november nov",
            "december dec",
        ],
        start=1,
    )
    for name in names.split()
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

MONTH_PATTERN = (
    r"(?:Jan(?:uary|\.)?|Feb(?:ruary|\.)?|Mar(?:ch|\.)?|Apr(?:il|\.)?|May|June?|July?"
    r"|Aug(?:ust|\.)?|Sept?(?:ember|\.)?|Oct(?:ober|\.)?|Nov(?:ember|\.)?|Dec(?:ember|\.)?)"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:1[89]\d\d|20\d\d)"
ABSOLUTE_DATE = re.compile(
    rf"\b(?:(?P<m1>{MONTH_PATTERN})\s+(?P<d1>{_DAY}),?\s+(?P<y1>{_YEAR})"
    rf"|(?P<d2>{_DAY})\s+(?:of\s+)?(?P<m2>{MONTH_PATTERN}),?\s+(?P<y2>{_YEAR})"
    rf"|(?P<y3>{_YEAR})-(?P<m3>0[1-9]|1[0-2])-(?P<d3>[0-3]\d))(?![\w-])"
)
_MONTH_YEAR = re.compile(
    rf"\b(?:(?:early|mid|late|the end of|the beginning of|the start of)[\s-]+)?"
    rf"(?P<month>{MONTH_PATTERN})(?:,?\s+(?P<year>{_YEAR}))?(?![\w-])"
)
_YEAR_ALONE = re.compile(rf"(?<![\w$£€.,-]){_YEAR}(?![\w%-]|[.,]\d)")
_WEEKDAY = re.compile(r"\b(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b")
_RELATIVE = re.compile(
    r"\b(?:yesterday|today|tonight|tomorrow|overnight"
    r"|(?:last|this|next|past|earlier this|later this|the past|the previous|the following)\s+"
    r"(?:week|weekend|month|year|summer|winter|spring|autumn|fall|decade|century|night|morning)"
    r"|within (?:hours|days|weeks|months))\b",
    re.IGNORECASE,
)
_RELATIVE_WORDS = word_set(
    "yesterday today tonight tomorrow overnight last this next past earlier later previous"
    " following within"
)
_ALPHA_WORD = re.compile(r"[A-Za-z]+")
_FOUR_DIGITS = re.compile(r"\d{4}")
# "two weeks ago": found from its unit, then widened to the word before (fast to scan).
_AGO = re.compile(r"\b(?:days|weeks|months|years|decades)\s+ago\b", re.IGNORECASE)
_WORD_BEFORE = re.compile(r"[\w-]+\s+$")
# "May" as a month only when a day, a year or a month cue sits next to it.
_AMBIGUOUS_MONTHS = frozenset({"may", "mar", "march", "jun", "jan", "dec", "sept", "oct"})


def month_number(name: str) -> int | None:
    return MONTH_NUMBERS.get(name.lower().rstrip("."))


def parse_absolute_date(match: re.Match[str]) -> date | None:
    """The calendar date of an ABSOLUTE_DATE match, or None when it is not a real date."""
    for suffix in "123":
        year = match.group(f"y{suffix}")
        if year:
            raw_month = match.group(f"m{suffix}")
            month = int(raw_month) if raw_month.isdigit() else month_number(raw_month)
            day = int(re.sub(r"\D", "", match.group(f"d{suffix}")))
            try:
                return date(int(year), month or 0, day)
            except ValueError:
                return None
    return None


def extract_dates(text: str, *, reference: date | None = None) -> list[DateMention]:
    """Date expressions; `reference` (the publication date) resolves weekdays and "yesterday"."""
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, kind: str, value: str | None) -> None:
        if any(start < e and s < end for s, e in taken):
            return
        taken.append((start, end))
        found.append(DateMention(start, end, text[start:end], kind, value))

    # Cheap word tests first: most sentences have no date at all, and the patterns are slow.
    words = set(_ALPHA_WORD.findall(text.lower()))
    has_month = not words.isdisjoint(MONTH_NUMBERS)
    has_year = _FOUR_DIGITS.search(text) is not None
    for match in ABSOLUTE_DATE.finditer(text) if has_month or has_year else ():
        parsed = parse_absolute_date(match)
        if parsed:
            add(match.start(), match.end(), "date", parsed.isoformat())
    for match in _MONTH_YEAR.finditer(text) if has_month else ():
        month, year = match.group("month"), match.group("year")
        qualified = match.group() != month
        if month.lower() in _AMBIGUOUS_MONTHS and not (year or qualified):
            continue
        number = month_number(month)
        value = f"{year}-{number:02d}" if year and number else None
        add(match.start(), match.end(), "month", value)
    for match in _WEEKDAY.finditer(text) if not words.isdisjoint(WEEKDAYS) else ():
        add(match.start(), match.end(), "weekday", _resolve_weekday(match.group(), reference))
    for match in _RELATIVE.finditer(text) if not words.isdisjoint(_RELATIVE_WORDS) else ():
        add(match.start(), match.end(), "relative", _resolve_relative(match.group(), reference))
    for match in _AGO.finditer(text) if "ago" in words else ():
        before = _WORD_BEFORE.search(text, max(0, match.start() - 30), match.start())
        add(before.start() if before else match.start(), match.end(), "relative", None)
    for match in _YEAR_ALONE.finditer(text) if has_year else ():
        if not _counts_things(text, match.end()):
            add(match.start(), match.end(), "year", match.group())
    return sorted(found, key=lambda d: d.start)


def _resolve_weekday(name: str, reference: date | None) -> str | None:
    """News uses a bare weekday for the most recent such day on or before publication."""
    if reference is None:
        return None
    back = (reference.weekday() - WEEKDAYS.index(name.lower())) % 7
    return (reference - timedelta(days=back)).isoformat()


def _resolve_relative(phrase: str, reference: date | None) -> str | None:
    offsets = {"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1}
    key = phrase.lower()
    if reference is None or key not in offsets:
        return None
    return (reference + timedelta(days=offsets[key])).isoformat()


def _counts_things(text: str, end: int) -> bool:
    """True when a year-like number is really a count ("2000 troops")."""
    following = _NEXT_WORD.match(text, end)
    return bool(following) and following.group(1) not in _FUNCTION_WORDS


_NEXT_WORD = re.compile(r" ([a-z][a-z-]+)")

# ---------------------------------------------------------------- quantities

_FUNCTION_WORDS = word_set(
    """a an the of in on at to for from by with without into onto over under about as than
    that which who whom whose this these those and or but nor so yet if when while where
    is are was were be been being am has have had do does did will would shall should can
    could may might must not no its it his her their our your my they them he she we you i
    also only just still even more most less least per each every all both either neither
    since until after before during between among against through across toward towards
    via up down out off again later earlier ago said says say told reported"""
)
_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "hundred": 100,
    "a hundred": 100,
    "a dozen": 12,
    "dozen": 12,
    "hundreds": 100,
    "dozens": 12,
    "thousands": 1000,
    "a thousand": 1000,
}
_SCALES = {
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "trillion": 1e12,
    "bn": 1e9,
    "m": 1e6,
}
_QUALIFIER_LIST = sorted(
    """as many as|as much as|as few as|up to|more than|less than|fewer than|at least|at most
    |close to|an estimated|just over|just under|some|about|around|roughly|approximately
    |nearly|almost|over|only|exactly|under""".replace("\n    ", "").split("|"),
    key=len,
    reverse=True,
)
_APPROX_QUALIFIERS = frozenset(
    {
        "some",
        "about",
        "around",
        "roughly",
        "approximately",
        "nearly",
        "almost",
        "as many as",
        "as much as",
        "up to",
        "close to",
        "an estimated",
        "just over",
        "just under",
    }
)
_DIGITS = re.compile(
    r"(?=\d)(?<![\w.,:/-])(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\w:/]|[.,]\d)"
)
_NUMBER_SUFFIX = re.compile(
    r"(?:\s*(?P<scale>thousand|million|billion|trillion|bn\b|m\b))?"
    r"(?:\s*(?P<percent>%|percent\b|per cent\b)|-(?P<hyphen_unit>[a-z]+))?",
    re.IGNORECASE,
)
_CURRENCIES = "$€£¥"
_UNIT_WORD = re.compile(r"\s+(?:of\s+)?([A-Za-z][A-Za-z’'-]*)")
_MAX_UNIT_WORDS = 6
# Irregular past tenses that end a counted phrase ("100 officials left the country").
_COMMON_VERBS = word_set(
    """left went came took made fled fought won lost got gave held met ran saw sent set wrote
    began rose fell flew grew hit led paid put sold spent stood struck became remain remained
    say says fear feared want wanted live lived"""
)
_MEASURES = word_set(
    """feet foot ft inches inch metres meters metre meter m km kilometres kilometers miles mile
    kg kilograms grams tonnes tons pounds lbs litres liters gallons barrels acres hectares
    degrees years year months month weeks week days day hours hour minutes minute seconds
    dollars euros pounds rubles roubles yuan yen percent points times"""
)


def extract_quantities(text: str, *, dates: list[DateMention] | None = None) -> list[Quantity]:
    """Counts, amounts and percentages, with the noun they count when one follows.
    `dates` (from extract_dates on the same text) keeps years and days out of the counts."""
    dates = extract_dates(text) if dates is None else dates
    taken = [(d.start, d.end) for d in dates if d.kind in {"date", "year", "month"}]
    found = []
    for start, end, value, is_word in _numbers(text):
        if any(s <= start < e for s, e in taken):
            continue
        quantity = _quantity(text, start, end, value, is_word)
        if quantity:
            found.append(quantity)
    return found


def _numbers(text: str) -> list[tuple[int, int, float, bool]]:
    """(start, end, value, written as a word) of every number, in text order.
    Number words are looked up word by word: a regex alternation of them is far slower."""
    numbers = [
        (m.start(), m.end(), float(m.group().replace(",", "")), False)
        for m in _DIGITS.finditer(text)
    ]
    if _NUMBER_WORDS.keys().isdisjoint(_ALPHA_WORD.findall(text.lower())):
        return numbers
    previous: re.Match[str] | None = None
    for word in _ALPHA_WORD.finditer(text):
        lower = word.group().lower()
        if lower in _NUMBER_WORDS:
            start = word.start()
            if (
                previous is not None
                and previous.group().lower() == "a"
                and f"a {lower}" in _NUMBER_WORDS
            ):
                start, lower = previous.start(), f"a {lower}"
            alone_before = (
                start == 0 or text[start - 1] not in "-'’" and not text[start - 1].isalnum()
            )
            alone_after = word.end() == len(text) or not text[word.end()].isalnum()
            if alone_before and alone_after:
                numbers.append((start, word.end(), float(_NUMBER_WORDS[lower]), True))
        previous = word
    return sorted(numbers)


def _quantity(
    text: str, start: int, number_end: int, value: float, is_word: bool
) -> Quantity | None:
    currency = text[start - 1] if start and text[start - 1] in _CURRENCIES else None
    start -= bool(currency)
    qualifier = _qualifier_before(text, start)
    start -= len(qualifier) + 1 if qualifier else 0
    suffix = _NUMBER_SUFFIX.match(text, number_end)
    if suffix.group("scale"):
        value *= _SCALES[suffix.group("scale").lower()]
    end = suffix.end()
    if suffix.group("percent"):
        unit: str | None = "percent"
    elif suffix.group("hyphen_unit"):
        unit = suffix.group("hyphen_unit").lower()
    elif currency:
        unit = currency
    else:
        unit, end = _counted_noun(text, end)
    if is_word and not unit:
        return None  # "one of them said": a pronoun, not a quantity
    plural_word = is_word and text[number_end - 1] == "s"  # "dozens", "hundreds"
    approx = qualifier in _APPROX_QUALIFIERS or plural_word
    return Quantity(start, end, text[start:end], value, approx, qualifier, unit)


def _qualifier_before(text: str, start: int) -> str | None:
    """The qualifier written right before a number ("as many as 100"), lower-cased."""
    if start < 2 or text[start - 1] != " ":
        return None
    before = text[max(0, start - 16) : start - 1].lower()
    for qualifier in _QUALIFIER_LIST:
        if before.endswith(qualifier):
            boundary = len(before) - len(qualifier) - 1
            if boundary < 0 and start - 1 - len(qualifier) == 0 or not before[boundary].isalnum():
                return qualifier
    return None


def _counted_noun(text: str, position: int) -> tuple[str | None, int]:
    """The head noun after a number: the last word of the modifier run that follows it.

    "100 senior Russian diplomatic and technical officials stationed in" -> "officials".
    """
    words: list[tuple[str, int]] = []
    while len(words) < _MAX_UNIT_WORDS:
        match = _UNIT_WORD.match(text, position)
        if not match:
            break
        token = match.group(1)
        lower = token.lower()
        if lower in {"and", "or"} and words:
            position = match.end()
            continue
        if lower in _FUNCTION_WORDS or lower in _NUMBER_WORDS or lower in _COMMON_VERBS:
            break
        if words and lower.endswith(("ed", "ing")):
            break
        if match.group().lstrip().startswith("of "):
            break
        words.append((token, match.end()))
        position = match.end()
        if len(words) == 1 and lower in _MEASURES:
            break
    if not words:
        return None, position
    last, end = words[-1]
    return last.lower(), end


# ---------------------------------------------------------------- named entities

# A middle initial keeps its period ("Mary K. Smith"), so the name runs on past it.
_WORD = re.compile(
    r"(?:[A-Za-z]\.){2,}|[A-Z]\.(?= (?!(?:The|A|An|He|She|It|They|We|I|In|On|At|But|And|This|That)\b)[A-Z])|[\w’'.&-]*\w(?:[’']s?)?|&"
)
_PARTICLE_NAME = re.compile(r"(?:al|el|ad|an|ar|as|ash|at|az|bin|ibn|abu|bint)-[A-Z]")
_NAME_PARTICLES = frozenset(
    {"de", "del", "da", "di", "van", "von", "der", "bin", "ibn", "al", "el", "du", "la", "le"}
)
_ORG_CONNECTORS = frozenset({"of", "for", "&", "the", "on"})
# Regions that can hold a name: capitalised words and the particles/connectors between them.
# Scanning these with a regex first keeps name_spans fast on megabyte-long bodies.
_NAME_WORD = (
    r"(?:(?:[A-Za-z]\.){2,}|[A-ZÀ-ÖØ-Þ\u0100-\u017f\u0400-\u042f][\w’'.&-]*"
    r"|(?:al|el|ad|an|ar|as|ash|at|az|bin|ibn|abu|bint)-[A-Z][\w’'.&-]*)"
)
_CANDIDATE_RUN = re.compile(
    rf"(?<![\w’'.&-]){_NAME_WORD}(?:(?: (?:of|for|&|the|on|de|del|da|di|van|von|der|bin|ibn"
    rf"|al|el|du|la|le))* {_NAME_WORD})*"
)
_DESCRIPTOR = re.compile(
    r"-(?:based|owned|backed|led|run|funded|controlled|language|speaking|born|allied|affiliated|linked)$"
)
_NOT_NAMES = word_set(
    """The A An In On At To For From By With Of And Or But If When While As Since After Before
    During Until This That These Those It Its He She They We I You His Her Their Our My Your
    There Here Still Yet So Then Also Even Only Just Some Many Most Much Any Each Every All
    Both No Not None One Two Three Four Five What Which Who Whom Whose Why How Where Although
    Though However Meanwhile Moreover Instead Despite Without Within Upon Among Between Under
    Over According Asked Upon Today Yesterday Tomorrow Firstly Secondly Finally Last Next
    Earlier Later Now Topping Working Many Other Such Short Report Published Until Than
    Mr Mrs Ms Dr Sir Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February
    March April May June July August September October November December"""
)
TITLES = word_set(
    """President Vice Prime Minister Foreign Defense Defence Secretary Ambassador Sir Dame Lord
    Lady Mr Mrs Ms Dr Gen General Sen Senator Rep Representative Gov Governor King Queen Prince
    Princess Crown Chancellor Pope Spokesman Spokeswoman Lt Col Colonel Adm Admiral Maj Major
    Capt Captain Judge Justice Mayor Chief Commander Director Chairman Chairwoman Professor Prof
    Rev Deputy Leader Sheikh Emir Ayatollah Premier Envoy Minister Gen. Sen. Rep. Gov. Lt. Col.
    Dr. Mr. Mrs. Ms. Prof. Capt. Maj. Adm. Rev. State Interior Finance Economy Justice Health
    Sens Sens. Reps Reps. Govs Govs. Senators Representatives"""
)
_OUTLET_CUES = word_set(
    """Times Post News Press Channel Network Radio TV Television Journal Gazette Herald Daily
    Tribune Guardian Telegraph Observer Chronicle Express Mail Mirror Review Magazine Monitor
    Independent Sun Standard Reuters Bloomberg AP AFP TASS Interfax RIA Xinhua BBC CNN Newswire
    Newser Wire Caller Insider Today Vesti"""
)
_ORGANISATION_CUES = word_set(
    """Ministry Council Observatory Center Centre Court Union Agency Party Army Institute
    University College Committee Commission Department Bank Company Corporation Corp Inc Ltd
    LLC Group Organization Organisation Association Forces Force Front Brigade Brigades Kremlin
    Pentagon Parliament Congress Senate Assembly Government Administration Office Authority
    Foundation Fund Federation League Alliance Coalition Movement Service Services Guard Navy
    Command Academy School Hospital Club Society Board Bureau Nations Security State Ministry
    Hezbollah Hamas NATO UN U.N. E.U. EU OPEC IAEA WHO Taliban ISIS ISIL Qaeda Caucus"""
)
_INSTITUTIONS = frozenset({"White House", "Capitol Hill", "Downing Street", "Elysee", "Élysée"})
# "(D-Md.)", "(R-Ga.)": a party and state after a lawmaker's name, not a name.
_PARTY_STATE = re.compile(r"^[DRI]-[A-Z][A-Za-z.]*$")
PLACES = word_set(
    """Afghanistan Albania Algeria Argentina Armenia Australia Austria Azerbaijan Bahrain
    Bangladesh Belarus Belgium Bolivia Bosnia Brazil Bulgaria Cambodia Cameroon Canada Chad
    Chile China Colombia Congo Croatia Cuba Cyprus Czechia Denmark Ecuador Egypt Eritrea
    Estonia Ethiopia Finland France Georgia Germany Ghana Greece Guatemala Haiti Honduras
    Hungary Iceland India Indonesia Iran Iraq Ireland Israel Italy Japan Jordan Kazakhstan Kenya
    Kosovo Kuwait Kyrgyzstan Laos Latvia Lebanon Libya Lithuania Luxembourg Malaysia Mali Malta
    Mexico Moldova Mongolia Montenegro Morocco Mozambique Myanmar Nepal Netherlands Nicaragua
    Niger Nigeria Norway Oman Pakistan Palestine Panama Paraguay Peru Philippines Poland
    Portugal Qatar Romania Russia Rwanda Serbia Singapore Slovakia Slovenia Somalia Spain Sudan
    Sweden Switzerland Syria Taiwan Tajikistan Tanzania Thailand Tunisia Turkey Turkmenistan
    Uganda Ukraine Uruguay Uzbekistan Venezuela Vietnam Yemen Zambia Zimbabwe Europe Asia Africa
    America Gaza Crimea Donbas Kurdistan Moscow Washington London Paris Berlin Beijing Tokyo
    Damascus Beirut Baghdad Tehran Ankara Istanbul Cairo Riyadh Jerusalem Kyiv Kiev Brussels
    Geneva Rome Madrid Doha Dubai Amman Aleppo Idlib Homs Hama Latakia Tartus Raqqa Deir Mosul
    Kabul Islamabad Delhi Mumbai Seoul Pyongyang Sydney Managua Minsk Warsaw Vienna Athens"""
) | frozenset(
    [
        "United States",
        "United Kingdom",
        "United Arab Emirates",
        "Saudi Arabia",
        "South Africa",
        "North Korea",
        "South Korea",
        "New York",
        "Middle East",
        "European Union",
        "Soviet Union",
        "Persian Gulf",
        "Gulf States",
        "U.S.",
        "U.K.",
        "D.C.",
    ]
)
# US states and the cities news datelines name most: places, not people ("South Dakota").
PLACES |= word_set(
    """Alabama Alaska Arizona Arkansas California Colorado Connecticut Delaware Florida Georgia
    Hawaii Idaho Illinois Indiana Iowa Kansas Kentucky Louisiana Maine Maryland Massachusetts
    Michigan Minnesota Mississippi Missouri Montana Nebraska Nevada Ohio Oklahoma Oregon
    Pennsylvania Tennessee Texas Utah Vermont Virginia Wisconsin Wyoming Chicago Boston
    Philadelphia Denver Atlanta Miami Houston Dallas Seattle Detroit Cleveland Baltimore"""
) | frozenset(
    [
        "New Hampshire",
        "New Jersey",
        "New Mexico",
        "North Carolina",
        "North Dakota",
        "Rhode Island",
        "South Carolina",
        "South Dakota",
        "West Virginia",
        "Puerto Rico",
        "Los Angeles",
        "San Francisco",
        "Las Vegas",
    ]
)
_PLACE_CUES = word_set(
    """City Province Region Governorate District County Sea Ocean River Mountains Valley Island
    Islands Peninsula Strait Street Square Airport Port Bay Desert Heights Coast"""
)
KNOWN_OUTLETS = word_set(
    """Reuters Bloomberg AP AFP TASS Interfax Xinhua BBC CNN Sputnik RT NBC ABC CBS MSNBC CNBC NPR
    PBS UPI Politico Axios Breitbart HuffPost Newsweek Slate Vox BuzzFeed Newsmax Politifact
    PolitiFact"""
)


def extract_entities(text: str) -> list[Entity]:
    """People, organisations (outlets separately), places and other proper names."""
    found = []
    for start, end in name_spans(text):
        had_title = False
        start, end = _strip_leading_common_words(text, start, end)
        if start < end:
            title_end = _title_end(text, start, end)
            had_title = title_end > start
            start = title_end
        if start >= end:
            continue
        name = text[start:end]
        kind = classify_name(name, had_title=had_title)
        if kind:
            found.append(Entity(start, end, name, kind))
    return found


def name_spans(text: str) -> list[tuple[int, int]]:
    """Maximal runs of capitalised words, joined by name particles ("Bashar al-Assad") and,
    after an organisation word, by "of"/"for"/"and" ("Center for Analysis of Strategies")."""
    spans: list[tuple[int, int]] = []
    for run in _CANDIDATE_RUN.finditer(text):
        spans.extend(_split_run(text, list(_WORD.finditer(text, run.start(), run.end()))))
    return spans


def _split_run(text: str, words: list[re.Match[str]]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        if not _is_name_word(words[i].group()) or _DESCRIPTOR.search(words[i].group()):
            i += 1
            continue
        first = last = i
        organisational = _is_org_word(words[i].group())
        j = i + 1
        while j < len(words) and _adjacent(text, words[j - 1], words[j]):
            word = words[j].group()
            if _is_possessive(words[j - 1].group()):
                break
            if _is_name_word(word):
                last = j
                organisational = organisational or _is_org_word(word)
                j += 1
                continue
            joins = word in _NAME_PARTICLES or (
                word in _ORG_CONNECTORS and (organisational or _is_office(words[j - 1].group()))
            )
            if not joins:
                break
            j += 1
        spans.append((words[first].start(), words[last].end()))
        i = last + 1
    return spans


# A weekday ends a name: "in South Dakota Tuesday" names South Dakota, not "Dakota Tuesday".
_WEEKDAYS = word_set("Monday Tuesday Wednesday Thursday Friday Saturday Sunday")


# An abbreviated title starts a new name: "Florida Rep. Jane Doe" is Florida, then Jane Doe.
_TITLE_ABBREVIATIONS = word_set("Rep Reps Sen Sens Gov Gen Lt Col Mr Mrs Ms Dr Capt Maj Adm Sgt")


def _is_name_word(word: str) -> bool:
    if word in _WEEKDAYS or word in _TITLE_ABBREVIATIONS:
        return False
    return word[0].isupper() or bool(_PARTICLE_NAME.match(word))


def _is_org_word(word: str) -> bool:
    return word in _ORGANISATION_CUES or word in _OUTLET_CUES or word in _PLACE_CUES


def _is_office(word: str) -> bool:
    """An office that takes "of" ("Secretary of State", "Minister of Defence")."""
    return word in {"Secretary", "Minister", "Ministry", "Governor", "Prince", "King", "Queen"}


def _is_possessive(word: str) -> bool:
    return word.endswith(("’s", "'s"))


def _adjacent(text: str, left: re.Match[str], right: re.Match[str]) -> bool:
    """Same name only when separated by plain spaces (no comma, no line break)."""
    gap = text[left.end() : right.start()]
    return gap == " " or (gap == "" and right.group() == "&")


def _strip_leading_common_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop sentence-initial function words and "London-based"-style descriptors."""
    while start < end:
        word = _WORD.match(text, start)
        if not word or word.end() > end:
            break
        token = word.group().rstrip(".")
        if (
            token not in _NOT_NAMES
            and not _DESCRIPTOR.search(token)
            and token not in _ORG_CONNECTORS
        ):
            break
        start = word.end()
        while start < end and text[start] == " ":
            start += 1
    return start, _strip_possessive(text, start, end)


def _strip_possessive(text: str, start: int, end: int) -> int:
    for suffix in ("’s", "'s"):
        if text.endswith(suffix, start, end):
            return end - len(suffix)
    return end


def _title_end(text: str, start: int, end: int) -> int:
    """Where a person's name starts after the office before it ("Foreign Minister Adel al-Jubeir").

    Returns `start` when there is no title or when the title is the name of an office
    ("Secretary of State" alone, "Ministry of Defense")."""
    tokens = list(_WORD.finditer(text, start, end))
    last_title = -1
    for i, token in enumerate(tokens):
        if token.group() in TITLES or token.group().rstrip(".") in TITLES:
            last_title = i
    if last_title < 0 or last_title == len(tokens) - 1:
        return start
    rest = tokens[last_title + 1 :]
    if any(t.group() in _ORGANISATION_CUES for t in rest) or not _is_name_word(rest[0].group()):
        return start
    return rest[0].start()


def classify_name(name: str, *, had_title: bool = False) -> str | None:
    """Kind of a capitalised name, or None when it is not a name at all."""
    tokens = re.findall(r"[\w’'.]+", name)
    if not tokens or all(t in _NOT_NAMES for t in tokens) or _PARTY_STATE.match(name):
        return None
    if name in PLACES or name.removeprefix("the ") in PLACES:
        return "place"
    if any(t in KNOWN_OUTLETS for t in tokens) or (
        len(tokens) > 1 and any(t in _OUTLET_CUES for t in tokens)
    ):
        return "outlet"
    if any(t in _ORGANISATION_CUES for t in tokens) or name in _INSTITUTIONS:
        return "organisation"
    if tokens[-1] in _PLACE_CUES:
        return "place"
    if had_title:
        return "person"
    if 2 <= len(tokens) <= 4 and all(
        t[0].isupper() or t in {"al", "bin", "de", "van"} for t in tokens
    ):
        return "person"
    return "other"
