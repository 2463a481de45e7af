from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = "Claims and verdicts"

    def ready(self) -> None:
        from claims import events  # (register projections)
        from claims.models import (
            Claim,
            ClaimCluster,
            Comment,
            Correction,
            Verdict,
            VerdictEvidence,
        )
        from eventlog.registry import register_read_models, register_stream_types

        register_stream_types(events.ClaimStreamType)
        register_read_models(ClaimCluster, Claim, Verdict, VerdictEvidence, Correction, Comment)
