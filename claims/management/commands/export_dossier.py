import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from claims.export import dossier_export
from dossiers.models import Dossier


class Command(BaseCommand):
    help = "Write a dossier's articles, claims and clusters as JSON to standard output."

    def add_arguments(self, parser):
        parser.add_argument("dossier_id", help="the dossier's id (a UUID, as the demo prints)")
        parser.add_argument("--indent", type=int, default=2)

    def handle(self, *args, dossier_id, indent, **options):
        try:
            dossier = Dossier.objects.select_related("team").get(id=dossier_id)
        except (Dossier.DoesNotExist, ValidationError):
            raise CommandError(f"no dossier with id {dossier_id!r}") from None
        json.dump(dossier_export(dossier), self.stdout, indent=indent or None, ensure_ascii=False)
        self.stdout.write("")
