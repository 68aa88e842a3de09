from django.apps import AppConfig


class PublicationConfig(AppConfig):
    name = "publication"
    verbose_name = "Publication (public site)"

    def ready(self) -> None:
        # reports must not import publication: what a public edition of a report may count is registered here.
        from reports.audience import register_public_filter

        from .selectors.public import public_report_submissions

        register_public_filter("publication.current", public_report_submissions)
