"""In a real browser: the Secretariat requests a public edition of the overview on its publication page and publishes
it; a visitor with no log-in finds it under "Published reports" and downloads the English PDF, which counts the
published reply and never the answer its Party marked not for publication. Both pages are axe-clean."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import login, logout, serious_violations
from tests.factories import PASSWORD
from tests.publication.conftest import MARKER, docs_item, published_world  # noqa: F401 (fixtures)
from tests.publication.test_public_reports import document_text

pytestmark = pytest.mark.e2e


def enrol(user):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


@pytest.mark.django_db(transaction=True)
def test_secretariat_publishes_a_public_edition_and_a_visitor_downloads_it(page, live_server, published_world):  # noqa: F811
    from reports.models import ReportVersion

    w = published_world
    slug = w.consultation.slug
    login(page, live_server, w.secretariat.email, PASSWORD, totp_secret=enrol(w.secretariat))
    page.goto(f"{live_server.url}/secretariat/publication/{slug}/")
    editions = page.get_by_role("region", name="Public editions of the reports").or_(
        page.locator("section", has=page.get_by_role("heading", name="Public editions of the reports"))
    )
    assert "No public edition yet." in editions.inner_text()
    page.get_by_label("Report", exact=True).select_option("overview")
    page.get_by_role("button", name="Request a public edition").click()
    # Tests run the Celery task eagerly after the request's commit: the page comes back with the edition listed.
    page.get_by_role("button", name="Publish on the public site").wait_for()
    assert serious_violations(page) == []
    page.get_by_role("button", name="Publish on the public site").click()
    page.get_by_text("is on the public site.").wait_for()
    version = ReportVersion.objects.get(audience="public")
    assert version.published_at is not None
    assert version.classification == "public"
    logout(page, live_server)

    page.goto(f"{live_server.url}/public/{slug}/")
    page.get_by_role("heading", name="Published reports").wait_for()
    assert serious_violations(page) == []
    with page.expect_download() as download_info:
        page.get_by_role("link", name="English edition, PDF").click()
    content = download_info.value.path().read_bytes()
    assert content.startswith(b"%PDF")
    text = document_text("pdf", content)
    assert "Section 184b covers generated material." in text  # Germany's published answer
    assert MARKER not in text  # its answer marked not for publication, and France's unpublished reply
    assert download_info.value.suggested_filename.endswith(".pdf")
