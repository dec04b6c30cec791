from django.apps import AppConfig


class CorrespondenceConfig(AppConfig):
    name = "chancery.correspondence"
    verbose_name = "Correspondence"

    def ready(self) -> None:
        # Its periodic steps, run by `chancery worker` (chancery/worker.py).
        from chancery.correspondence import worker

        worker.register()
