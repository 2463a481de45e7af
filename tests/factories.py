"""Factories that build records the way the product does: through commands, so the event
log and the read models stay consistent in every test."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from dossiers import commands
from dossiers.models import Role
from eventlog.context import SYSTEM


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    is_staff = True
    password = factory.django.Password("correct horse battery")


class TeamFactory(factory.Factory):
    class Meta:
        model = dict  # built by the create_team command, see _create

    name = factory.Sequence(lambda n: f"Team {n}")

    @classmethod
    def _create(cls, model_class, **kwargs):
        return commands.create_team(name=kwargs["name"], actor=SYSTEM)


def member(team, role: Role = Role.ANALYST, **user_fields):
    """A user holding `role` in `team`."""
    user = UserFactory(**user_fields)
    commands.add_member(team=team, user=user, role=role, actor=SYSTEM)
    return user


class DossierFactory(factory.Factory):
    class Meta:
        model = dict

    team = factory.SubFactory(TeamFactory)
    title = factory.Sequence(lambda n: f"Dossier {n}")
    question = "Did it happen?"

    @classmethod
    def _create(cls, model_class, **kwargs):
        team = kwargs["team"]
        return commands.create_dossier(
            team=team, title=kwargs["title"], question=kwargs["question"], actor=SYSTEM
        )


def article_text(n: int = 0) -> str:
    return (
        f"Officials report event number {n} in the capital\n\n"
        f"The ministry said on Monday that {n + 12} soldiers were killed near the border. "
        f'"We will respond," said General Ahmed Karimi, according to state media. '
        f"The government controls 40 percent of the region, the observatory reported.\n"
    )


def upload(dossier, text: str | None = None, *, actor=SYSTEM, **kwargs):
    return commands.upload_article(
        dossier=dossier, payload=text if text is not None else article_text(), actor=actor, **kwargs
    ).article
