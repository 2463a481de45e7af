"""`evaluate_extraction` holds the seed figures through the real pipeline (upload -> worker
extraction -> re-clustering -> origin counting), the path the product runs."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from dossiers.models import Article, Dossier

GOLD = Path(__file__).resolve().parents[2] / ".." / "shared" / "gold" / "seeds.json"

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def gold_path() -> Path:
    if not GOLD.exists():
        pytest.skip(f"{GOLD} is absent: the shared gold folder is only in CI and dev machines")
    return GOLD


@pytest.fixture
def report(gold_path) -> dict:
    out = StringIO()
    call_command("evaluate_extraction", str(gold_path), "--json", stdout=out)
    return json.loads(out.getvalue())


def test_the_seed_figures_hold_through_the_pipeline(report):
    assert report["attribution"]["recall"] >= 0.9, report["attribution"]["misses"]
    assert report["clusters"]["together"] == report["clusters"]["total"]
    assert report["cannot_link"]["violations"] == 0
    assert report["not_claims"]["emitted"] == 0
    for field in ("title", "author", "published_at"):
        assert report["metadata"][field]["found"] == report["metadata"][field]["total"], field


def test_repeated_reports_of_one_newspaper_count_as_one_origin(report):
    details = report["origins"]["details"]
    assert details["russian_staff_left"]["got"] == 1, details
    assert details["delegation_head_statement"]["got"] == 1, details


def test_the_evaluation_leaves_nothing_behind(gold_path):
    call_command("evaluate_extraction", str(gold_path), stdout=StringIO())
    assert not Dossier.objects.exists()
    assert not Article.objects.exists()


def test_an_unreadable_gold_file_is_a_clear_error(tmp_path):
    from django.core.management.base import CommandError

    broken = tmp_path / "gold.json"
    broken.write_text("{not json")
    with pytest.raises(CommandError, match="cannot read gold annotations"):
        call_command("evaluate_extraction", str(broken))
