"""Confidentiality marks, publication decisions and the public site's pages."""

import datetime
import re
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.cache import cache
from django.urls import reverse

from accounts.models import AuditEvent
from consultation.models import SubmittedAnswer, SubmittedAttachment, SubmittedValue
from publication.errors import PublicationError
from publication.models import Publication, PublishedAnswer, PublishedDocument
from tests.publication.conftest import MARKER, answer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cache_clear():
    cache.clear()


def test_marks_travel_with_the_submitted_copy(published_world):
    w = published_world
    robot = w.items[1]
    copy = SubmittedAnswer.objects.get(response=w.reply_b, item=robot)
    assert (copy.confidential, copy.confidential_reason) == (True, "Ongoing legislative work")
    assert set(SubmittedValue.objects.filter(answer=copy).values_list("confidential", flat=True)) == {True}
    assert SubmittedAnswer.objects.get(response=w.reply_b, item=w.items[0]).confidential is False
    docs = dict(SubmittedAttachment.objects.filter(party=w.party_b).values_list("original_name", "confidential"))
    assert docs == {"public-annex.pdf": False, f"{MARKER}.pdf": True}
    event = AuditEvent.objects.filter(event_type="reply.submitted", party=w.party_b).get()
    assert (event.extra["confidential_answers"], event.extra["confidential_documents"]) == (1, 1)


def test_the_consultation_default_applies_to_what_was_never_decided(world):
    from consultation.services.answers import response_get_or_create
    from consultation.services.responses import response_submit

    world.consultation.confidential_by_default = True
    world.consultation.save()
    reply = response_get_or_create(consultation=world.consultation, party=world.party_b)
    for item in world.items:
        answer(reply, item, {"position": "yes"}, world.member_b)
    response_submit(response=reply, user=world.head_b)
    assert list(SubmittedAnswer.objects.filter(response=reply).values_list("confidential", flat=True)) == [True, True]


def test_publication_is_a_snapshot_without_what_is_marked(published_world):
    w = published_world
    publication = w.publication_b
    assert (publication.number, publication.answer_count, publication.withheld_count) == (1, 2, 2)
    rows = {a.item.code: a for a in PublishedAnswer.objects.filter(publication=publication)}
    assert set(rows) == {"GENAI-01", "DOCS-01"}
    (document,) = PublishedDocument.objects.filter(publication=publication)
    assert document.original_name == "public-annex.pdf"
    assert rows["DOCS-01"].data["documents"] == [document.pk]
    assert document.file.read().startswith(b"%PDF-1.7")
    event = AuditEvent.objects.get(event_type="publication.published", party=w.party_b)
    assert (event.extra["version"], event.extra["answers"], event.extra["withheld"]) == (1, 2, 2)


def test_publishing_the_same_submission_twice_is_refused(published_world):
    from publication.services.publish import publication_publish_party

    w = published_world
    with pytest.raises(PublicationError, match="already published"):
        publication_publish_party(consultation=w.consultation, party=w.party_b, user=w.secretariat)
    with pytest.raises(PublicationError, match="has not submitted"):
        publication_publish_party(
            consultation=w.consultation, party=__import__("tests.factories").factories.party("IT"), user=w.secretariat
        )


def test_publish_all_waits_for_the_deadline(published_world):
    from publication.services.publish import publication_publish_all

    w = published_world
    w.consultation.closes_on = datetime.date.today() + datetime.timedelta(days=3)
    w.consultation.save()
    with pytest.raises(PublicationError, match="deadline has not passed"):
        publication_publish_all(consultation=w.consultation, user=w.secretariat)
    w.consultation.opens_on = datetime.date.today() - datetime.timedelta(days=30)
    w.consultation.closes_on = datetime.date.today() - datetime.timedelta(days=1)
    w.consultation.save()
    done = publication_publish_all(consultation=w.consultation, user=w.secretariat)
    assert [p.party.iso2 for p in done] == ["FR"]
    assert AuditEvent.objects.filter(event_type="publication.published_all").get().extra["parties"] == ["FR"]


def test_a_correction_is_a_new_version_and_the_old_one_stays_cited(client, published_world):
    from consultation.services.responses import response_reopen, response_submit
    from publication.services.publish import publication_publish_party

    w = published_world
    response_reopen(response=w.reply_b, user=w.secretariat, reason="Typo")
    w.reply_b.refresh_from_db()
    answer(w.reply_b, w.items[0], {"position": "partially", "explanation": "Corrected text."}, w.member_b)
    response_submit(response=w.reply_b, user=w.head_b)
    second = publication_publish_party(consultation=w.consultation, party=w.party_b, user=w.secretariat)
    assert second.number == 2
    first = Publication.objects.get(pk=w.publication_b.pk)
    assert first.superseded_at is not None
    page = client.get(reverse("public:state_reply", args=[w.consultation.slug, "DE"])).content.decode()
    assert "Corrected text." in page
    assert "Section 184b" not in page
    assert reverse("public:state_reply_version", args=[w.consultation.slug, "DE", 1]) in page
    old = client.get(reverse("public:state_reply_version", args=[w.consultation.slug, "DE", 1])).content.decode()
    assert "Section 184b" in old
    assert "This version was replaced" in old
    # the marks recorded at the first sign-off are kept: ROBOT-01 is still not published
    assert not PublishedAnswer.objects.filter(publication=second, item=w.items[1]).exists()


def test_withdrawal_is_audited_and_takes_every_page_and_file_off(client, published_world):
    from publication.services.publish import publication_withdraw

    w = published_world
    slug = w.consultation.slug
    document = PublishedDocument.objects.get()
    assert client.get(reverse("public:state_reply", args=[slug, "DE"])).status_code == 200
    assert client.get(reverse("public:document", args=[document.pk])).status_code == 200
    with pytest.raises(PublicationError, match="reason"):
        publication_withdraw(consultation=w.consultation, party=w.party_b, user=w.secretariat, reason=" ")
    assert publication_withdraw(consultation=w.consultation, party=w.party_b, user=w.secretariat, reason="Asked") == 1
    event = AuditEvent.objects.get(event_type="publication.withdrawn")
    assert (event.extra["versions"], event.extra["reason"]) == ([1], "Asked")
    for url in (
        reverse("public:state_reply", args=[slug, "DE"]),
        reverse("public:consultation", args=[slug]),
        reverse("public:item_replies", args=[slug, "GENAI-01"]),
        reverse("public:document", args=[document.pk]),
    ):
        assert client.get(url).status_code == 404, url


def test_secretariat_pages_publish_and_withdraw(client, published_world):
    from tests.access.helpers import login_with_mfa

    w = published_world
    login_with_mfa(client, w.secretariat)
    slug = w.consultation.slug
    page = client.get(reverse("publication:overview", args=[slug])).content.decode()
    assert "Publish all submitted replies" in page
    assert "Version 1" in page
    assert "ROBOT-01: Ongoing legislative work" in page
    response = client.post(reverse("publication:publish", args=[slug]), {"party": "FR"})
    assert response.status_code == 302
    assert Publication.objects.current().filter(party=w.party_a).count() == 1
    client.post(reverse("publication:withdraw", args=[slug]), {"party": "FR", "reason": "Party asked"})
    assert Publication.objects.current().filter(party=w.party_a).count() == 0
    client.post(reverse("publication:confidential_default", args=[slug]), {"confidential_by_default": "1"})
    w.consultation.refresh_from_db()
    assert w.consultation.confidential_by_default is True


def test_sign_off_page_records_the_marks(client, world):
    from consultation.models import Answer
    from consultation.services.answers import response_get_or_create
    from tests.access.helpers import login_with_mfa

    reply = response_get_or_create(consultation=world.consultation, party=world.party_a)
    for item in world.items:
        answer(reply, item, {"position": "yes", "explanation": "x"}, world.member_a)
    login_with_mfa(client, world.head_a)
    url = reverse("consultation:submit", args=[world.consultation.slug])
    page = client.get(url).content.decode()
    assert "Not for publication" in page
    genai, robot = world.items
    too_long = {
        "confirm": "on",
        "marks": "1",
        "marked": [f"i-{genai.pk}", f"i-{robot.pk}"],
        f"conf-i-{robot.pk}": "1",
        f"conf-i-{robot.pk}-reason": "x" * 501,
    }
    response = client.post(url, too_long)
    assert response.status_code == 422
    assert "the limit is 500" in response.content.decode()
    reply.refresh_from_db()
    assert reply.status != "submitted"
    response = client.post(url, {**too_long, f"conf-i-{robot.pk}-reason": "Cabinet papers"})
    assert response.status_code == 302
    marks = dict(Answer.objects.filter(response=reply).values_list("item__code", "confidential"))
    assert marks == {"GENAI-01": False, "ROBOT-01": True}
    assert SubmittedAnswer.objects.get(response=reply, item=robot).confidential_reason == "Cabinet papers"


LINK = re.compile(r'(?:href|action)="([^"#]+)')


def _crawl(client, start: str, extra: list[str]) -> dict[str, bytes]:
    """Every /public/ page reachable from ``start`` by links, plus ``extra`` guessed URLs: {url: body}."""
    seen: dict[str, bytes] = {}
    queue = [start, *extra]
    while queue:
        url = queue.pop()
        if url in seen or not urlsplit(url).path.startswith("/public/"):
            continue
        response = client.get(url)
        body = response.getvalue() if response.streaming else response.content
        seen[url] = body
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            for link in LINK.findall(body.decode()):
                queue.append(urljoin(url, link.replace("&amp;", "&")))
    return seen


def _report_editions(world, capture):
    """A published public edition of the overview (every format), an unpublished public edition of a theme and a
    Committee version of the overview: the public site must serve the first only."""
    from publication.services.editions import public_edition_publish
    from reports.selectors.scopes import scope_parse
    from reports.services.builds import report_build_now
    from tests.publication.test_public_reports import request_edition

    published = request_edition(world, capture)
    public_edition_publish(consultation=world.consultation, version_id=published.pk, user=world.secretariat)
    draft = request_edition(world, capture, text="theme:robotics")
    committee = report_build_now(
        consultation=world.consultation,
        scope=scope_parse(consultation=world.consultation, text="overview"),
        formats=["xlsx"],
    ).version
    return published, draft, committee


def test_crawler_never_finds_anything_confidential_or_unpublished(
    client, published_world, django_capture_on_commit_callbacks
):
    from tests.publication.test_public_reports import document_text

    w = published_world
    slug = w.consultation.slug
    secret_file_ids = list(PublishedDocument.objects.values_list("pk", flat=True))
    published, draft, committee = _report_editions(w, django_capture_on_commit_callbacks)
    guesses = [
        *[
            f"/public/{slug}/reports/{version.pk}/{language}.{fmt}"
            for version in (draft, committee)
            for language in ("en", "fr")
            for fmt in ("pdf", "docx", "xlsx")
        ],
        f"/public/{slug}/states/FR/",
        f"/public/{slug}/states/fr/",
        f"/public/{slug}/states/IT/",
        f"/public/{slug}/states/DE/v2/",
        f"/public/{slug}/states/FR/v1/",
        f"/public/{slug}/questions/ROBOT-01/",
        f"/public/{slug}/stakeholders/{w.quiet_org.pk}/",
        f"/public/{slug}/search/?q={MARKER}",
        f"/public/{slug}/search/?q=Secret+plan",
        f"/public/{slug}/search/?q=France",
        f"/public/{slug}/search/?q=Italy",
        *[f"/public/documents/{pk}/" for pk in range(1, max(secret_file_ids) + 5)],
    ]
    pages = _crawl(client, "/public/", guesses)
    assert f"/public/{slug}/states/DE/" in pages
    assert b"The NGO welcomes section 184b." in pages[f"/public/{slug}/stakeholders/{w.ngo_org.pk}/"]
    assert any(url.startswith("/public/documents/") and body.startswith(b"%PDF") for url, body in pages.items())
    assert len(pages) >= 15
    reports = {url: body for url, body in pages.items() if "/reports/" in url and body.startswith((b"%PDF", b"PK"))}
    # the published edition's six files were found by following the consultation page's links, and only they
    assert sorted(reports) == sorted(
        f"/public/{slug}/reports/{published.pk}/{language}.{fmt}"
        for language in ("en", "fr")
        for fmt in ("pdf", "docx", "xlsx")
    )
    for url, body in reports.items():
        text = document_text(url.rsplit(".", 1)[1], body)
        assert "184b" in text, url  # Germany's published words: the file's text was read
        assert MARKER not in text, url
        assert "Ongoing legislative work" not in text, url
    for url, body in pages.items():
        if MARKER in url:  # the search page repeats the visitor's own words: it must find nothing with them
            assert b"0 results found" in body, url
            continue
        assert MARKER.encode() not in body, url
        assert b"Ongoing legislative work" not in body, url
    for language in ("fr", "en"):
        client.cookies["django_language"] = language
        for url, body in _crawl(client, "/public/", guesses).items():
            assert MARKER in url or MARKER.encode() not in body, (language, url)
    robot = client.get(f"/public/{slug}/questions/ROBOT-01/")
    assert robot.status_code == 404


def test_search_finds_published_words_only(client, published_world):
    slug = published_world.consultation.slug
    page = client.get(reverse("public:search", args=[slug]), {"q": "184b"}).content.decode()
    # Germany's published answer first, then the NGO's published comment on it; never the unpublished ones
    assert "2 results found" in page
    assert page.index("Germany – GENAI-01") < page.index("Child Rights Network on the reply of Germany – GENAI-01")
    stakeholder_url = reverse("public:stakeholder", args=[slug, published_world.ngo_org.pk])
    assert f'href="{stakeholder_url}#on-DE"' in page
    page = client.get(reverse("public:search", args=[slug]), {"q": "Secret plan"}).content.decode()
    assert "0 results found" in page
    page = client.get(reverse("public:search", args=[slug]), {"q": "NGO reply"}).content.decode()
    assert "0 results found" in page  # the NGO's reply is not published


def test_search_finds_a_published_stakeholder_reply(client, published_world):
    from django.utils import timezone

    from stakeholders.models import StakeholderReply

    slug = published_world.consultation.slug
    StakeholderReply.objects.filter(organisation=published_world.ngo_org).update(published_at=timezone.now())
    page = client.get(reverse("public:search", args=[slug]), {"q": "NGO reply"}).content.decode()
    assert "1 result found" in page
    code = published_world.items[0].code
    stakeholder_url = reverse("public:stakeholder", args=[slug, published_world.ngo_org.pk])
    assert f'href="{stakeholder_url}#reply-{code}">Child Rights Network – {code}</a>' in page
    assert "Reply from another stakeholder" in page
    target = client.get(stakeholder_url).content.decode()
    assert f'id="reply-{code}"' in target


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("public:index", []),
        ("public:consultation", ["slug"]),
        ("public:state_reply", ["slug", "DE"]),
        ("public:item_replies", ["slug", "GENAI-01"]),
        ("public:search", ["slug"]),
    ],
)
def test_public_pages_in_constant_queries(client, published_world, django_assert_max_num_queries, name, args):
    from tests import factories as f

    args = [published_world.consultation.slug if a == "slug" else a for a in args]
    url = reverse(name, args=args) + ("?q=covers" if name == "public:search" else "")
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
    # ten more Parties published: the same number of queries
    from consultation.services.answers import response_get_or_create
    from consultation.services.responses import response_submit
    from publication.services.publish import publication_publish_party

    for iso2 in ("AT", "BE", "IT", "NL", "PT", "SE", "PL", "ES", "IE", "LU"):
        party = f.party(iso2)
        reply = response_get_or_create(consultation=published_world.consultation, party=party)
        for item in published_world.items:
            answer(reply, item, {"position": "yes", "explanation": "It covers it."}, published_world.member_b)
        response_submit(response=reply, user=published_world.head_b)
        publication_publish_party(
            consultation=published_world.consultation, party=party, user=published_world.secretariat
        )
    cache.clear()
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
    # cached: the fingerprint (four aggregates: publications, stakeholders' comments and replies, report editions)
    # and the consultation, except the search, which is never cached
    with django_assert_max_num_queries({"public:index": 4, "public:search": 12}.get(name, 5)):
        assert client.get(url).status_code == 200


def test_the_party_sees_its_marks_on_its_submitted_reply(client, published_world):
    from tests.access.helpers import login_with_mfa

    w = published_world
    login_with_mfa(client, w.head_b)
    page = client.get(reverse("consultation:review", args=[w.consultation.slug])).content.decode()
    assert page.count("Not for publication") == 2  # ROBOT-01's answer and the confidential document
    assert "Ongoing legislative work" in page
