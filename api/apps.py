from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "Integration API"

    def ready(self) -> None:
        from api import (
            events,  # noqa: F401  (register the webhook audit events)
            ratelimit,  # noqa: F401  (register its system check)
        )
