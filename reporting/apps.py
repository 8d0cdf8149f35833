from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Reporting"

    def ready(self):
        from reporting import tasks  # noqa: F401  registers the app's Celery tasks
