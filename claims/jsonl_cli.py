"""Shared driver for the JSON Lines analytic commands (stance, check-worthiness, attribution).

Each command reads one JSON object per line, answers one JSON object per line in the same
order, reports bad lines on stderr and exits non-zero at the end, never with a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError


@dataclass(frozen=True)
class RecordError:
    ref: str
    message: str


def read_records(
    stream: IO[str], *, required: dict[str, type], optional: dict[str, type] | None = None
) -> Iterator[dict[str, Any] | RecordError]:
    """Yield each valid record, or a RecordError naming its id (or line number)."""
    optional = optional or {}
    for line_number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            yield RecordError(f"line {line_number}", f"invalid JSON: {exc}")
            continue
        if not isinstance(record, dict):
            yield RecordError(f"line {line_number}", "expected a JSON object")
            continue
        ref = record.get("id") if isinstance(record.get("id"), str) else f"line {line_number}"
        problem = _check_fields(record, required, optional)
        yield RecordError(ref, problem) if problem else record


def _check_fields(record: dict, required: dict[str, type], optional: dict[str, type]) -> str:
    for name, kind in required.items():
        if name not in record:
            return f"missing field {name!r}"
        if not isinstance(record[name], kind):
            return f"field {name!r} must be {kind.__name__}"
    for name, kind in optional.items():
        if record.get(name) is not None and not isinstance(record[name], kind):
            return f"field {name!r} must be {kind.__name__}"
    return ""


class JsonLinesCommand(BaseCommand):
    """Base for commands of the form `manage.py NAME FILE|-` that map records to answers.

    Subclasses set `required`/`optional` and implement `answer_batch`, which receives
    valid records in input order; batching lets a model vectorise many lines at once.
    """

    required: dict[str, type] = {"id": str}
    optional: dict[str, type] = {}
    batch_size = 256

    def add_arguments(self, parser):
        parser.add_argument("file", help="JSON Lines input file, or - for standard input")

    def answer_batch(self, records: list[dict[str, Any]]) -> Iterable[dict[str, Any]]:
        raise NotImplementedError

    def handle(self, *args, **options):
        path = options["file"]
        try:
            stream = sys.stdin if path == "-" else open(path, encoding="utf-8", errors="replace")  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from exc
        failures = 0
        batch: list[dict[str, Any]] = []
        with stream:
            for item in read_records(stream, required=self.required, optional=self.optional):
                if isinstance(item, RecordError):
                    self._flush(batch)
                    batch = []
                    failures += 1
                    self.stderr.write(json.dumps({"id": item.ref, "error": item.message}))
                    continue
                batch.append(item)
                if len(batch) >= self.batch_size:
                    self._flush(batch)
                    batch = []
        self._flush(batch)
        if failures:
            raise CommandError(f"{failures} input line(s) could not be processed", returncode=2)

    def _flush(self, batch: list[dict[str, Any]]) -> None:
        for answer in self.answer_batch(batch) if batch else ():
            self.stdout.write(json.dumps(answer, ensure_ascii=False))
        self.stdout.flush()
