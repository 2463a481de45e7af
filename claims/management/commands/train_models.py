import importlib
import json
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

COMPONENTS = ("attribution", "checkworthiness", "stance", "matching")
MODEL_DIR = Path(settings.BASE_DIR) / "claims" / "extraction" / "models"


class Command(BaseCommand):
    help = (
        "Train the shipped models from the public data in ../shared/data and write them to "
        "claims/extraction/models/ (deterministic: reproduces the committed files)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--data",
            default=str(Path(settings.BASE_DIR).parent / "shared" / "data"),
            help="folder holding fnc1/, checkworthy/ and polnear/",
        )
        parser.add_argument("--only", choices=COMPONENTS, action="append")
        parser.add_argument("--out", default=str(MODEL_DIR))

    def handle(self, *args, data, only, out, **options):
        data_root = Path(data)
        if not data_root.is_dir():
            raise CommandError(f"{data_root} is absent: training needs the shared data folder")
        for name in only or COMPONENTS:
            trainer = importlib.import_module(f"claims.training.{name}")
            started = time.monotonic()
            self.stdout.write(f"training {name} …")
            metrics = trainer.train(data_root, Path(out))
            self.stdout.write(
                f"  done in {time.monotonic() - started:.0f}s: {json.dumps(metrics, default=str)}"
            )
