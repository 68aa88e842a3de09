"""The delegation workspace through HTTP: home, reply page, autosave, conflicts, history, review, sign-off."""

from __future__ import annotations

import datetime

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse
from django.utils import timezone

from consultation.models import Answer, AnswerRevision, Response
from consultation.services.answers import answer_save, response_get_or_create
from tests import factories as f

pytestmark = pytest.mark.django_db

# 7 for the session, user, roles, MFA, Party and the consultation; 10 for the reply, themes, the reply's answered
# count per theme, the items' section form sizes (to cut the pages), items, articles, fields, options, answers and
# attachments; 3 for the delegation's teamwork (the items' assignments, their comment counts, who is editing now).
# The session is renewed at most once a minute, not on this request. The same for 2, 5 and 100 items.
REPLY_PAGE_QUERIES = 20


def enrol_totp(user):
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})


@pytest.fixture
def member(client, world):
    client.force_login(world.member_a)
    return client


@pytest.fixture
def head(client, world):
    enrol_totp(world.head_a)
    client.force_login(world.head_a)
    return client


def save_url(world, item):
    return reverse("consultation:answer_save", args=[world.consultation.slug, item.code])


def htmx_post(client, url, data):
    return client.post(url, data, HTTP_HX_REQUEST="true")


def test_reply_page_shows_items_with_their_form_articles_and_context(member, world):
    page = member.get(reverse("consultation:reply", args=[world.consultation.slug]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "GENAI-01" in html
    assert "ROBOT-01" in html
    pk = world.items[0].pk
    # Every input belongs to the page's section form, named with its item's prefix.
    assert f'name="i{pk}-f-position" form="section-form"' in html
    assert reverse("consultation:article", args=[20]) in html
    assert f'name="i{pk}-base_version" id="base-{pk}" value="0" form="section-form"' in html
    assert '<form id="section-form" class="ws-section-form" method="post"' in html


def test_autosave_writes_a_version_and_answers_with_the_status_line(member, world):
    item = world.items[0]
    response = htmx_post(
        member, save_url(world, item), {"base_version": "0", "f-position": "yes", "f-explanation": "Art. 2"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "by you" in html
    assert "Saved at" in html
    assert (
        f'name="i{item.pk}-base_version" id="base-{item.pk}" value="1" form="section-form" hx-swap-oob="true"' in html
    )
    answer = Answer.objects.get(item=item)
    assert answer.data == {"position": "yes", "explanation": "Art. 2"}
    assert answer.updated_by == world.member_a


def test_a_stale_save_gets_409_with_both_versions_and_keeps_nothing_of_it(member, world):
    item = world.items[0]
    reply = response_get_or_create(consultation=world.consultation, party=world.party_a)
    answer_save(
        response=reply, item=item, data={"position": "no", "explanation": "Theirs"}, base_version=0, user=world.head_a
    )
    response = htmx_post(
        member, save_url(world, item), {"base_version": "0", "f-position": "yes", "f-explanation": "Mine"}
    )
    assert response.status_code == 409
    assert response["HX-Retarget"] == f"#status-{item.pk}"
    html = response.content.decode()
    assert "Mine" in html
    assert "Theirs" in html
    assert "Keep mine" in html
    assert "Take theirs" in html
    assert "Merge by hand" in html
    assert "Theirs\n\nMine" in html
    assert html.count(">differs</span>") == 2  # position and explanation; empty on both sides is no difference
    assert Answer.objects.get(item=item).data == {"position": "no", "explanation": "Theirs"}
    keep = htmx_post(
        member,
        save_url(world, item),
        {"base_version": "1", "f-position": "yes", "f-explanation": "Mine", "_resolve": "mine"},
    )
    assert keep.status_code == 200
    assert Answer.objects.get(item=item).version == 2


def test_invalid_values_get_422_with_field_messages(member, world):
    item = world.items[0]
    response = htmx_post(member, save_url(world, item), {"base_version": "0", "f-position": "maybe"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "is not one of the listed options" in html
    assert f'id="i{item.pk}-position-error" hx-swap-oob="true"' in html
    assert not Answer.objects.exists()


def test_without_javascript_a_save_redirects_back_to_the_item(member, world):
    item = world.items[0]
    response = member.post(save_url(world, item), {"base_version": "0", "f-position": "partially"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#item-{item.pk}")


def test_without_javascript_a_save_on_a_later_page_comes_back_to_its_theme_and_page(
    member, world, background_paper, monkeypatch
):
    """The item page's form posts no theme: the redirect finds the page that shows the item."""
    from consultation.selectors import workspace
    from consultation.selectors.workspace import paging

    monkeypatch.setattr(paging, "SECTION_FIELD_BUDGET", 300)  # Generative AI's 7 items on several pages
    genai = list(background_paper.items.filter(theme__code="generative-ai").order_by("order"))
    costs = dict((pk, cost) for pk, _theme, cost in workspace.item_post_costs(consultation_id=background_paper.pk))
    pages = workspace.section_pages([(item.pk, costs[item.pk]) for item in genai])
    assert len(pages) > 1
    last = next(item for item in genai if item.pk == pages[-1][-1])
    response = member.post(save_url(background_paper_world(world, background_paper), last), {"base_version": "0"})
    reply = reverse("consultation:reply", args=[background_paper.slug])
    assert response["Location"] == f"{reply}?theme=generative-ai&page={len(pages)}#item-{last.pk}"
    cross = background_paper.items.get(code="CROSS-01")
    response = member.post(save_url(background_paper_world(world, background_paper), cross), {"base_version": "0"})
    assert response["Location"] == f"{reply}?theme=cross-cutting#item-{cross.pk}"
    history = member.get(reverse("consultation:answer_history", args=[background_paper.slug, cross.code]))
    assert f'<a href="{reply}?theme=cross-cutting#item-{cross.pk}">Back to the reply</a>' in history.content.decode()


def background_paper_world(world, consultation):
    """``save_url`` takes a world: the same one, on the 2024 consultation."""
    return type(world)(**{**vars(world), "consultation": consultation})


def test_html_scripts_and_formulas_come_back_escaped(member, world):
    item = world.items[0]
    text = '<script>alert(1)</script><b>bold</b> =HYPERLINK("http://evil.example","x")'
    htmx_post(member, save_url(world, item), {"base_version": "0", "f-explanation": text})
    for url in (
        reverse("consultation:reply", args=[world.consultation.slug]),
        reverse("consultation:review", args=[world.consultation.slug]),
        reverse("consultation:answer_history", args=[world.consultation.slug, item.code]),
    ):
        html = member.get(url).content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "<b>bold</b>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in html
        assert "=HYPERLINK(&quot;http://evil.example&quot;,&quot;x&quot;)" in html


def test_history_shows_a_diff_and_restore_makes_a_new_version(member, world):
    item = world.items[0]
    htmx_post(member, save_url(world, item), {"base_version": "0", "f-position": "yes", "f-explanation": "Penal code"})
    htmx_post(
        member, save_url(world, item), {"base_version": "1", "f-position": "no", "f-explanation": "Criminal code"}
    )
    page = member.get(reverse("consultation:answer_history", args=[world.consultation.slug, item.code]))
    html = page.content.decode()
    assert '<del class="diff-del"><span class="visually-hidden">removed: </span>Penal</del>' in html
    assert '<ins class="diff-ins"><span class="visually-hidden">added: </span>Criminal</ins>' in html
    restore = member.post(
        reverse("consultation:answer_restore", args=[world.consultation.slug, item.code, 1]), {"base_version": "2"}
    )
    assert restore.status_code == 302
    answer = Answer.objects.get(item=item)
    assert (answer.version, answer.data["position"]) == (3, "yes")
    assert AnswerRevision.objects.get(answer=answer, version=3).source == "restore"


def test_the_french_history_names_the_language_and_the_source_in_french(client, world):
    """It read "rédigée en English" and an untranslated "restore"."""
    world.member_a.preferred_language = "fr"
    world.member_a.save()
    client.force_login(world.member_a)
    item = world.items[0]
    htmx_post(client, save_url(world, item), {"base_version": "0", "f-position": "yes", "_language": "en"})
    htmx_post(client, save_url(world, item), {"base_version": "1", "f-position": "no", "_language": "fr"})
    client.post(
        reverse("consultation:answer_restore", args=[world.consultation.slug, item.code, 1]), {"base_version": "2"}
    )
    html = client.get(reverse("consultation:answer_history", args=[world.consultation.slug, item.code])).content
    html = html.decode()
    assert html.count("rédigée en anglais") == 2  # versions 1 and 3 (the restored one)
    assert html.count("rédigée en français") == 1
    assert "English" not in html.split('id="lang-select"')[1].split("</select>")[1]  # only the language switcher
    assert "· restaurée depuis une version antérieure" in html
    assert "· restore" not in html


def test_other_roles_get_404_on_the_delegation_reply(client, world):
    for user in (world.secretariat, world.committee):
        enrol_totp(user)
        client.force_login(user)
        assert client.get(reverse("consultation:reply", args=[world.consultation.slug])).status_code == 404


def test_review_lists_missing_required_fields_with_links(member, world):
    page = member.get(reverse("consultation:review", args=[world.consultation.slug]))
    html = page.content.decode()
    assert page.status_code == 200
    assert f"#i{world.items[0].pk}-position" in html
    assert "2 required fields have no answer yet" in html


def test_the_review_drops_the_still_empty_heading_when_nothing_is_missing(member, world):
    reply = response_get_or_create(consultation=world.consultation, party=world.party_a)
    for item in world.items:
        answer_save(response=reply, item=item, data={"position": "yes"}, base_version=0, user=world.member_a)
    html = member.get(reverse("consultation:review", args=[world.consultation.slug])).content.decode()
    assert "Required fields still empty" not in html
    assert '<h2 id="missing-h">Required fields</h2>' in html
    assert "Every required field has an answer." in html


def test_a_member_cannot_submit_but_can_mark_ready(member, world):
    url = reverse("consultation:submit", args=[world.consultation.slug])
    assert member.post(url, {"confirm": "on"}).status_code == 403
    member.post(reverse("consultation:mark_ready", args=[world.consultation.slug]))
    assert Response.objects.get(party=world.party_a).status == "ready"


def test_the_head_submits_after_confirming_and_the_reply_is_locked(head, world):
    reply = response_get_or_create(consultation=world.consultation, party=world.party_a)
    url = reverse("consultation:submit", args=[world.consultation.slug])
    refused = head.post(url, {"confirm": "on"})
    assert refused.status_code == 422
    assert "GENAI-01 – Position" in refused.content.decode()
    for item in world.items:
        answer_save(response=reply, item=item, data={"position": "yes"}, base_version=0, user=world.member_a)
    assert head.post(url, {}).status_code == 422
    assert head.post(url, {"confirm": "on"}).status_code == 302
    reply.refresh_from_db()
    assert (reply.status, reply.submitted_by) == ("submitted", world.head_a)
    locked = htmx_post(head, save_url(world, world.items[0]), {"base_version": "1", "f-position": "no"})
    assert locked.status_code == 423
    assert "submitted" in locked.content.decode()


def test_home_lists_deadline_progress_and_latest_edits(member, world, django_assert_max_num_queries):
    reply = response_get_or_create(consultation=world.consultation, party=world.party_a)
    answer_save(response=reply, item=world.items[0], data={"position": "yes"}, base_version=0, user=world.member_a)
    member.get(reverse("consultation:home"))  # the first request also records the browser session
    other = f.ConsultationFactory()
    f.position_item(other, code="OTHER-01")
    with django_assert_max_num_queries(17):  # 10 for session, user and roles; 3 for the page itself
        page = member.get(reverse("consultation:home"))
    html = page.content.decode()
    assert "1 of 2 items answered" in html
    assert "30 days left" in html
    assert "GENAI-01" in html
    assert "you" in html


def test_reopen_reason_is_shown_to_the_delegation(member, world):
    reply = response_get_or_create(consultation=world.consultation, party=world.party_a)
    Response.objects.filter(pk=reply.pk).update(status="reopened", reopen_reason="Please add 2023 statistics.")
    html = member.get(reverse("consultation:reply", args=[world.consultation.slug])).content.decode()
    assert "Please add 2023 statistics." in html


def test_after_the_deadline_the_reply_page_is_read_only(member, world):
    world.consultation.closes_on = timezone.localdate() - datetime.timedelta(days=1)
    world.consultation.save()
    html = member.get(reverse("consultation:reply", args=[world.consultation.slug])).content.decode()
    assert "Editing is locked." in html
    assert "hx-post" not in html


def test_french_interface_shows_fallback_and_unofficial_markers(client, world):
    from django.utils import translation
    from django.utils.translation import gettext

    world.member_a.preferred_language = "fr"
    world.member_a.save()
    missing, unofficial = world.items
    missing.text_fr = ""
    missing.save()
    unofficial.translation_status = "unofficial"
    unofficial.save()
    client.force_login(world.member_a)
    html = client.get(reverse("consultation:reply", args=[world.consultation.slug])).content.decode()
    with translation.override("fr"):
        fallback_marker = gettext("(English text — no French translation yet)")
        unofficial_marker = gettext("Unofficial translation")
    assert html.count(fallback_marker) == 1
    assert missing.text_en in html
    assert unofficial.text_fr in html
    assert html.count(f'<p class="translation-marker">{unofficial_marker}</p>') == 1


def test_article_page_lists_items_citing_it(member, world):
    page = member.get(reverse("consultation:article", args=[20]))
    assert page.status_code == 200
    assert "GENAI-01" in page.content.decode()
    assert "ROBOT-01" in page.content.decode()


def test_reply_page_queries_do_not_grow_with_items(member, world, background_paper):
    """The same number of queries for the small consultation on one page (2 items), a page of 5 items of the real
    consultation, and a full page of 100 items."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response_get_or_create(consultation=world.consultation, party=world.party_a)
    reply = response_get_or_create(consultation=background_paper, party=world.party_a)
    first = background_paper.items.get(code="GENAI-02")
    answer_save(response=reply, item=first, data={"position": "yes"}, base_version=0, user=world.member_a)
    theme = f.ThemeFactory(code="extra-theme")
    for n in range(120):
        f.position_item(background_paper, code=f"EXTRA-{n:03d}", theme=theme, articles=[20])
    pages = [
        (reverse("consultation:reply", args=[world.consultation.slug]), {}, 2),
        (reverse("consultation:reply", args=[background_paper.slug]), {"theme": "generative-ai"}, 5),
        (reverse("consultation:reply", args=[background_paper.slug]), {"theme": "extra-theme"}, 100),
        (reverse("consultation:reply", args=[background_paper.slug]), {"theme": "extra-theme", "page": "2"}, 20),
    ]
    member.get(pages[0][0])
    for url, query, items in pages:
        with CaptureQueriesContext(connection) as queries:
            page = member.get(url, query)
        assert page.status_code == 200
        assert page.content.decode().count('class="item"') == items
        assert len(queries.captured_queries) == REPLY_PAGE_QUERIES, (query, items)


def test_large_consultations_show_one_theme_section_at_a_time(member, world, monkeypatch):
    from consultation.selectors.workspace import paging

    monkeypatch.setattr(paging, "REPLY_PAGE_MAX_ITEMS", 1)
    url = reverse("consultation:reply", args=[world.consultation.slug])
    first = member.get(url).content.decode()
    assert first.count('class="item"') == 1
    assert "GENAI-01" in first
    assert "?theme=robotics" in first
    second = member.get(url, {"theme": "robotics"}).content.decode()
    assert second.count('class="item"') == 1
    assert "ROBOT-01" in second


def test_an_autosave_costs_the_same_queries_whatever_the_size_of_the_consultation(
    member, world, background_paper, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small_item = world.items[0]
    htmx_post(member, save_url(world, small_item), {"base_version": "0", "f-position": "yes"})
    with CaptureQueriesContext(connection) as small:
        response = htmx_post(member, save_url(world, small_item), {"base_version": "1", "f-position": "no"})
    assert response.status_code == 200
    small_count = len(small.captured_queries)  # read now: the next request resets the query log
    large_url = reverse("consultation:answer_save", args=[background_paper.slug, "GENAI-02"])
    htmx_post(member, large_url, {"base_version": "0", "f-position": "yes"})
    with django_assert_max_num_queries(small_count):
        assert htmx_post(member, large_url, {"base_version": "1", "f-position": "no"}).status_code == 200


def test_the_review_page_renders_in_constant_queries(member, world, background_paper, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("consultation:review", args=[background_paper.slug])
    member.get(url)
    with CaptureQueriesContext(connection) as small:
        member.get(url)
    small_count = len(small.captured_queries)
    theme = f.ThemeFactory(code="more-theme")
    for n in range(20):
        f.position_item(background_paper, code=f"MORE-{n:02d}", theme=theme, articles=[21])
    with django_assert_max_num_queries(small_count):
        page = member.get(url)
    assert page.content.decode().count("ws-readonly__item") == 43


def test_an_expired_session_gets_a_clear_autosave_message_not_the_login_page(client, world):
    response = htmx_post(client, save_url(world, world.items[0]), {"base_version": "0", "f-position": "yes"})
    assert response.status_code == 401
    assert "Your session has ended" in response.content.decode()
    assert not Answer.objects.exists()


def test_ranking_and_legal_references_are_read_from_the_plain_form(member, world, background_paper):
    url = reverse("consultation:answer_save", args=[background_paper.slug, "GENAI-01"])
    data = {
        "base_version": "0",
        "_language": "fr",
        "f-impact_ranking__rank__offline": "2",
        "f-impact_ranking__rank__solicitation": "1",
        "f-impact_ranking__rank__misused_csgsiv": "4",
        "f-impact_ranking__rank__ai_generated": "3",
        "f-legal_references__instrument": ["Code pénal", "", ""],
        "f-legal_references__provision": ["art. 227-23", "", ""],
        "f-legal_references__url": ["https://www.legifrance.gouv.fr/", "", ""],
    }
    assert member.post(url, data).status_code == 302
    answer = Answer.objects.get(item__code="GENAI-01")
    assert answer.data == {
        "impact_ranking": ["solicitation", "offline", "ai_generated", "misused_csgsiv"],
        "legal_references": [
            {"instrument": "Code pénal", "provision": "art. 227-23", "url": "https://www.legifrance.gouv.fr/"}
        ],
    }
    assert answer.language == "fr"


def test_an_incomplete_ranking_is_refused_and_the_typed_ranks_stay(member, world, background_paper):
    url = reverse("consultation:answer_save", args=[background_paper.slug, "GENAI-01"])
    data = {"base_version": "0", "f-impact_ranking__rank__offline": "1", "f-impact_ranking__rank__solicitation": "1"}
    response = member.post(url, data)
    assert response.status_code == 422
    html = response.content.decode()
    assert "Give each option a different rank, from 1 to 4." in html
    assert '<option value="1" selected>1</option>' in html
    assert not Answer.objects.exists()


def test_without_javascript_a_conflict_shows_a_full_page_with_both_versions(member, world):
    item = world.items[0]
    reply = response_get_or_create(consultation=world.consultation, party=world.party_a)
    answer_save(response=reply, item=item, data={"explanation": "Theirs"}, base_version=0, user=world.head_a)
    response = member.post(save_url(world, item), {"base_version": "0", "f-explanation": "Mine"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved this answer while you were editing" in html
    assert ">Mine</textarea>" in html


def test_a_consultation_of_1000_items_is_answered_page_by_page(member, world, django_assert_max_num_queries):
    from consultation.models import Field, Item

    consultation = f.ConsultationFactory(slug="thousand")
    theme = f.ThemeFactory(code="all-articles")
    Item.objects.bulk_create(
        Item(consultation=consultation, code=f"Q-{n:04d}", theme=theme, order=n, text_en=f"Question {n}")
        for n in range(1, 1001)
    )
    Field.objects.bulk_create(
        Field(item=item, key="answer", type="text", label_en="Answer", order=1)
        for item in Item.objects.filter(consultation=consultation)
    )
    url = reverse("consultation:reply", args=[consultation.slug])
    member.get(url)
    with django_assert_max_num_queries(REPLY_PAGE_QUERIES):
        page = member.get(url, {"theme": "all-articles", "page": "10"})
    html = page.content.decode()
    assert html.count('class="item"') == 100  # 10 pages of 100 (one text field each: 3 values per item)
    assert "Page 10 of 10" in html
    assert "Q-0900" not in html
    assert "Q-0901" in html
    assert "Q-1000" in html
    save = htmx_post(
        member,
        reverse("consultation:answer_save", args=[consultation.slug, "Q-1000"]),
        {"base_version": "0", "f-answer": "Covered by the Criminal Code."},
    )
    assert save.status_code == 200
    assert Answer.objects.get(item__code="Q-1000").data == {"answer": "Covered by the Criminal Code."}


def test_reply_page_and_home_link_to_the_offline_round_trip(member, world):
    offline = reverse("offline:index", args=[world.consultation.slug])
    assert f'href="{offline}"' in member.get(reverse("consultation:reply", args=[world.consultation.slug])).text
    assert f'href="{offline}"' in member.get(reverse("consultation:home")).text
