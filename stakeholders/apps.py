from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StakeholdersConfig(AppConfig):
    name = "stakeholders"
    verbose_name = _("Other stakeholders and children's participation")

    def ready(self) -> None:
        # Comments, the organisations' own replies and the children's views become sections of the reports.
        from reports.sections import register_section_provider

        from .selectors.sections import children_section, stakeholder_sections

        register_section_provider("stakeholders", stakeholder_sections)
        register_section_provider("children", children_section)
