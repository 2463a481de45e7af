"""The demo dossier: the five seed articles on Russia and Assad, shipped under examples/."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from dossiers import commands
from dossiers.manifest import read_manifest
from dossiers.models import Dossier, Role, Team
from eventlog.context import SYSTEM

DEMO_TEAM = "Demo newsroom"
DEMO_QUESTION = "Has Russia withdrawn its support from Bashar al-Assad?"
SEED_DIR = Path(settings.BASE_DIR) / "examples" / "seeds"
STAFF_GROUP = "Claimdesk staff"


@dataclass
class DemoResult:
    dossier: Dossier
    new_passwords: dict[str, str]
    uploaded: int


def staff_group() -> Group:
    """Admin access to Claimdesk's models; what a user sees is still limited to their teams."""
    group, _ = Group.objects.get_or_create(name=STAFF_GROUP)
    group.permissions.set(
        Permission.objects.filter(content_type__app_label__in=["eventlog", "dossiers", "claims"])
    )
    return group


def _demo_user(username: str, env_var: str, passwords: dict[str, str]):
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    if user is None:
        password = os.environ.get(env_var) or secrets.token_urlsafe(12)
        user = user_model.objects.create_user(username=username, password=password, is_staff=True)
        passwords[username] = password
    user.groups.add(staff_group())
    return user


@transaction.atomic
def load_demo() -> DemoResult:
    passwords: dict[str, str] = {}
    analyst = _demo_user("analyst", "DEMO_ANALYST_PASSWORD", passwords)
    reviewer = _demo_user("reviewer", "DEMO_REVIEWER_PASSWORD", passwords)
    team = Team.objects.filter(name=DEMO_TEAM).first() or commands.create_team(
        name=DEMO_TEAM, actor=SYSTEM
    )
    commands.add_member(team=team, user=analyst, role=Role.ANALYST, actor=SYSTEM)
    commands.add_member(team=team, user=reviewer, role=Role.REVIEWER, actor=SYSTEM)
    dossier = Dossier.objects.filter(team=team, title=DEMO_QUESTION).first()
    if dossier is None:
        dossier = commands.create_dossier(
            team=team,
            title=DEMO_QUESTION,
            question=DEMO_QUESTION,
            tags=["russia", "syria", "assad"],
            actor=analyst,
        )
    manifest = read_manifest(SEED_DIR / "manifest.jsonl")  # each seed's metadata, if known
    if manifest.problems:
        raise ValueError(f"examples/seeds/manifest.jsonl: {manifest.problems}")
    results = commands.upload_articles(
        dossier=dossier, uploads=[record.upload for record in manifest.records], actor=analyst
    )
    uploaded = sum(result.created for result in results)
    return DemoResult(dossier=dossier, new_passwords=passwords, uploaded=uploaded)
