from django.apps import AppConfig


class PublicationConfig(AppConfig):
    name = "publication"
    verbose_name = "Publication (public site)"

    def ready(self) -> None:
        # reports must not import publication: what a public edition of a report may count is registered here.
        from reports.audience import register_public_filter
        from reports.sections import register_section_provider

        from .selectors.public import public_report_submissions
        from .selectors.report_section import public_edition_section

        register_public_filter("publication.current", public_report_submissions)
        register_section_provider("publication.public_edition", public_edition_section)
