import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from dossiers.commands import upload_articles, upload_problems
from dossiers.manifest import MANIFEST_FIELDS, read_manifest
from dossiers.models import Dossier
from eventlog.context import SYSTEM


class Command(BaseCommand):
    help = (
        "Import the articles of a JSON Lines manifest into a dossier, all or nothing, and "
        "queue their extraction. One JSON object a line: `text` or `path` (relative to the "
        f"manifest's folder), and optionally {', '.join(sorted(MANIFEST_FIELDS - {'text', 'path'}))}. "
        "Every line is checked first; if one is bad, each bad line is reported and nothing "
        "is imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("manifest", help="the manifest, e.g. articles.jsonl")
        parser.add_argument("--dossier", required=True, help="the dossier's id (UUID)")

    def handle(self, *args, manifest: str, dossier: str, **options):
        target = _dossier(dossier)
        try:
            read = read_manifest(Path(manifest))
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read the manifest {manifest}: {exc}") from exc
        problems = dict(read.problems)
        for index, problem in upload_problems([r.upload for r in read.records]).items():
            problems[read.records[index].line] = problem
        if problems:
            for line in sorted(problems):
                self.stderr.write(f"line {line}: {problems[line]}")
            raise CommandError(f"{len(problems)} bad record(s) in {manifest}: nothing was imported")
        if not read.records:
            raise CommandError(f"{manifest} holds no article")
        results = upload_articles(
            dossier=target,
            uploads=[record.upload for record in read.records],
            actor=SYSTEM,
            on_progress=self._progress,
        )
        sys.stderr.write("\n")
        created = sum(result.created for result in results)
        self.stdout.write(
            f"{created} article(s) imported into {target.title!r}"
            + (f", {len(results) - created} already there" if created < len(results) else "")
            + "; extraction queued"
        )

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        sys.stderr.write(f"\r  [{'#' * filled}{'.' * (width - filled)}] {done}/{total} articles")
        sys.stderr.flush()


def _dossier(dossier_id: str) -> Dossier:
    try:
        return Dossier.objects.select_related("team").get(id=dossier_id)
    except (Dossier.DoesNotExist, ValidationError):
        raise CommandError(f"no dossier with id {dossier_id!r}") from None
