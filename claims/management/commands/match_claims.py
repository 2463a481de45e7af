"""`manage.py match_claims FILE|-`: do two sentences state the same claim?"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from claims.extraction.matching import match_pairs
from claims.jsonl_cli import JsonLinesCommand


class Command(JsonLinesCommand):
    help = (
        'Read JSON Lines {"id", "a", "b"} and write {"id", "same", "score", "why"}: whether the '
        "two sentences state the same proposition, the matcher's probability, and the features "
        "behind it (claims.extraction.matching)."
    )
    required = {"id": str, "a": str, "b": str}

    def answer_batch(self, records: list[dict[str, Any]]) -> Iterable[dict[str, Any]]:
        matches = match_pairs([(record["a"], record["b"]) for record in records])
        for record, match in zip(records, matches, strict=True):
            yield {
                "id": record["id"],
                "same": match.same,
                "score": match.score,
                "why": match.features,
            }
