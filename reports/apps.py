from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        # Registers the task names consultation.events enqueues (eager mode applies them in-process).
        from . import tasks  # noqa: F401
