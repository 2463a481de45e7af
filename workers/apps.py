from django.apps import AppConfig


class WorkersConfig(AppConfig):
    name = "workers"
    verbose_name = "Background workers"

    def ready(self) -> None:
        from dossiers.commands import QueuedWork
        from eventlog.on_commit import register_handler
        from workers import dispatch, tasks  # noqa: F401  (tasks: register them with Celery)

        # Looked up when called, so that tests can stand in for the broker.
        register_handler(
            QueuedWork.EXTRACT_ARTICLE, lambda article_id: dispatch.enqueue_extraction(article_id)
        )
        register_handler(
            QueuedWork.EXTRACT_DOSSIER,
            lambda dossier_id: dispatch.enqueue_dossier_extraction(dossier_id),
        )
        register_handler(
            QueuedWork.RECLUSTER_DOSSIER,
            lambda dossier_id: dispatch.enqueue_reclustering(dossier_id),
        )
