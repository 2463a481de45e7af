"""The demo dossier is loaded with the metadata its manifest knows, like any import."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from dossiers.demo import load_demo
from dossiers.models import Article


@pytest.mark.django_db
def test_the_demo_uploads_each_seed_with_its_manifest_metadata_once():
    first = load_demo()
    assert first.uploaded == 5
    bloomberg = Article.objects.get(dossier=first.dossier, filename__startswith="004_")
    assert bloomberg.source is not None and bloomberg.source.name == "Bloomberg"
    assert bloomberg.published_at is not None and bloomberg.published_at.year == 2024
    again = load_demo()
    assert again.dossier == first.dossier and again.uploaded == 0


@pytest.mark.django_db
def test_the_load_demo_command_that_make_demo_runs_extracts_and_clusters_the_seeds():
    out = StringIO()
    call_command("load_demo", stdout=out)
    dossier = Article.objects.first().dossier
    assert "5 of 5 extracted" in out.getvalue()
    assert dossier.clusters.filter(is_active=True).exists()
