"""`manage.py extract_attributions FILE|-`: who said what, for each JSON line of text."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from claims.extraction.attribution import Span, extract_attributions
from claims.jsonl_cli import JsonLinesCommand


def _offsets(span: Span | None) -> list[int] | None:
    return [span.start, span.end] if span is not None else None


class Command(JsonLinesCommand):
    help = (
        'Read JSON Lines {"id", "text"} and write {"id", "attributions": [{"source", "cue", '
        '"content"}]} with [start, end) character offsets into the text (source/cue may be null).'
    )
    required = {"id": str, "text": str}

    def answer_batch(self, records: list[dict[str, Any]]) -> Iterable[dict[str, Any]]:
        for record in records:
            yield {
                "id": record["id"],
                "attributions": [
                    {
                        "source": _offsets(found.source),
                        "cue": _offsets(found.cue),
                        "content": _offsets(found.content),
                    }
                    for found in extract_attributions(record["text"])
                ],
            }
