"""Running the JSON Lines commands in tests: in-process on a file, and as a real process on
stdin (where a traceback would show)."""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command

REPO = Path(__file__).resolve().parents[2]


def run_on_file(
    command: str, tmp_path: Path, lines: list[str]
) -> tuple[list[dict], str, CommandError | None]:
    """(answers parsed from stdout, stderr, the CommandError raised at the end or None)."""
    source = tmp_path / "input.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out, err = StringIO(), StringIO()
    try:
        call_command(command, str(source), stdout=out, stderr=err)
        failure = None
    except CommandError as exc:
        failure = exc
    answers = [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]
    return answers, err.getvalue(), failure


def run_on_stdin(command: str, lines: list[str], timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", command, "-"],
        input="\n".join(lines),
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=timeout,
    )
