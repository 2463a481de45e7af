"""The demo dossier is loaded with the metadata its manifest knows, like any import."""

from __future__ import annotations

import pytest

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
