"""Read an import manifest: JSON Lines, one article a line, checked before anything is stored.

    {"path": "texts/a.txt", "url": "https://…", "outlet": "Reuters", "published": "2016-06-03"}
    {"text": "Headline\n\nBody…", "author": "Jane Roe", "title": "Headline", "published": "2016"}

Each line holds `text` or `path` (a file in the manifest's folder or below it: a path that
leads out of that folder is refused), and optionally `url`, `outlet`, `published`, `author`,
`title`. Nothing here touches the database.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from dossiers.commands import ArticleUpload

MANIFEST_FIELDS = frozenset({"text", "path", "url", "outlet", "published", "author", "title"})


@dataclass(frozen=True)
class ManifestRecord:
    line: int  # 1-based line number in the manifest
    upload: ArticleUpload
    path: Path | None  # the resolved file, for `path` records


@dataclass(frozen=True)
class Manifest:
    records: list[ManifestRecord]
    problems: dict[int, str]  # line number -> what is wrong with it


def read_manifest(manifest_path: Path) -> Manifest:
    """Every record of the manifest, and a problem for each line that cannot be one.

    Raises OSError when the manifest itself cannot be read; blank lines are skipped.
    """
    folder = manifest_path.resolve().parent
    records: list[ManifestRecord] = []
    problems: dict[int, str] = {}
    text = manifest_path.read_text(encoding="utf-8-sig")
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(_record(number, line, folder))
        except ManifestLineInvalid as exc:
            problems[number] = str(exc)
    return Manifest(records, problems)


class ManifestLineInvalid(ValueError):
    pass


def _record(number: int, line: str, folder: Path) -> ManifestRecord:
    try:
        item = json.loads(line)
    except ValueError as exc:
        raise ManifestLineInvalid(f"not a JSON object ({exc})") from None
    if not isinstance(item, dict):
        raise ManifestLineInvalid("not a JSON object")
    unknown = sorted(set(item) - MANIFEST_FIELDS)
    if unknown:
        raise ManifestLineInvalid(
            f"unknown field(s) {', '.join(unknown)}; use {', '.join(sorted(MANIFEST_FIELDS))}"
        )
    if ("text" in item) == ("path" in item):
        raise ManifestLineInvalid("give the article as `text` or as `path`, exactly one")
    for name, value in item.items():
        if name == "published" and isinstance(value, int) and not isinstance(value, bool):
            continue
        if not isinstance(value, str):
            raise ManifestLineInvalid(f"{name}: must be a string")
    metadata = {name: item.get(name, "") for name in ("url", "outlet", "author", "title")}
    published = str(item["published"]) if item.get("published") not in (None, "") else None
    if "text" in item:
        upload = ArticleUpload(payload=item["text"], published=published, **metadata)
        return ManifestRecord(number, upload, None)
    path = _inside(folder, item["path"])
    upload = ArticleUpload(
        payload=_read_article(path), filename=path.name, published=published, **metadata
    )
    return ManifestRecord(number, upload, path)


def _inside(folder: Path, relative: str) -> Path:
    """The file `relative` names in `folder`; refused if it resolves outside the folder."""
    if not relative.strip():
        raise ManifestLineInvalid("path: empty")
    path = (folder / relative).resolve()
    if not path.is_relative_to(folder):
        raise ManifestLineInvalid(f"path: {relative!r} leads out of the manifest's folder")
    if not path.is_file():
        raise ManifestLineInvalid(f"path: no file {relative!r} in the manifest's folder")
    return path


def _read_article(path: Path) -> bytes:
    """At most one byte over the article limit: a huge file is refused without reading it."""
    try:
        with path.open("rb") as handle:
            return handle.read(settings.ARTICLE_MAX_BYTES + 1)
    except OSError as exc:
        raise ManifestLineInvalid(f"path: cannot read {path.name} ({exc.strerror})") from None
