from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "chancery.records"
    verbose_name = "Records"

    def ready(self) -> None:
        # The ledger learns this app's event kinds and subject checks here (DESIGN.md).
        from chancery.records import checks, events

        events.register()
        checks.register()
        # Its periodic steps, run by `chancery worker` (chancery/worker.py).
        from chancery.records import worker

        worker.register()
        # How the access audit (ledger.reads) names telcons, read-outs and replies.
        from chancery.ledger.reads import register_subject_labels
        from chancery.records.access_readouts import readout_labels
        from chancery.records.access_replies import reply_labels
        from chancery.records.access_telcons import telcon_labels

        register_subject_labels("telcon", telcon_labels)
        register_subject_labels("readout", readout_labels)
        register_subject_labels("reply", reply_labels)
        # The reply panels on a message's pages and the records panel on a call's page
        # (chancery.pages.register_panel).
        from chancery.records import panels, views_replies

        views_replies.register_panels()
        panels.register()
