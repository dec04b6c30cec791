from django.apps import AppConfig


class CorrespondenceConfig(AppConfig):
    name = "chancery.correspondence"
    verbose_name = "Correspondence"

    def ready(self) -> None:
        # The ledger learns this app's event kinds and subject checks here (DESIGN.md).
        from chancery.correspondence import checks, events

        events.register()
        checks.register()
        # Its periodic steps, run by `chancery worker` (chancery/worker.py).
        from chancery.correspondence import worker

        worker.register()
        # How the access audit (ledger.reads) names a message: its tracking number.
        from chancery.correspondence.access import SUBJECT, message_labels
        from chancery.ledger.reads import register_subject_labels

        register_subject_labels(SUBJECT, message_labels)
