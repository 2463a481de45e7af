import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from claims.reclustering import recluster_dossier
from dossiers.commands import request_reanalysis
from dossiers.models import Article, Dossier
from dossiers.selectors import analysis_progress
from eventlog.context import SYSTEM
from workers.pipeline import run_extraction


class Command(BaseCommand):
    help = (
        "Re-run extraction and clustering. By default runs here, in this process, with a "
        "progress bar; --queue hands the articles to the Celery workers instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dossier", help="only this dossier (UUID); default: all dossiers")
        parser.add_argument("--queue", action="store_true", help="enqueue for the workers")

    def handle(self, *args, dossier=None, queue=False, **options):
        dossiers = Dossier.objects.all()
        if dossier:
            try:
                dossiers = dossiers.filter(id=dossier)
                if not dossiers.exists():
                    raise CommandError(f"no dossier with id {dossier!r}")
            except ValidationError:
                raise CommandError(f"no dossier with id {dossier!r}") from None
        for item in dossiers.select_related("team"):
            self.stdout.write(f"{item.title}")
            if queue:
                requested = request_reanalysis(
                    dossier=item, actor=SYSTEM, reason="reanalyze command"
                )
                self.stdout.write(
                    f"  {requested.queued} article(s) queued, {requested.running} being "
                    f"extracted now; progress: {analysis_progress(item)}"
                )
                continue
            self._run_here(item)

    def _run_here(self, dossier: Dossier) -> None:
        article_ids = list(
            dossier.articles.filter(archived=False)
            .order_by("uploaded_at")
            .values_list("id", flat=True)
        )
        failures = 0
        for done, article_id in enumerate(article_ids, start=1):
            article = run_extraction(article_id, force=True)
            failures += article is not None and article.status == Article.Status.FAILED
            self._progress(done, len(article_ids), failures)
        recluster_dossier(dossier=dossier, actor=SYSTEM)
        sys.stderr.write("\n")
        progress = analysis_progress(dossier)
        self.stdout.write(
            f"  {progress['done']} of {progress['total']} articles done, {progress['failed']} failed; "
            f"{dossier.clusters.filter(is_active=True).count()} clusters"
        )

    def _progress(self, done: int, total: int, failures: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        sys.stderr.write(
            f"\r  [{'#' * filled}{'.' * (width - filled)}] {done}/{total} articles"
            f"{f', {failures} failed' if failures else ''}"
        )
        sys.stderr.flush()
