"""Score the whole pipeline (extraction, clustering, origins) against hand annotations."""

import json
from pathlib import Path
from types import SimpleNamespace

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from claims.export import published_date
from claims.extraction.evaluation import evaluate_against_gold
from claims.reclustering import recluster_dossier
from dossiers import commands
from dossiers.manifest import read_manifest
from dossiers.models import Article
from dossiers.uploads import content_hash, decode_upload
from eventlog.context import SYSTEM
from workers.pipeline import run_extraction


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Load the gold's articles into a fresh dossier, run extraction and clustering, and "
        "print attribution recall, cluster and cannot-link figures, boilerplate emitted and "
        "independent-origin counts. Nothing is kept: the dossier is rolled back."
    )

    def add_arguments(self, parser):
        parser.add_argument("gold", help="gold annotations, e.g. ../shared/gold/seeds.json")
        parser.add_argument(
            "--seeds", help="folder of the article files (default: ../seeds beside the gold)"
        )
        parser.add_argument(
            "--manifest",
            help="an import_articles manifest (JSON Lines): each gold article is uploaded with "
            "the metadata (url, outlet, published, author, title) of the record whose `path` "
            "has its file name, or whose `text` is its text",
        )
        parser.add_argument("--json", action="store_true", help="print the full report as JSON")

    def handle(self, *args, gold, seeds, manifest, json: bool, **options):
        report = evaluate_gold_file(
            Path(gold), Path(seeds) if seeds else None, Path(manifest) if manifest else None
        )
        if json:
            self.stdout.write(_json_dumps(report))
            return
        self.stdout.write(format_report(report))


def _json_dumps(report: dict) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False, default=str)


def read_gold(gold_path: Path) -> dict:
    try:
        return json.loads(gold_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CommandError(f"cannot read gold annotations {gold_path}: {exc}") from exc


def evaluate_gold_file(
    gold_path: Path, seeds_dir: Path | None = None, manifest_path: Path | None = None
) -> dict:
    gold = read_gold(gold_path)
    seeds_dir = seeds_dir or gold_path.parent.parent / "seeds"
    metadata = _manifest_metadata(manifest_path) if manifest_path else _ManifestMetadata()
    report: dict = {}
    try:
        with transaction.atomic():
            report = _run_in_scratch_dossier(gold, seeds_dir, metadata)
            raise _Rollback
    except _Rollback:
        pass
    return report


class _ManifestMetadata(dict):
    """Upload metadata of manifest records, by file name (`path`) or text hash (`text`)."""

    def find(self, path: Path, payload: bytes) -> dict:
        by_name = self.get(("name", path.name))
        if by_name is not None:
            return by_name
        return self.get(("text", _text_hash(payload)), {})


def _text_hash(payload: bytes | str) -> str:
    return content_hash(decode_upload(payload).text)


def _manifest_metadata(manifest_path: Path) -> _ManifestMetadata:
    try:
        manifest = read_manifest(manifest_path)
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"cannot read the manifest {manifest_path}: {exc}") from exc
    if manifest.problems:
        line, problem = next(iter(sorted(manifest.problems.items())))
        raise CommandError(f"{manifest_path} line {line}: {problem}")
    found = _ManifestMetadata()
    for record in manifest.records:
        upload = record.upload
        metadata = {
            "url": upload.url,
            "outlet": upload.outlet,
            "published": upload.published,
            "author": upload.author,
            "title": upload.title,
        }
        if record.path is not None:
            found[("name", record.path.name)] = metadata
        else:
            found[("text", _text_hash(upload.payload))] = metadata
    return found


def _run_in_scratch_dossier(gold: dict, seeds_dir: Path, metadata: _ManifestMetadata) -> dict:
    team = commands.create_team(name="evaluate_extraction scratch team", actor=SYSTEM)
    dossier = commands.create_dossier(
        team=team,
        title=gold.get("dossier_question", "Evaluation"),
        question=gold.get("dossier_question", ""),
        actor=SYSTEM,
    )
    article_ids = {}
    for key, entry in gold["articles"].items():
        path = seeds_dir / entry["file"]
        if not path.is_file():
            raise CommandError(f"article file {path} is missing")
        payload = path.read_bytes()
        try:
            result = commands.upload_article(
                dossier=dossier,
                payload=payload,
                filename=path.name,
                actor=SYSTEM,
                **metadata.find(path, payload),
            )
        except ValueError as exc:  # bad metadata in the manifest, or an unreadable file
            raise CommandError(f"cannot upload {path}: {exc}") from exc
        article_ids[key] = result.article.id
        run_extraction(result.article.id)
    recluster_dossier(dossier=dossier, actor=SYSTEM)
    articles, cluster_of, claim_ids = {}, {}, {}
    for key, article_id in article_ids.items():
        article = Article.objects.get(id=article_id)
        claims = list(article.claims.order_by("ordinal"))
        articles[key] = SimpleNamespace(
            title=article.title or None,
            author=article.author or None,
            published_at=published_date(article),
            claims=[
                SimpleNamespace(
                    text=c.text, speaker=c.speaker or None, cited_source=c.cited_source or None
                )
                for c in claims
            ],
        )
        for index, claim in enumerate(claims):
            claim_ids[str(claim.id)] = (key, index)
            if claim.cluster_id:
                cluster_of[(key, index)] = str(claim.cluster_id)
    clusters = list(dossier.clusters.filter(is_active=True))
    origin_counts = {str(c.id): c.independent_origin_count for c in clusters}
    contradictions = [
        (claim_ids[found["claim_id"]], claim_ids[found["other_claim_id"]])
        for cluster in clusters
        for found in cluster.contradictions
    ]
    report = evaluate_against_gold(gold, articles, cluster_of, origin_counts, contradictions)
    dossier.refresh_from_db()
    report["question_stance"] = _question_stances(gold, dossier, article_ids)
    return report


def _question_stances(gold: dict, dossier, article_ids: dict) -> dict:
    """Each article's stance toward the dossier's claim form (proposed from the gold's
    `dossier_question`, scored on extraction) against the gold's `stance`."""
    details = {}
    for key, entry in gold["articles"].items():
        if not entry.get("stance"):
            continue
        got = Article.objects.get(id=article_ids[key]).question_stance or None
        details[key] = {"got": got, "expected": entry["stance"]}
    return {
        "claim_form": dossier.claim_form,
        "correct": sum(d["got"] == d["expected"] for d in details.values()),
        "total": len(details),
        "details": details,
    }


def _pairs_line(pairs: dict) -> str:
    def share(value):
        return "n/a" if value is None else f"{value:.2f}"

    return (
        f"clustering pairs over the annotated claims: precision {share(pairs['precision'])}"
        f" ({pairs['correct']}/{pairs['predicted']}), recall {share(pairs['recall'])}"
        f" ({pairs['correct']}/{pairs['gold']})"
    )


def format_report(report: dict) -> str:
    attribution, clusters = report["attribution"], report["clusters"]
    lines = [
        f"attribution recall: {attribution['found']}/{attribution['total']}"
        f" = {attribution['recall']:.0%}",
        f"gold cluster members found together: {clusters['together']}/{clusters['total']}",
        f"cannot-link violations: {report['cannot_link']['violations']}"
        f" of {report['cannot_link']['total']} pairs",
        _pairs_line(report["pairs"]),
        f"gold contradictions reported: {report['contradictions']['found']}"
        f"/{report['contradictions']['total']}"
        f" ({report['contradictions']['reported']} contradictions reported in all)",
        f"not_claims emitted as claims: {report['not_claims']['emitted']}"
        f" of {report['not_claims']['total']}",
    ]
    for field, score in report["metadata"].items():
        lines.append(
            f"{field}: {score['found']}/{score['total']} found, {score['spurious']} spurious"
        )
    origins = report["origins"]
    lines.append(f"independent origins exact: {origins['correct']}/{origins['total']}")
    for name, detail in origins["details"].items():
        lines.append(f"independent origins of {name}: {detail['got']} (gold {detail['expected']})")
    stances = report.get("question_stance")
    if stances and stances["total"]:
        lines.append(f"claim form: {stances['claim_form']}")
        lines.append(f"question stance right: {stances['correct']}/{stances['total']}")
        for key, detail in stances["details"].items():
            mark = "" if detail["got"] == detail["expected"] else "  <- wrong"
            lines.append(
                f"question stance of {key}: {detail['got']} (gold {detail['expected']}){mark}"
            )
    return "\n".join(lines)
