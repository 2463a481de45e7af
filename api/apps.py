from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "Integration API"

    def ready(self) -> None:
        from api import (
            events,  # (register the webhook audit events)
            ratelimit,  # noqa: F401  (register its system check)
            tasks,  # noqa: F401  (register the webhook tasks with Celery)
        )
        from eventlog.registry import register_stream_types

        register_stream_types([events.WEBHOOK_STREAM])
