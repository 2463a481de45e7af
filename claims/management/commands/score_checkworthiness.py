"""`manage.py score_checkworthiness FILE|-`: a check-worthiness score for each JSON line."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from claims.extraction.checkworthiness import score_checkworthiness
from claims.jsonl_cli import JsonLinesCommand


class Command(JsonLinesCommand):
    help = (
        'Read JSON Lines {"id", "text", "speaker"?, "document"?} and write {"id", "score"} with '
        "score in [0, 1]: how much the sentence deserves a fact-check (rank within a document)."
    )
    required = {"id": str, "text": str}
    optional = {"speaker": str, "document": str}

    def answer_batch(self, records: list[dict[str, Any]]) -> Iterable[dict[str, Any]]:
        scores = score_checkworthiness(
            [record["text"] for record in records],
            speakers=[record.get("speaker") for record in records],
        )
        for record, score in zip(records, scores, strict=True):
            yield {"id": record["id"], "score": round(score, 6)}
