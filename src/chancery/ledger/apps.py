from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "chancery.ledger"
    verbose_name = "Ledger"

    def ready(self) -> None:
        # The log integration step and the sequencer loop of `chancery worker`.
        from chancery.ledger import background

        background.register()
        # The comparison of rows changed behind the application's back (before the log step),
        # its alert event kinds, and verify's view of the alerts.
        from chancery.ledger import integrity

        integrity.register()
        # The access audit: every read is an event of the log, checked against its row.
        from chancery.ledger import reads, reads_check

        reads.register_events()
        reads_check.register()
