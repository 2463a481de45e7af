"""`manage.py top_checkworthy GOLD --seeds DIR`: the claims an analyst sees first, audited."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from claims.extraction.evaluation import (
    audit_top_claim,
    extract_gold_articles,
    top_checkworthy_claims,
)
from workers.management.commands.evaluate_extraction import read_gold


class Command(BaseCommand):
    help = (
        "Extract the gold file's articles (no database), list the N claims of check-worthy "
        "kinds with the highest check-worthiness across them, and flag any that is boilerplate "
        "(a gold non-claim or page furniture), a market-index move or a prediction."
    )

    def add_arguments(self, parser):
        parser.add_argument("gold", help="gold annotations, e.g. ../shared/gold/news_dev.json")
        parser.add_argument(
            "--seeds", required=True, help="folder the gold's file paths are relative to"
        )
        parser.add_argument("-n", type=int, default=20, help="how many claims (default 20)")

    def handle(self, *args, gold, seeds, n, **options):
        seeds_dir = Path(seeds)
        if not seeds_dir.is_dir():
            raise CommandError(f"{seeds_dir} is absent")
        annotations = read_gold(Path(gold))
        articles = extract_gold_articles(annotations, seeds_dir)
        not_claims = [text for _, text in annotations.get("not_claims", [])]
        counts = {"boilerplate": 0, "market": 0, "prediction": 0}
        top = top_checkworthy_claims(articles, n)
        for rank, (key, claim) in enumerate(top, 1):
            problems = audit_top_claim(claim.text, not_claims)
            for problem in problems:
                counts[problem] += 1
            flag = f"  <- {', '.join(problems)}" if problems else ""
            self.stdout.write(
                f"{rank:2}. {claim.checkworthiness:.3f} {key} {claim.kind:9} "
                f"{' '.join(claim.text.split())[:110]}{flag}"
            )
        total = sum(len(article.claims) for article in articles.values())
        self.stdout.write(
            f"top {len(top)} of {total} claims: {counts['boilerplate']} boilerplate, "
            f"{counts['market']} market-index moves, {counts['prediction']} predictions"
        )
