"""Metadata an analyst gives with an upload: checked here, before anything is stored.

Nothing here touches the database. What passes travels in the ArticleUploaded event, and
what the uploader gave wins over what extraction later reads from the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from dossiers.models import DatePrecision

# Fields extraction also fills: given at upload, they are kept (Article.metadata_from_upload).
KEPT_FROM_UPLOAD = ("title", "author", "published_at")

TITLE_MAX = 500
AUTHOR_MAX = 300
URL_MAX = 2000
OUTLET_MAX = 200

PUBLISHED_FORMATS = "2016, 2016-06, 2016-06-03 or an ISO date-time such as 2016-06-03T14:30:00Z"


class MetadataInvalid(ValueError):
    """Metadata that cannot be stored; `field` names the value to fix."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(f"{field}: {message}")
        self.message = message


@dataclass(frozen=True)
class UploadMetadata:
    title: str = ""
    author: str = ""
    url: str = ""
    outlet: str = ""
    published_at: datetime | None = None
    published_precision: str = ""

    @property
    def kept_fields(self) -> list[str]:
        """The fields given here that extraction must not overwrite."""
        return [name for name in KEPT_FROM_UPLOAD if getattr(self, name)]


_YEAR = re.compile(r"\d{4}")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}.*")


def parse_published(value: str) -> tuple[datetime, DatePrecision]:
    """ "2016" (year), "2016-06" (month), "2016-06-03" or a full ISO date-time (day), as an
    aware datetime (UTC when no offset is given) and its precision."""
    text = value.strip()
    try:
        if _YEAR.fullmatch(text):
            return datetime(int(text), 1, 1, tzinfo=UTC), DatePrecision.YEAR
        if match := _MONTH.fullmatch(text):
            return datetime(int(match[1]), int(match[2]), 1, tzinfo=UTC), DatePrecision.MONTH
        if _DAY.fullmatch(text):
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=UTC), DatePrecision.DAY
        if _DATE_TIME.fullmatch(text):
            moment = datetime.fromisoformat(text)
            return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)), DatePrecision.DAY
    except ValueError:
        raise MetadataInvalid("published", f"{value!r} is not a real date") from None
    raise MetadataInvalid("published", f"{value!r} is not a date: use {PUBLISHED_FORMATS}")


_url_validator = URLValidator(schemes=["http", "https"])


def upload_metadata(
    *,
    title: str = "",
    author: str = "",
    url: str = "",
    outlet: str = "",
    published: str | None = None,
) -> UploadMetadata:
    """Check and tidy the metadata given with an upload; raise MetadataInvalid."""
    title, author, url, outlet = (" ".join((v or "").split()) for v in (title, author, url, outlet))
    for field, value, limit in (
        ("title", title, TITLE_MAX),
        ("author", author, AUTHOR_MAX),
        ("url", url, URL_MAX),
        ("outlet", outlet, OUTLET_MAX),
    ):
        if len(value) > limit:
            raise MetadataInvalid(field, f"at most {limit} characters (got {len(value)})")
    if url:
        try:
            _url_validator(url)
        except ValidationError:
            raise MetadataInvalid("url", f"{url!r} is not an http(s) URL") from None
    published_at, precision = (None, "")
    if published is not None and str(published).strip():
        published_at, precision = parse_published(str(published))
    return UploadMetadata(
        title=title,
        author=author,
        url=url,
        outlet=outlet,
        published_at=published_at,
        published_precision=str(precision),
    )
