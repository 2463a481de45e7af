"""`manage.py classify_stance FILE|-`: the stance of each article body towards its claim."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from claims.extraction.stance import STANCE_LABELS, classify_stance
from claims.jsonl_cli import JsonLinesCommand


class Command(JsonLinesCommand):
    help = (
        'Read JSON Lines {"id", "claim", "body"} and write {"id", "stance"} with stance one of '
        f"{', '.join(STANCE_LABELS)}: how the body relates to the claim (FNC-1 labels)."
    )
    required = {"id": str, "claim": str, "body": str}

    def answer_batch(self, records: list[dict[str, Any]]) -> Iterable[dict[str, Any]]:
        stances = classify_stance([(record["claim"], record["body"]) for record in records])
        for record, stance in zip(records, stances, strict=True):
            yield {"id": record["id"], "stance": stance}
