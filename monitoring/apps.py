from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "Monitoring (rapporteurs)"

    def ready(self) -> None:
        # reports never imports monitoring: the coded comparisons reach its documents through this provider.
        from reports.sections import register_section_provider

        from . import tasks  # noqa: F401  (the implementation report's build task)
        from .selectors.comparisons import report_sections

        register_section_provider("monitoring.coded_comparisons", report_sections)
