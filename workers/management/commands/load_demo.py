from django.core.management.base import BaseCommand

from dossiers.demo import load_demo
from dossiers.models import Article
from workers.pipeline import run_extraction
from workers.tasks import recluster_dossier


class Command(BaseCommand):
    help = "Create the demo team, users and the Russia/Assad dossier with the five seed articles."

    def handle(self, *args, **options):
        result = load_demo()
        dossier = result.dossier
        # Extraction normally runs on commit (eagerly without Redis); make sure it has run.
        for article in dossier.articles.exclude(status=Article.Status.DONE):
            run_extraction(article.id)
        recluster_dossier(str(dossier.id))
        statuses = list(dossier.articles.values_list("status", flat=True))
        self.stdout.write(
            f"Dossier {dossier.id}: {dossier.title}\n"
            f"  {result.uploaded} new article(s); "
            f"{statuses.count(Article.Status.DONE)} of {len(statuses)} extracted; "
            f"{dossier.claims.count()} claims in {dossier.clusters.filter(is_active=True).count()} clusters"
        )
        for username, password in result.new_passwords.items():
            self.stdout.write(f"  user {username!r} password: {password}  (shown once)")
