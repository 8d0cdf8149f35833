from django.apps import AppConfig


class PlansConfig(AppConfig):
    """Whole-plan work on top of every other app: the plan workbook (read, import, export),
    the demo programmes, generated scale data and the benchmark."""

    name = "plans"
    verbose_name = "Plans"

    def ready(self):
        from plans import tasks  # noqa: F401  registers the app's Celery tasks
