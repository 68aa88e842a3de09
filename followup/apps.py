from django.apps import AppConfig


class FollowupConfig(AppConfig):
    name = "followup"
    verbose_name = "Follow-up and compliance"

    def ready(self) -> None:
        # ``reports`` does not import this app: the "what changed since the previous round" section is
        # registered here and called by every report build.
        from reports.sections import register_section_provider

        from .selectors.report_section import changes_section_provider

        register_section_provider("followup.changes_since_previous_round", changes_section_provider)
