from django.core.management.base import BaseCommand

from eventlog.rebuild import replay_all


class Command(BaseCommand):
    help = "Rebuild every read model (and its history) from the event log."

    def handle(self, *args, **options):
        count = replay_all(progress=lambda n: self.stderr.write(f"  {n:,} events applied"))
        self.stdout.write(self.style.SUCCESS(f"Replayed {count:,} events."))
