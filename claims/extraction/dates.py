"""Dates in a claim: absolute ("2 June 2015", "June 2015", "2015"), weekdays and relative
words ("yesterday"), resolved against the publication date when one is known.

Dependency-free heuristics, like the rest of the extraction; every span is relative to the
text passed in (`text[m.start:m.end] == m.text`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from claims.extraction.wordlists import ALPHA_WORD, FUNCTION_WORDS, word_set


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    text: str
    kind: str  # date | month | year | weekday | relative
    value: str | None  # ISO (possibly reduced: "2015-06", "2011"), when it can be resolved


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
    words = set(ALPHA_WORD.findall(text.lower()))
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
    return bool(following) and following.group(1) not in FUNCTION_WORDS


_NEXT_WORD = re.compile(r" ([a-z][a-z-]+)")
