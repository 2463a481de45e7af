"""From an uploaded article (plain text or HTML) to a clean body plus metadata.

Two stages:

1. `normalise_text`: Unicode NFKC per character cluster, invisible characters removed, every
   whitespace run collapsed (non-breaking spaces included), blank-line runs collapsed to one.
   The result keeps `origin`, the source offset of each character, so a claim span in the
   body can always be shown in the text the analyst uploaded.
2. `clean_article`: line by line, take the headline, subheadline, byline and date lines out
   of the body, drop boilerplate (photo captions and credits, share/subscribe lines,
   copyright and tag lines), strip an inline byline or dateline from the first paragraph.

HTML goes through trafilatura (main-text extraction and metadata), then through nh3 with
every tag stripped, so scripts, styles and iframes cannot survive into the body. For HTML
the offsets refer to the extracted text (`CleanedArticle.source`), not to the markup.
"""

from __future__ import annotations

import html
import re
import unicodedata
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import nh3
import trafilatura

from claims.extraction.datelines import Dateline, read_dateline
from claims.extraction.dates import ABSOLUTE_DATE, MONTH_PATTERN, parse_absolute_date
from claims.extraction.wordlists import word_set

HTML_CONTENT_TYPES = ("text/html", "application/xhtml+xml")

# ---------------------------------------------------------------- normalisation


@dataclass(frozen=True)
class MappedText:
    """A derived text and, per character, the offset in `source` it came from."""

    text: str
    origin: array
    source: str

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of `source` that text[start:end] was derived from."""
        if start >= end:
            position = self.origin[start] if start < len(self.text) else len(self.source)
            return position, position
        source_end = self.origin[end - 1] + 1
        while source_end < len(self.source) and unicodedata.combining(self.source[source_end]):
            source_end += 1
        return self.origin[start], source_end


_SPECIAL_CHARACTERS = {
    "\u00ad": "",  # soft hyphen
    "\u200b": "",
    "\u200c": "",
    "\u200d": "",
    "\u2060": "",
    "\ufeff": "",
    "\u2028": "\n",
    "\u2029": "\n\n",
    "\u0085": "\n",
}
_COMBINING = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_NEEDS_NORMALISING = re.compile(
    rf"\r\n?|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|(?:[\x21-\x7e](?=[{_COMBINING}]))?[^\x00-\x7f]+"
)
_HORIZONTAL_SPACE = re.compile(r"[^\S\n]{2,}|[^\S\n ]")  # a lone space is already right
_LINE_BREAK = re.compile(r" \n[ \n]*|\n[ \n]+")  # a lone "\n" is already right


def normalise_text(source: str) -> MappedText:
    """NFKC and whitespace normalisation, with an offset map back to `source`."""
    mapped = MappedText(source, array("I", range(len(source))), source)
    mapped = _rewrite(mapped, _NEEDS_NORMALISING, _normalise_characters)
    mapped = _rewrite(mapped, _HORIZONTAL_SPACE, lambda _: " ")
    mapped = _rewrite(mapped, _LINE_BREAK, lambda m: "\n\n" if m.group().count("\n") > 1 else "\n")
    start, end = 0, len(mapped.text)
    while start < end and mapped.text[start].isspace():
        start += 1
    while end > start and mapped.text[end - 1].isspace():
        end -= 1
    return MappedText(mapped.text[start:end], mapped.origin[start:end], source)


def _rewrite(
    mapped: MappedText, pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str]
) -> MappedText:
    """Replace every match; replacement characters map to the match's first character."""
    parts: list[str] = []
    origin = array("I")
    copied = 0
    for match in pattern.finditer(mapped.text):
        replacement = replace(match)
        if replacement == match.group():
            continue
        parts.append(mapped.text[copied : match.start()])
        origin.extend(mapped.origin[copied : match.start()])
        if isinstance(replacement, tuple):
            chars, offsets = replacement
            parts.append(chars)
            origin.extend(mapped.origin[match.start() + k] for k in offsets)
        else:
            parts.append(replacement)
            origin.extend([mapped.origin[match.start()]] * len(replacement))
        copied = match.end()
    if not parts:
        return mapped
    parts.append(mapped.text[copied:])
    origin.extend(mapped.origin[copied:])
    return MappedText("".join(parts), origin, mapped.source)


def _normalise_characters(match: re.Match[str]) -> tuple[str, list[int]] | str:
    """NFKC per base character and its combining marks; keeps each output char's origin."""
    run = match.group()
    if run.startswith("\r"):
        return "\n"
    if len(run) == 1 and (ord(run) < 0x20 or run == "\x7f"):
        return "\n" if run in "\x0b\x0c" else ""
    chars: list[str] = []
    offsets: list[int] = []
    i = 0
    while i < len(run):
        j = i + 1
        while j < len(run) and unicodedata.combining(run[j]):
            j += 1
        normalised = _normalise_cluster(run[i:j])
        chars.append(normalised)
        offsets.extend([i] * len(normalised))
        i = j
    normalised_run = "".join(chars)
    return run if normalised_run == run else (normalised_run, offsets)


@lru_cache(maxsize=4096)
def _normalise_cluster(cluster: str) -> str:
    if cluster in _SPECIAL_CHARACTERS:
        return _SPECIAL_CHARACTERS[cluster]
    return unicodedata.normalize("NFKC", cluster)


# ---------------------------------------------------------------- article cleaning


@dataclass(frozen=True)
class CleanedArticle:
    title: str | None
    subtitle: str | None
    author: str | None
    published_at: str | None  # ISO date; with precision "year" the day is January 1st
    published_precision: str | None  # "day" | "month" | "year"
    body: str  # paragraphs separated by a blank line
    body_origin: array  # offset in `source` of each body character
    source: str  # the text offsets refer to: the upload, or the text extracted from HTML
    paragraphs: list[tuple[int, int]]  # spans in `body`
    place: str | None = None  # from the dateline ("Washington"), which the body leaves out
    wire: str | None = None  # the agency the dateline names ("Associated Press")

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        return MappedText(self.body, self.body_origin, self.source).source_span(start, end)


@dataclass
class _Line:
    start: int
    end: int
    text: str
    blank_before: bool
    role: str = "body"  # body | headline | subtitle | byline | date | boilerplate | caption | nav


def clean_article(raw: str, *, content_type: str = "text/plain") -> CleanedArticle:
    metadata: dict[str, str | None] = {}
    if content_type.split(";")[0].strip().lower() in HTML_CONTENT_TYPES:
        raw, metadata = html_to_text(raw)
    mapped = normalise_text(raw)
    lines = _split_lines(mapped.text)
    _mark_boilerplate(lines)
    _mark_head(lines, known_title=metadata.get("title"))
    author, byline_date, byline_end = _byline(lines)
    title = metadata.get("title") or _first(lines, "headline") or _headline_paragraph(lines)
    published, precision = _publication_date(lines, metadata.get("date"), byline_date)
    body, origin, paragraphs, dateline = _assemble_body(mapped, lines, byline_end)
    return CleanedArticle(
        title=_tidy(title),
        subtitle=_first(lines, "subtitle"),
        author=metadata.get("author") or author,
        published_at=published,
        published_precision=precision,
        body=body,
        body_origin=origin,
        source=mapped.source,
        paragraphs=paragraphs,
        place=dateline.place if dateline else None,
        wire=dateline.wire if dateline else None,
    )


_DOCUMENT_TAG = re.compile(r"<(?:html|body)\b", re.IGNORECASE)
# htmldate reads article:published_time and other <meta> dates, JSON-LD datePublished and
# <time datetime>; its extensive search would also guess from page text, where a "© 2024"
# footer became a publication date, so it is off.
_DATE_PARAMS = {"original_date": True, "extensive_search": False}


def html_to_text(markup: str) -> tuple[str, dict[str, str | None]]:
    """Main text and metadata of an HTML page; the text carries no markup at all."""
    if not _DOCUMENT_TAG.search(markup):
        markup = f"<html><body>{markup}</body></html>"  # trafilatura reads documents only
    document = trafilatura.bare_extraction(
        markup,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        date_extraction_params=_DATE_PARAMS,
    )
    if document is None or not document.text:
        text, metadata = trafilatura.html2txt(markup), {}
    else:
        text = document.text
        metadata = {"title": document.title, "author": document.author, "date": document.date}
    return strip_markup(text), {k: strip_markup(v) if v else None for k, v in metadata.items()}


_DANGEROUS_CONTENT = {"script", "style", "iframe", "noscript", "object", "embed", "template"}


def strip_markup(text: str) -> str:
    """Plain text only: any tag left in extracted text goes, script-like ones with content."""
    return html.unescape(nh3.clean(text, tags=set(), clean_content_tags=_DANGEROUS_CONTENT))


def _tidy(value: str | None) -> str | None:
    return " ".join(value.split()) if value else None


def _split_lines(text: str) -> list[_Line]:
    lines = []
    previous_end = 0
    for match in re.finditer(r"[^\n]+", text):
        blank_before = text.count("\n", previous_end, match.start()) > 1
        lines.append(_Line(match.start(), match.end(), match.group(), blank_before))
        previous_end = match.end()
    return lines


def _first(lines: list[_Line], role: str) -> str | None:
    return next((line.text for line in lines if line.role == role), None)


# Boilerplate: what a page wraps around an article. Each pattern names a family, not a site.
_BOILERPLATE = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^(?:published|posted|filed|appeared)\s+(?:under|in)\b[^.!?]{0,150}$",
        r"^(?:tags?|topics?|categories|category|keywords|related(?: \w+)?|see also)\s*:",
        r"^(?:comments?|\d+ comments?|leave a (?:comment|reply)|advertisement|sponsored"
        r"(?: content)?|related(?: articles| stories| posts| content)?|recommended(?: for you)?"
        r"|read more|more stories|share(?: this(?: article| story| post)?)?(?: on \w+)?"
        r"|tweet|email|print|loading\W*)\W*$",
        r"\bclick here\b",
        r"^(?:join|follow|like) (?:us|our|the|over)\b.{0,80}\b(?:fans|followers|subscribers|facebook|twitter|fb"
        r"|instagram|newsletter|community)\b",
        r"^(?:subscribe|sign up|get our)\b.{0,100}\b(?:newsletter|updates|alerts|free|today)\b",
        r"^.{0,40}\bpowered by\b.{0,40}$",
        r"^(?:©|\(c\)|copyright\b)",
        r"\ball rights reserved\b",
        r"^(?:image|photo|picture|video|graphic|illustration)s?(?: credit)?\s*:",
        r"^(?:share|follow us)(?:\s+(?:on\s+)?(?:facebook|twitter|whatsapp|email|linkedin|x))+\W*$",
        # Lists and blocks around the story: "Trending Stories", "Most Read", "ABSTRACT".
        r"^(?:trending(?: stories| now| news| topics)?|most (?:read|popular|viewed|shared)"
        r"|(?:you|we think you) (?:may|might|will) (?:also )?like|more (?:from|on) [\w .'’-]{1,40}"
        r"|related coverage|recommended stories|top stories|editors?[’']? picks|abstract"
        r"|full text|correction(?: appended)?|sponsored(?: links| stories| by [\w .'’-]{1,40})?"
        r"|promoted(?: stories| content)?|from our partners|paid content)\W*$",
        # Tip lines: "Email any tips about ... to tips@...", "Have a tip? Send it to ...".
        r"^(?:e-?mail|send|share|submit)\s+(?:us\s+)?(?:any|your|a|news)?\s*(?:news\s+)?tips?\b",
        r"^(?:have|got) a (?:news )?tip\b",
        # A story's note to readers: "Editor's note: ...", "As published in ...".
        r"^editor(?:[’']s|s[’']?)? note\b",
        r"^as (?:published|it appeared|seen|first published) (?:in|on|by)\b",
        # Reporter credits: "Phillip reported from Oakland, Calif.; Gearan, from Washington.",
        # "Jane Doe contributed to this report."
        r"^(?:[A-Z][\w’'.-]+(?:,? (?:and )?[A-Z][\w’'.-]+){0,5}) (?:reported|wrote) from\b",
        r"\bcontributed (?:to this (?:report|story|article)|(?:additional )?reporting)\b",
        # An author's sign-off: "Follow him on Twitter: @x. Reach him directly at x@y.com."
        r"\b(?:follow (?:him|her|them|me) on|reach (?:him|her|them|me) (?:directly )?at"
        r"|e-?mail (?:him|her|them|me) at)\b",
        # ... or by name: "Follow Ian Hanchett on Twitter @IanHanchett."
        r"^follow (?:[A-Z][\w’'.-]+ ){1,4}on (?:twitter|facebook|instagram)\b",
        # A live blog's header: "The Latest on the race (all times EDT):"
        r"\(all times [A-Z]{2,5}\)\W*$",
        # Photo credits standing alone: "Getty/Instagram.", "AP Photo/Jane Doe"
        r"^(?:[A-Z][\w.&-]*(?: [A-Z][\w.&-]*){0,3}/)+[A-Z][\w.&-]*(?: [A-Z][\w.&-]*){0,3}\.?$",
        r"^(?:photo|image|picture)s? (?:by|courtesy of|credit)\b[^.!?]{0,60}\.?$",
    )
]
# Notes that can run long ("Editor's note: ..." is often a paragraph) are boilerplate at any
# length; the other patterns only on short lines.
_LONG_BOILERPLATE = re.compile(
    r"^editor(?:[’']s|s[’']?)? note\b"
    r"|\b(?:follow (?:him|her|them|me) on|reach (?:him|her|them|me) (?:directly )?at)\b",
    re.IGNORECASE,
)
_BOILERPLATE_MAX_WORDS = 45
_CREDIT_SOURCE = (
    r"(?:AP|AFP|Reuters|Getty|EPA|SANA|Xinhua|TASS|Sputnik|Anadolu|Shutterstock|Bloomberg"
    r"|Images?|Photos?|Pool|Handout|Courtesy)"
)
# "... speaks with troops. [SANA via AP]" and "[Vadim Savitsky/AP Images]"
_BRACKETED_CREDIT = re.compile(
    rf"[\[(](?:[^\[\]()\s]+\s){{0,5}}?[^\[\]()\s]*\b{_CREDIT_SOURCE}\b[^\[\]()\s]*"
    rf"(?:\s[^\[\]()\s]+){{0,3}}[\])]$"
)
# "Bashar al-Assad / AP"
_SLASH_CREDIT = re.compile(rf"^[^.!?]{{1,80}}\s/\s[^/]{{0,30}}\b{_CREDIT_SOURCE}\b[^/]{{0,20}}$")
_CAPTION_MAX_WORDS = 25
_NAVIGATION_WORDS = word_set("""browse by menu home search skip to content main navigation nav sections section
    subscribe sign in up log login logout register account my share print email follow us
    more close open toggle back top next previous prev latest news trending topics categories
    category world politics sport sports business opinion video videos live newsletter
    newsletters contact about advertise the and & | / » › - • go""")


def _mark_boilerplate(lines: list[_Line]) -> None:
    for i, line in enumerate(lines):
        words = len(line.text.split())
        if (
            words <= _BOILERPLATE_MAX_WORDS and any(p.search(line.text) for p in _BOILERPLATE)
        ) or _LONG_BOILERPLATE.search(line.text):
            line.role = "boilerplate"
        elif _BRACKETED_CREDIT.search(line.text) or _SLASH_CREDIT.match(line.text):
            line.role = "caption"
            previous = lines[i - 1] if i else None
            if (
                previous is not None
                and not line.blank_before
                and previous.role == "body"
                and len(previous.text.split()) <= _CAPTION_MAX_WORDS
                and not previous.text.rstrip("”\"’'").endswith((".", "!", "?", ":"))
                and _is_standalone_credit(line.text)
            ):
                previous.role = "caption"
        elif _is_date_line(line.text) or (
            i < _PLACE_DATE_LINES_FROM_TOP and _PLACE_DATE_LINE.match(line.text)
        ):
            line.role = "date"


def _is_standalone_credit(text: str) -> bool:
    return bool(_SLASH_CREDIT.match(text)) or text.startswith(("[", "("))


def _mark_head(lines: list[_Line], *, known_title: str | None) -> None:
    """Navigation, headline and subheadline: the first lines before the body proper."""
    candidates = [line for line in lines if line.role == "body"]
    position = 0
    while position < len(candidates) and _is_navigation(candidates[position].text):
        candidates[position].role = "nav"
        position += 1
    if position >= len(candidates):
        return
    first = candidates[position]
    if known_title:
        if " ".join(first.text.split()).casefold() == " ".join(known_title.split()).casefold():
            first.role = "headline"
        return
    if position + 1 >= len(candidates) or not _stands_alone(candidates, position):
        return
    first.role = "headline"
    second = candidates[position + 1]
    if _stands_alone(candidates, position + 1, max_words=40) and not second.text.startswith("By "):
        second.role = "subtitle"


_HEADLINE_PARAGRAPH_MAX_LINES = 2
_HEADLINE_PARAGRAPH_MAX_WORDS = 40
_ABBREVIATION_END = re.compile(r"\b\w\.\w+\.$")  # "U.S."
# A sentence ends inside: "… the government said Sunday. Residents …" (not "vs. Clinton").
_SENTENCE_INSIDE = re.compile(r"[a-z]{3,}[.!?][”\"’']?\s+[A-Z“\"]")


def _headline_paragraph(lines: list[_Line]) -> str | None:
    """The title when no line looked like a headline: a first paragraph of one or two short
    lines standing alone before the body, as archives store "Headline; \nSubheadline." (PolNeAR
    appends a full stop to every headline). Its lines are joined and one full stop dropped."""
    body = [line for line in lines if line.role == "body"]
    paragraph = body[:1]
    for line in body[1:]:
        if line.blank_before:
            break
        paragraph.append(line)
    else:
        return None  # one paragraph only: no headline stands apart from it
    text = " ".join(line.text.strip() for line in paragraph)
    if len(paragraph) > _HEADLINE_PARAGRAPH_MAX_LINES:
        return None
    if len(text.split()) > _HEADLINE_PARAGRAPH_MAX_WORDS or _SENTENCE_INSIDE.search(text):
        return None
    if text.endswith(".") and not text.endswith("..") and not _ABBREVIATION_END.search(text):
        text = text[:-1]
    return text


def _stands_alone(candidates: list[_Line], position: int, *, max_words: int = 30) -> bool:
    """Headline-like and not the first half of a hard-wrapped sentence."""
    line = candidates[position]
    following = candidates[position + 1] if position + 1 < len(candidates) else None
    wrapped = following is not None and not following.blank_before and following.text[:1].islower()
    return _is_headline_like(line.text, max_words=max_words) and not wrapped


def _is_navigation(text: str) -> bool:
    words = text.lower().split()
    return 0 < len(words) <= 8 and all(word in _NAVIGATION_WORDS for word in words)


def _is_headline_like(text: str, *, max_words: int = 30) -> bool:
    words = text.split()
    if not 2 <= len(words) <= max_words or len(text) > 300:
        return False
    return not text.rstrip("”\"’')").endswith((".", ",", ";", ":"))


# "By Erin Banco @ErinBanco on May 31 2015 – Members of ..."
_NAME_WORD = rf"(?!{MONTH_PATTERN}\b)(?:[A-Z][\w’'.-]*|(?:al|el|bin|de|van|von|der|da|du|le|la)(?:-[A-Z][\w’'-]*)?)"
_BYLINE = re.compile(
    rf"^By\s+(?P<name>[A-Z][\w’'.-]*(?:\s+{_NAME_WORD}){{1,4}}"
    rf"(?:\s+(?:and|&)\s+[A-Z][\w’'.-]*(?:\s+{_NAME_WORD}){{1,4}})?)"
    r"(?:\s*@\w+)?(?:\s*[,|]\s*[A-Z][\w ]{0,40}?(?=\s*(?:[|–—-]|$|\s+on\s)))?"
    r"(?P<rest>.*)$"
)
# "Beirut", "New York", "Tel Aviv-Yafo": a dateline's place, before ", 2 June 2015".
_PLACE = r"[A-Z][\w.'’-]*(?:[ -][A-Z][\w.'’-]*){0,3}"
_BYLINE_DATE = re.compile(
    rf"^\s*(?:[,|•·]\s*)?(?:(?:in\s+)?{_PLACE},\s*)?(?:on\s+|updated:?\s+|published:?\s+)?"
    rf"(?P<date>{ABSOLUTE_DATE.pattern})"
    r"(?:,?\s*(?:at\s+)?\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?(?:\s+[A-Z]{2,4})?)?",
    re.IGNORECASE,
)
_BYLINE_SEPARATOR = re.compile(r"\s*(?:[|–—•·-]+\s*)?")
_NOT_AUTHOR_WORDS = word_set(
    "The A An This That Monday Tuesday Wednesday Thursday Friday Saturday Sunday"
)


def _byline(lines: list[_Line]) -> tuple[str | None, date | None, int]:
    """Author and date from a byline in the first body lines; where the byline text ends."""
    for line in lines[:12]:
        if line.role not in {"body", "subtitle"}:
            continue
        match = _BYLINE.match(line.text)
        if not match or match.group("name").split()[0] in _NOT_AUTHOR_WORDS:
            continue
        rest_start = line.start + match.start("rest")
        dated = _BYLINE_DATE.match(match.group("rest"))
        published = parse_absolute_date(dated) if dated else None
        if dated:
            rest_start += dated.end()
        separator = _BYLINE_SEPARATOR.match(line.text, rest_start - line.start)
        rest_start = line.start + separator.end() if separator else rest_start
        line.role = "byline" if rest_start >= line.end else "body"
        return match.group("name"), published, rest_start
    return None, None, -1


_DATE_LINE_NOISE = re.compile(
    r"\b(?:published|updated|posted|last|modified|on|at|date|[ap]\.?m\.?|[A-Z]{2,4}T)\b"
    r"|\d{1,2}[:.]\d{2}|[^\w]",
    re.IGNORECASE,
)


# A dateline on a line of its own: "Beirut, 2 June 2015", "in New York, June 2, 2015 10:30".
_PLACE_DATE_LINE = re.compile(
    rf"^(?:in\s+)?{_PLACE},\s*(?P<date>{ABSOLUTE_DATE.pattern})"
    r"(?:,?\s*(?:at\s+)?\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?(?:\s+[A-Z]{2,4})?)?\s*$"
)
_PLACE_DATE_LINES_FROM_TOP = 12


def _is_date_line(text: str) -> bool:
    """A line that only carries a date ("• June 1, 2015 12:23 pm", "Updated: 2015-06-01")."""
    if len(text) > 80:
        return False
    match = ABSOLUTE_DATE.search(text)
    if not match or not parse_absolute_date(match):
        return False
    rest = text[: match.start()] + " " + text[match.end() :]
    rest = re.sub(r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b", " ", rest, flags=re.I)
    return not _DATE_LINE_NOISE.sub(" ", rest).strip()


def _publication_date(
    lines: list[_Line], metadata_date: str | None, byline_date: date | None
) -> tuple[str | None, str | None]:
    """Day-precision dates: the page's metadata, the byline, then a date line. A copyright
    year ("©2024 Bloomberg") says when the page was made, not when the story was published,
    so it is no publication date."""
    if metadata_date and re.fullmatch(r"\d{4}-\d{2}-\d{2}", metadata_date):
        return metadata_date, "day"
    if byline_date:
        return byline_date.isoformat(), "day"
    for line in lines:
        if line.role == "date":
            match = ABSOLUTE_DATE.search(line.text)
            parsed = parse_absolute_date(match) if match else None
            if parsed:
                return parsed.isoformat(), "day"
    return None, None


# A dateline is looked for at the start of the first body lines only (a headline the head
# detection missed can come first).
_DATELINE_LINES = 2


def _assemble_body(
    mapped: MappedText, lines: list[_Line], byline_end: int
) -> tuple[str, array, list[tuple[int, int]], Dateline | None]:
    """Join the body lines: a line that breaks mid-sentence (next starts lower-case) is
    re-joined with a space; other lines become paragraphs separated by a blank line. A
    dateline opening the story is left out of the body and returned."""
    parts: list[str] = []
    dateline: Dateline | None = None
    body_lines = 0
    origin = array("I")
    paragraphs: list[tuple[int, int]] = []
    length = 0
    previous: _Line | None = None
    for line in lines:
        if line.role != "body":
            previous = None
            continue
        start = byline_end if line.start < byline_end <= line.end else line.start
        if dateline is None and body_lines < _DATELINE_LINES:
            body_lines += 1
            dateline = read_dateline(mapped.text, start, line.end)
            start = dateline.end if dateline else start
        if start >= line.end:
            continue
        if previous is not None and _continues(previous.text, mapped.text[start]):
            separator = " "
        else:
            separator = "\n\n" if parts else ""
            if paragraphs:
                paragraphs[-1] = (paragraphs[-1][0], length)
            paragraphs.append((length + len(separator), -1))
        parts.append(separator)
        origin.extend([mapped.origin[start]] * len(separator))
        parts.append(mapped.text[start : line.end])
        origin.extend(mapped.origin[start : line.end])
        length += len(separator) + line.end - start
        previous = line
    if paragraphs:
        paragraphs[-1] = (paragraphs[-1][0], length)
    return "".join(parts), origin, paragraphs, dateline


def _continues(previous_text: str, next_char: str) -> bool:
    return next_char.islower() and not previous_text.rstrip("”\"’')").endswith((".", "!", "?", ":"))


# ---------------------------------------------------------------- language

_STOPWORDS = {
    "en": "the and of to in is that for was on with said as by his it from at are have",
    "fr": "le la les et des du est que une dans pour qui sur pas par au avec sont",
    "de": "der die und das ist nicht mit den von sich des auf für ein eine dem zu",
    "es": "el la los las de que y en del por con una para es se su al",
    "it": "il di che la per non una sono del della con gli le nel anche",
    "pt": "o a os de que e do da em para com não uma por mais foi são",
    "nl": "de het een en van dat is niet op te zijn met voor er",
}
_STOPWORD_SETS = {lang: frozenset(words.split()) for lang, words in _STOPWORDS.items()}
_SCRIPTS = (("ru", "\u0400", "\u04ff"), ("ar", "\u0600", "\u06ff"), ("he", "\u0590", "\u05ff"))


def detect_language(text: str) -> str:
    """ISO 639-1 code from stopword counts (Latin) or the script; "und" when unsure."""
    sample = text[:5000]
    letters = [c for c in sample if c.isalpha()]
    if not letters:
        return "und"
    for code, low, high in _SCRIPTS:
        if sum(low <= c <= high for c in letters) > len(letters) / 2:
            return code
    words = re.findall(r"[a-zà-ÿ]+", sample.lower())
    scores = {lang: sum(w in stop for w in words) for lang, stop in _STOPWORD_SETS.items()}
    best = max(scores, key=scores.get)
    return best if words and scores[best] >= max(3, len(words) // 20) else "und"
