from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "risks"
    verbose_name = "RAID log"

    def ready(self):
        from risks import signals  # noqa: F401  (receivers)
