from django.apps import AppConfig


class WorkstreamsConfig(AppConfig):
    name = "workstreams"
    verbose_name = "Workstreams"

    def ready(self):
        from workstreams import signals, tasks  # noqa: F401  (receivers, Celery tasks)
