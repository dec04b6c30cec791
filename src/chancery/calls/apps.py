from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "chancery.calls"
    verbose_name = "Calls"

    def ready(self) -> None:
        # The ledger learns this app's event kinds and subject checks here (DESIGN.md).
        from chancery.calls import checks, events

        events.register()
        checks.register()
        # Its periodic steps, run by `chancery worker` (chancery/worker.py).
        from chancery.calls import worker

        worker.register()
        # A principal's status change moves gated call requests (directory.services listeners).
        from chancery.calls.services import gate

        gate.register()
        # How the access audit (ledger.reads) names a call request: its tracking number.
        from chancery.calls.access import SUBJECT, call_labels
        from chancery.ledger.reads import register_subject_labels

        register_subject_labels(SUBJECT, call_labels)
