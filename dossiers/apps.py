from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "dossiers"
    verbose_name = "Dossiers"

    def ready(self) -> None:
        from dossiers import checks, events  # noqa: F401  (register checks and projections)
        from dossiers.models import Article, Dossier, Membership, Source, Team
        from eventlog.registry import register_read_models, register_stream_types

        register_stream_types(events.StreamType)
        register_read_models(Team, Membership, Dossier, Source, Article)
