"""Deployment checks of our own settings, run by `manage.py check --deploy`."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def secret_key_from_environment(app_configs, **kwargs):
    if settings.SECRET_KEY_FROM_ENVIRONMENT:
        return []
    return [
        Error(
            "SECRET_KEY is not set in the environment; the development key in var/ is in use.",
            hint="Set SECRET_KEY to a long random value in production.",
            id="claimdesk.E001",
        )
    ]


@register(Tags.database, deploy=True)
def production_database(app_configs, **kwargs):
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        return []
    return [
        Error(
            "DATABASE_URL is not set: production would run on the embedded SQLite default.",
            hint="Set DATABASE_URL=postgres://… for production.",
            id="claimdesk.E002",
        )
    ]
