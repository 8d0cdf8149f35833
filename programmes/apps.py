from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "programmes"
    verbose_name = "Programmes"

    def ready(self):
        from programmes import signals, tasks  # noqa: F401  (receivers, Celery tasks)
        from programmes.accounts import sessions  # noqa: F401  (sign-ins recorded and ended)
        from programmes.history_descriptors import make_history_manager_classes_once

        make_history_manager_classes_once()
