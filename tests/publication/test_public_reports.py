"""Public editions of the comparative reports: what they count, the Secretariat's decisions, the public download.

``published_world``: Germany's reply is published (ROBOT-01 and one document marked not for publication, ROBOT-01
carrying the marker); France submitted a reply full of the marker, never published; Italy has a draft.
"""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.cache import cache
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts.models import AuditEvent
from publication.errors import PublicationError
from reports.models import ReportVersion
from reports.selectors.scopes import scope_parse
from tests.publication.conftest import MARKER

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cache_clear():
    cache.clear()


def request_edition(world, django_capture_on_commit_callbacks, text="overview"):
    """Request a public edition as the Secretariat does (the build is queued after commit; eager in tests)."""
    from publication.services.editions import public_edition_request

    scope = scope_parse(consultation=world.consultation, text=text)
    with django_capture_on_commit_callbacks(execute=True):
        run = public_edition_request(consultation=world.consultation, scope=scope, user=world.secretariat)
    run.refresh_from_db()
    assert run.status == "done", run.error
    return run.version


def document_text(fmt: str, content: bytes) -> str:
    """The words of a downloaded file: the PDF's text layer, the DOCX's XML, the XLSX's cells."""
    if fmt == "pdf":
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    if fmt == "docx":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(archive.read(name).decode() for name in archive.namelist() if name.endswith(".xml"))
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(
        str(cell) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for cell in row if cell
    )


def _field(version, code, key="position"):
    item = next(i for i in version.data["items"] if i["code"] == code)
    return item, next((fl for fl in item["fields"] if fl["key"] == key), None)


def test_a_public_overview_counts_only_the_published_party_without_what_is_withheld(
    published_world, django_capture_on_commit_callbacks
):
    from reports.services.builds import report_build_now

    w = published_world
    version = request_edition(w, django_capture_on_commit_callbacks)
    assert (version.audience, version.classification, version.published_at) == ("public", "public", None)
    participation = version.data["participation"]
    assert [p["iso2"] for p in participation["replied"]] == ["DE"]
    assert (participation["replied_count"], participation["asked_count"]) == (1, 1)
    genai, position = _field(version, "GENAI-01")
    assert {o["key"]: o["count"] for o in position["options"]} == {"yes": 1, "partially": 0, "no": 0}
    assert genai["answered_by"] == ["Germany"]
    robot, robot_position = _field(version, "ROBOT-01")
    assert (robot["replying"], robot_position["replying"]) == (0, 0)  # Germany's ROBOT-01 is not for publication
    docs, _none = _field(version, "DOCS-01")
    assert [a["name"] for a in docs["attachments"]] == ["public-annex.pdf"]
    about = [s for s in version.data["extra_sections"]["en"] if s["key"] == "public-edition"]
    assert about[0]["blocks"][0]["text"].startswith(
        "This public edition counts only the replies published on the public site (those of: Germany), as published"
    )
    (about_fr,) = [s for s in version.data["extra_sections"]["fr"] if s["key"] == "public-edition"]
    assert about_fr["blocks"][0]["text"].count("Allemagne") == 1
    data = json.dumps(version.data, ensure_ascii=False)
    assert "Section 184b covers generated material." in data
    assert "The NGO welcomes section 184b." in data  # the published stakeholder comment
    for secret in (MARKER, "Ongoing legislative work", "France"):
        assert secret not in data, secret
    for language in ("en", "fr"):
        assert MARKER not in version.edition(language, "html").html
        for fmt in ("pdf", "docx", "xlsx"):
            with version.edition(language, fmt).file.open("rb") as handle:
                text = document_text(fmt, handle.read())
            assert MARKER not in text, (language, fmt)
            assert "184b" in text, (language, fmt)  # the reading works: Germany's words are there
    # the Committee's build of the same report counts France and the withheld answer: the rule is the audience's
    committee = report_build_now(
        consultation=w.consultation, scope=scope_parse(consultation=w.consultation, text="overview"), formats=["xlsx"]
    ).version
    assert committee.data["participation"]["replied_count"] == 2
    assert MARKER in json.dumps(committee.data, ensure_ascii=False)
    assert committee.classification == "restricted"
    assert "public-edition" not in json.dumps(committee.data["extra_sections"])
    event = AuditEvent.objects.filter(event_type="report.build_requested").latest("id")
    assert event.extra == {"run": version.run_id, "trigger": "public", "audience": "public"}
    built = AuditEvent.objects.get(event_type="report.built", extra__run=version.run_id)
    assert built.extra["audience"] == "public"


def test_publish_download_and_withdraw_cascade(client, published_world, django_capture_on_commit_callbacks):
    from publication.services.editions import public_edition_publish
    from publication.services.publish import publication_withdraw

    w = published_world
    slug = w.consultation.slug
    version = request_edition(w, django_capture_on_commit_callbacks)
    url = reverse("public:report_document", args=[slug, version.pk, "fr", "xlsx"])
    assert url == f"/public/{slug}/reports/{version.pk}/fr.xlsx"
    assert client.get(url).status_code == 404  # built, not yet published
    assert "Published reports" in client.get(reverse("public:consultation", args=[slug])).content.decode()
    public_edition_publish(consultation=w.consultation, version_id=version.pk, user=w.secretariat)
    with pytest.raises(PublicationError, match="already published"):
        public_edition_publish(consultation=w.consultation, version_id=version.pk, user=w.secretariat)
    event = AuditEvent.objects.get(event_type="report.public_edition_published")
    assert (event.actor, event.extra["version"], event.extra["scope"]) == (w.secretariat, version.number, "overview")
    page = client.get(reverse("public:consultation", args=[slug])).content.decode()
    assert url in page
    assert "French edition, XLSX" in page
    response = client.get(url)
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert "184b" in document_text("xlsx", content)
    assert MARKER not in document_text("xlsx", content)
    assert response["Content-Disposition"].endswith(f'{slug}-overview-v{version.number}-fr.xlsx"')
    for wrong in (
        reverse("public:report_document", args=[slug, version.pk, "de", "xlsx"]),
        reverse("public:report_document", args=[slug, version.pk, "fr", "html"]),
        reverse("public:report_document", args=[slug, version.pk + 1000, "fr", "xlsx"]),
    ):
        assert client.get(wrong).status_code == 404, wrong

    # Withdrawing Germany's reply withdraws the edition in the same transaction, audited
    publication_withdraw(consultation=w.consultation, party=w.party_b, user=w.secretariat, reason="Asked")
    version.refresh_from_db()
    assert version.withdrawn_at is not None
    event = AuditEvent.objects.get(event_type="report.public_editions_withdrawn")
    assert event.extra == {"versions": [version.number], "reason": "DE: Asked"}
    assert client.get(url).status_code == 404
    with pytest.raises(PublicationError, match="withdrawn"):
        public_edition_publish(consultation=w.consultation, version_id=version.pk, user=w.secretariat)


def test_an_edition_built_before_a_withdrawal_cannot_be_published(published_world, django_capture_on_commit_callbacks):
    from publication.services.editions import public_edition_publish
    from publication.services.publish import publication_publish_party, publication_withdraw

    w = published_world
    publication_publish_party(consultation=w.consultation, party=w.party_a, user=w.secretariat)
    version = request_edition(w, django_capture_on_commit_callbacks)
    assert version.data["participation"]["replied_count"] == 2
    # a build that was still running when France was withdrawn: the cascade found nothing to mark
    publication_withdraw(consultation=w.consultation, party=w.party_a, user=w.secretariat, reason="Asked")
    ReportVersion.objects.filter(pk=version.pk).update(withdrawn_at=None)
    with pytest.raises(PublicationError, match="request a fresh one"):
        public_edition_publish(consultation=w.consultation, version_id=version.pk, user=w.secretariat)
    fresh = request_edition(w, django_capture_on_commit_callbacks)
    assert [p["iso2"] for p in fresh.data["participation"]["replied"]] == ["DE"]
    public_edition_publish(consultation=w.consultation, version_id=fresh.pk, user=w.secretariat)


def test_secretariat_page_requests_publishes_and_withdraws(client, published_world, django_capture_on_commit_callbacks):
    from publication.services.publish import publication_withdraw
    from tests.access.helpers import login_with_mfa

    w = published_world
    slug = w.consultation.slug
    login_with_mfa(client, w.secretariat)
    page = client.get(reverse("publication:overview", args=[slug])).content.decode()
    assert "Request a public edition" in page
    assert "No public edition yet." in page
    response = client.post(reverse("publication:edition_request", args=[slug]), {"scope": "item:GENAI-01"})
    assert response.status_code == 302
    assert not ReportVersion.objects.exists()  # an item is not offered: refused with a message
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("publication:edition_request", args=[slug]), {"scope": "theme:robotics"})
    assert response.status_code == 302
    version = ReportVersion.objects.get(audience="public")
    assert version.report.scope == "theme:robotics"
    page = client.get(reverse("publication:overview", args=[slug])).content.decode()
    assert "Publish on the public site" in page
    client.post(reverse("publication:edition_publish", args=[slug]), {"version": version.pk})
    version.refresh_from_db()
    assert version.published_at is not None
    url = reverse("public:report_document", args=[slug, version.pk, "en", "pdf"])
    assert client.get(url).status_code == 200
    client.post(reverse("publication:edition_withdraw", args=[slug]), {"version": version.pk})
    version.refresh_from_db()
    assert version.withdrawn_at is not None
    assert client.get(url).status_code == 404
    assert AuditEvent.objects.filter(event_type="report.public_edition_withdrawn").count() == 1
    assert client.post(reverse("publication:edition_publish", args=[slug]), {"version": "x"}).status_code == 404
    # a second edition, then Germany's reply is withdrawn: the page says a fresh edition is needed
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("publication:edition_request", args=[slug]), {"scope": "overview"})
    publication_withdraw(consultation=w.consultation, party=w.party_b, user=w.secretariat, reason="Asked")
    page = client.get(reverse("publication:overview", args=[slug])).content.decode()
    assert "request a fresh edition" in page
    assert "Publish on the public site" not in page


def test_nothing_published_nothing_to_request(world):
    from publication.services.editions import public_edition_request

    with pytest.raises(PublicationError, match="No reply is published"):
        public_edition_request(
            consultation=world.consultation,
            scope=scope_parse(consultation=world.consultation, text="overview"),
            user=world.secretariat,
        )


def test_the_consultation_page_lists_editions_in_constant_queries(
    client, published_world, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    from publication.services.editions import public_edition_publish

    w = published_world
    url = reverse("public:consultation", args=[w.consultation.slug])

    def publish(text):
        version = request_edition(w, django_capture_on_commit_callbacks, text=text)
        public_edition_publish(consultation=w.consultation, version_id=version.pk, user=w.secretariat)

    publish("overview")
    cache.clear()
    with django_assert_max_num_queries(14):
        page = client.get(url).content.decode()
    assert page.count('class="report-downloads"') == 1
    for text in ("theme:robotics", "theme:generative-ai", "article:20"):
        publish(text)
    cache.clear()
    with django_assert_max_num_queries(14):
        page = client.get(url).content.decode()
    assert page.count('class="report-downloads"') == 4
    assert page.count("/reports/") == 4 * 6


def test_the_demo_command_builds_and_publishes_a_public_overview_once(published_world):
    import io

    from django.core.management import CommandError, call_command

    w = published_world
    out = io.StringIO()
    call_command("publish_public_report", "--consultation", w.consultation.slug, stdout=out)
    version = ReportVersion.objects.get(audience="public")
    assert (
        out.getvalue().strip() == f"overview: public edition {version.number} published (1 published replies counted)."
    )
    assert (version.published_by, version.classification) == (w.secretariat, "public")
    assert version.data["participation"]["replied_count"] == 1
    assert AuditEvent.objects.filter(event_type="report.public_edition_published").count() == 1
    out = io.StringIO()
    call_command("publish_public_report", "--consultation", w.consultation.slug, stdout=out)
    assert "on the public site already" in out.getvalue()
    assert ReportVersion.objects.filter(audience="public").count() == 1
    with pytest.raises(CommandError, match="no Article 99"):
        call_command("publish_public_report", "--consultation", w.consultation.slug, "--scope", "article:99")


def test_the_demo_command_needs_a_published_reply(world):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="No reply is published"):
        call_command("publish_public_report", "--consultation", world.consultation.slug)


def test_the_secretariat_page_lists_editions_in_constant_queries(
    client, published_world, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.access.helpers import login_with_mfa

    w = published_world
    login_with_mfa(client, w.secretariat)
    url = reverse("publication:overview", args=[w.consultation.slug])
    request_edition(w, django_capture_on_commit_callbacks)
    client.get(url)  # the first request after signing in records the session's activity
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for text in ("theme:robotics", "theme:generative-ai", "article:20"):
        request_edition(w, django_capture_on_commit_callbacks, text=text)
    with CaptureQueriesContext(connection) as four:
        page = client.get(url).content.decode()
    assert page.count("Publish on the public site") == 4
    assert len(four.captured_queries) == len(one.captured_queries)
