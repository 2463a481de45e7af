"""Turn uploaded bytes into article text, or refuse them with a clear reason.

Nothing here touches the database: the upload command stores only what passes.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings


class UploadRejected(ValueError):
    """An upload that cannot become an article; `code` is machine-readable."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


@dataclass(frozen=True)
class DecodedUpload:
    text: str
    content_type: str  # "text/plain" or "text/html"
    encoding: str
    filename: str


_HTML_HINT = re.compile(r"<\s*(html|body|p|div|article|head|script|h1)\b", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode_upload(
    payload: bytes | str, *, filename: str = "", content_type: str = ""
) -> DecodedUpload:
    raw = payload.encode("utf-8") if isinstance(payload, str) else payload
    if len(raw) > settings.ARTICLE_MAX_BYTES:
        raise UploadRejected(
            "too_large",
            f"the article is {len(raw):,} bytes; the limit is {settings.ARTICLE_MAX_BYTES:,}",
        )
    if b"\x00" in raw:
        raise UploadRejected("binary", "the upload looks like a binary file, not article text")
    text, encoding = _decode(raw, _declared_charset(content_type))
    if len(_CONTROL.findall(text)) > max(8, len(text) // 100):
        raise UploadRejected("binary", "the upload looks like a binary file, not article text")
    text = _CONTROL.sub("", unicodedata.normalize("NFC", text)).replace("\r\n", "\n")
    if not text.strip():
        raise UploadRejected("empty", "the article is empty")
    return DecodedUpload(
        text=text,
        content_type=_content_type(text, filename, content_type),
        encoding=encoding,
        filename=safe_filename(filename),
    )


def _declared_charset(content_type: str) -> str:
    """The charset a `Content-Type` declares (normalised codec name), or ""."""
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            try:
                return codecs.lookup(value.strip().strip('"')).name
            except LookupError:
                return ""
    return ""


def _decode(raw: bytes, declared: str = "") -> tuple[str, str]:
    """UTF-8 if declared, strictly; otherwise UTF-8, then Windows-1252, then Latin-1.

    Other declared charsets are guessed as before: "ISO-8859-1" labels are mostly
    Windows-1252 in practice, as browsers assume."""
    if declared == "utf-8" and not raw.startswith(b"\xef\xbb\xbf"):
        try:
            return raw.decode("utf-8"), "utf-8"
        except UnicodeDecodeError as exc:
            raise UploadRejected(
                "encoding",
                f"the upload is declared UTF-8 but byte {exc.start:,} is not valid UTF-8; "
                "fix the file or declare its real charset",
            ) from None
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        # Windows-1252 is the common non-UTF-8 encoding of news pages; it leaves 5 bytes
        # undefined, so text that fails here is not Windows-1252 either.
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "latin-1"


def _content_type(text: str, filename: str, declared: str) -> str:
    declared = declared.split(";")[0].strip().lower()
    if declared in {"text/html", "application/xhtml+xml"}:
        return "text/html"
    if filename.lower().endswith((".html", ".htm")):
        return "text/html"
    if _HTML_HINT.search(text[:5000]):
        return "text/html"
    return "text/plain"


def safe_filename(filename: str) -> str:
    """Keep a display name only: no directories, no control characters. Never used as a path."""
    name = os.path.basename(filename.replace("\\", "/"))
    name = re.sub(r"[^\w.\- ]", "_", name).strip(" .")
    return name[:255]


def content_hash(text: str) -> str:
    """Hash of the text with whitespace folded, so a re-upload with other line ends dedupes."""
    folded = " ".join(text.split())
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


def provisional_title(text: str) -> str:
    """First line with at least four words; the extractor later finds the real headline."""
    for line in text.splitlines():
        line = re.sub(r"<[^>]+>", " ", line).strip()
        if len(line.split()) >= 4:
            return line[:500]
    return text.strip()[:120]
