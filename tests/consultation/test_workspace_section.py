"""The reply page's section form: every item of a page saved in one request, all or nothing, with and without
JavaScript; the pages cut so that the form never posts more values than Django accepts; the item autosave with the
section form's prefixed names."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from consultation.answer_values import LEGAL_REFERENCE_MAX_ROWS
from consultation.models import (
    Answer,
    AnswerChoice,
    AnswerRevision,
    AnswerValue,
    Item,
    LegalReference,
    Response,
)
from consultation.selectors import workspace as selectors
from consultation.services.answers import answer_save, response_get_or_create
from consultation.services.attachments import attachment_add
from tests import factories as f
from tests.access.helpers import login_with_mfa
from tests.consultation.offline_world import all_types_item
from tests.consultation.section_form import section_form, section_form_post

pytestmark = pytest.mark.django_db

# 6 for the session, user, roles, consultation and reply; 3 for the posted items with their fields and options;
# 13 for answers_save_section (its savepoint and 11 statements: it reuses the items' fields and options read by the
# view). Not here: 1 for the documents' ids when an item of
# the page has an attachment field, 1 for the reply on the very first save, 2 for a transaction around several
# section saves when the page's answers are written in several languages. The message goes in a cookie.
SECTION_SAVE_QUERIES = 22


@pytest.fixture
def member(client, world):
    client.force_login(world.member_a)
    return client


@pytest.fixture
def reply(world):
    return response_get_or_create(consultation=world.consultation, party=world.party_a)


def reply_url(consultation, **query):
    url = reverse("consultation:reply", args=[consultation.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def section_url(consultation, **query):
    url = reverse("consultation:section_save", args=[consultation.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def theme_of(consultation, code, count, *, start=0):
    theme = f.ThemeFactory(code=code)
    return [f.position_item(consultation, code=f"{code.upper()}-{n:03d}", theme=theme) for n in range(start, count)]


def table_counts():
    return {
        model.__name__: model.objects.count()
        for model in (Answer, AnswerRevision, AnswerChoice, AnswerValue, LegalReference, Response)
    }


def p(item, name):
    """An input name of the section form."""
    return f"i{item.pk}-{name}"


# --- Saving a page ---------------------------------------------------------------------------------------------


def test_a_section_save_writes_exactly_the_changed_answers_one_revision_each(member, world, reply):
    genai, robot = world.items
    extra = theme_of(world.consultation, "extra", 3)
    answer_save(response=reply, item=genai, data={"position": "no"}, base_version=0, user=world.head_a)
    untouched = answer_save(
        response=reply,
        item=extra[0],
        data={"position": "yes", "explanation": "Act 12"},
        base_version=0,
        user=world.head_a,
    )
    page = member.get(reply_url(world.consultation))
    action, body = section_form_post(
        page.content.decode(),
        {
            p(genai, "f-position"): "partially",
            p(genai, "f-explanation"): "Criminal Code, s. 201.",
            p(robot, "f-explanation"): "Under review by the Ministry of Justice.",
        },
    )
    assert action == section_url(world.consultation)
    assert body[p(genai, "base_version")] == ["1"]
    assert body[p(extra[0], "f-explanation")] == ["Act 12"]  # the page posts every item, changed or not

    response = member.post(action, body)

    assert response.status_code == 302
    assert response["Location"] == reply_url(world.consultation)
    answers = {a.item.code: a for a in Answer.objects.filter(response=reply).select_related("item", "updated_by")}
    assert sorted(answers) == ["EXTRA-000", "GENAI-01", "ROBOT-01"]  # blank items never answered stay unanswered
    assert (answers["GENAI-01"].version, answers["GENAI-01"].data) == (
        2,
        {"position": "partially", "explanation": "Criminal Code, s. 201."},
    )
    assert (answers["ROBOT-01"].version, answers["ROBOT-01"].data) == (
        1,
        {"explanation": "Under review by the Ministry of Justice."},
    )
    assert answers["GENAI-01"].updated_by == world.member_a
    kept = answers["EXTRA-000"]
    assert (kept.version, kept.updated_at, kept.updated_by) == (1, untouched.updated_at, world.head_a)
    revisions = sorted(
        AnswerRevision.objects.filter(answer__response=reply).values_list("answer__item__code", "version")
    )
    assert revisions == [("EXTRA-000", 1), ("GENAI-01", 1), ("GENAI-01", 2), ("ROBOT-01", 1)]
    shown = member.get(response["Location"]).content.decode()
    assert "2 answers saved." in shown
    assert "Under review by the Ministry of Justice." in shown


def test_saving_an_unchanged_page_writes_nothing_and_says_so(member, world, reply):
    answer_save(response=reply, item=world.items[0], data={"position": "yes"}, base_version=0, user=world.member_a)
    action, body = section_form_post(member.get(reply_url(world.consultation)).content.decode())
    before = table_counts()
    response = member.post(action, body, follow=True)
    assert response.status_code == 200
    assert "Nothing to save: no answer on this page has changed." in response.content.decode()
    assert table_counts() == before


def test_a_section_save_goes_back_to_the_same_theme_and_page(member, world, reply):
    items = theme_of(world.consultation, "bulk", 120)  # 122 items: paginated, 100 per page
    url = reply_url(world.consultation, theme="bulk", page=2)
    action, body = section_form_post(member.get(url).content.decode(), {p(items[110], "f-position"): "yes"})
    assert action == section_url(world.consultation, theme="bulk", page=2)
    assert len({name.split("-")[0] for name in body if name.startswith("i")}) == 20
    response = member.post(action, body)
    assert response.status_code == 302
    assert response["Location"] == url
    assert Answer.objects.get(item=items[110]).data == {"position": "yes"}


def test_each_answer_keeps_the_language_chosen_for_it(member, world, reply):
    genai, robot = world.items
    action, body = section_form_post(
        member.get(reply_url(world.consultation)).content.decode(),
        {
            p(genai, "f-explanation"): "Code pénal, art. 227-23.",
            p(genai, "_language"): "fr",
            p(robot, "f-explanation"): "Criminal Code, s. 184b.",
            p(robot, "_language"): "en",
        },
    )
    assert member.post(action, body).status_code == 302
    assert dict(Answer.objects.values_list("item__code", "language")) == {"GENAI-01": "fr", "ROBOT-01": "en"}
    assert AnswerRevision.objects.count() == 2


def test_documents_attached_to_an_answer_stay_when_the_page_is_saved(member, world, reply):
    tech = all_types_item(world.consultation)
    upload = SimpleUploadedFile("law.pdf", b"%PDF-1.7\n%%EOF\n", content_type="application/pdf")
    document = attachment_add(response=reply, item=tech, field_key="evidence", upload=upload, user=world.member_a)
    page = member.get(reply_url(world.consultation, theme="iot")).content.decode()
    assert f'name="{p(tech, "f-evidence")}"' not in page  # files have their own forms
    action, body = section_form_post(page, {p(tech, "f-explanation"): "National action plan."})
    assert member.post(action, body).status_code == 302
    answer = Answer.objects.get(item=tech)
    assert answer.data == {"explanation": "National action plan.", "evidence": [document.pk]}
    assert answer.version == 2


def test_every_field_type_is_read_from_the_section_form(member, world, reply):
    tech = all_types_item(world.consultation)
    page = member.get(reply_url(world.consultation, theme="iot")).content.decode()
    action, body = section_form_post(
        page,
        {
            p(tech, "f-position"): "yes",
            p(tech, "f-measures"): ["law", "training"],
            p(tech, "f-priorities__rank__prevention"): "2",
            p(tech, "f-priorities__rank__detection"): "1",
            p(tech, "f-priorities__rank__prosecution"): "3",
            p(tech, "f-cases"): "1 250,5",
            p(tech, "f-references__instrument"): ["Criminal Code", "", ""],
            p(tech, "f-references__provision"): ["Art. 227-22", "", ""],
            p(tech, "f-references__url"): ["https://example.org/cc", "", ""],
        },
    )
    assert member.post(action, body).status_code == 302
    assert Answer.objects.get(item=tech).data == {
        "position": "yes",
        "measures": ["law", "training"],
        "priorities": ["detection", "prevention", "prosecution"],
        "cases": "1250.5",
        "references": [{"instrument": "Criminal Code", "provision": "Art. 227-22", "url": "https://example.org/cc"}],
    }


@pytest.mark.parametrize("size", [5, 60])
def test_a_section_save_costs_the_same_queries_for_5_and_60_items(member, world, reply, size):
    items = theme_of(world.consultation, "sized", size)
    for item in items[::2]:
        answer_save(response=reply, item=item, data={"position": "no"}, base_version=0, user=world.member_a)
    action, body = section_form_post(
        member.get(reply_url(world.consultation, theme="sized")).content.decode(),
        {p(item, "f-explanation"): f"Act {n}" for n, item in enumerate(items)},
    )
    with CaptureQueriesContext(connection) as queries:
        response = member.post(action, body)
    assert response.status_code == 302
    assert len(queries.captured_queries) == SECTION_SAVE_QUERIES
    assert Answer.objects.filter(response=reply, item__in=items).count() == size
    assert AnswerRevision.objects.filter(answer__item__in=items).count() == size + len(items[::2])


# --- Refusals: nothing written --------------------------------------------------------------------------------


def test_invalid_values_get_422_with_each_error_at_its_item_and_nothing_written(member, world, reply):
    tech = all_types_item(world.consultation)
    f.position_item(world.consultation, code="IOT-02", theme=tech.theme)
    page = member.get(reply_url(world.consultation, theme="iot")).content.decode()
    action, body = section_form_post(
        page,
        {
            p(tech, "f-explanation"): "Kept after the refusal.",
            p(tech, "f-cases"): "many",
            p(tech, "f-references__instrument"): ["", "", ""],
            p(tech, "f-references__provision"): ["art. 3", "", ""],
        },
    )
    before = table_counts()
    response = member.post(action, body)
    assert response.status_code == 422
    assert table_counts() == before
    html = response.content.decode()
    assert "Nothing was saved: 2 fields need correcting (marked below)." in html
    assert "“many” is not a number." in html
    assert "Row 1: name the instrument (law, code, decree)." in html
    assert f'<span class="field__error" id="i{tech.pk}-cases-error">“many” is not a number.</span>' in html
    assert ">Kept after the refusal.</textarea>" in html
    assert 'value="many"' in html
    assert f'<a href="#item-{tech.pk}">TECH-01</a>' in html
    # The refused page is still the section form, with the values as posted: correcting and saving again works.
    again_action, again = section_form_post(
        html, {p(tech, "f-cases"): "12", p(tech, "f-references__instrument"): ["Law 5", "", ""]}
    )
    assert again_action == action
    assert member.post(again_action, again).status_code == 302
    assert Answer.objects.get(item=tech).data["cases"] == "12"


def test_ranks_that_cannot_be_read_get_422_and_the_typed_ranks_stay(member, world, reply):
    tech = all_types_item(world.consultation)
    action, body = section_form_post(
        member.get(reply_url(world.consultation, theme="iot")).content.decode(),
        {p(tech, "f-priorities__rank__prevention"): "1", p(tech, "f-priorities__rank__detection"): "1"},
    )
    before = table_counts()
    response = member.post(action, body)
    assert response.status_code == 422
    assert table_counts() == before
    assert "Give each option a different rank, from 1 to 3." in response.content.decode()


def test_a_stale_item_gets_409_nothing_is_written_and_a_second_save_overwrites_deliberately(member, world, reply):
    genai, robot = world.items
    page = member.get(reply_url(world.consultation)).content.decode()
    colleague = answer_save(
        response=reply, item=genai, data={"explanation": "Theirs"}, base_version=0, user=world.head_a
    )
    action, body = section_form_post(page, {p(genai, "f-explanation"): "Mine", p(robot, "f-explanation"): "Also mine"})
    before = table_counts()
    response = member.post(action, body)
    assert response.status_code == 409
    assert table_counts() == before
    assert not Answer.objects.filter(item=robot).exists()
    html = response.content.decode()
    assert "Nothing was saved: 1 answer on this page was saved by someone else since you opened it (GENAI-01)." in html
    when = timezone.localtime(colleague.updated_at).strftime("%-d %B, %H:%M")
    assert f"{world.head_a.display_name} saved version 1 on {when}." in html
    assert "Nothing on this page was saved: your text is still in the fields above." in html
    assert ">Mine</textarea>" in html
    assert ">Also mine</textarea>" in html
    assert "Theirs" in html  # their version, beside mine
    assert "press “Save all answers on this page” again: it will replace version 1" in html
    # The conflicting item now goes on from their version; the others from what was posted.
    retry_action, retry = section_form_post(html)
    assert retry[p(genai, "base_version")] == ["1"]
    assert retry[p(robot, "base_version")] == ["0"]
    assert member.post(retry_action, retry).status_code == 302
    assert Answer.objects.get(item=genai).data == {"explanation": "Mine"}
    assert Answer.objects.get(item=genai).version == 2
    assert Answer.objects.get(item=robot).data == {"explanation": "Also mine"}


def test_a_conflict_of_ones_own_other_tab_says_so(member, world, reply):
    genai = world.items[0]
    page = member.get(reply_url(world.consultation)).content.decode()
    answer_save(response=reply, item=genai, data={"explanation": "Tab 1"}, base_version=0, user=world.member_a)
    action, body = section_form_post(page, {p(genai, "f-explanation"): "Tab 2"})
    response = member.post(action, body)
    assert response.status_code == 409
    assert "You saved version 1 on" in response.content.decode()


@pytest.mark.parametrize("lock", ["submitted", "deadline"])
def test_a_locked_reply_gets_423_and_nothing_is_written(member, world, reply, lock):
    action, body = section_form_post(
        member.get(reply_url(world.consultation)).content.decode(),
        {p(world.items[0], "f-explanation"): "Too late"},
    )
    if lock == "submitted":
        Response.objects.filter(pk=reply.pk).update(status="submitted", submitted_at=timezone.now())
        reason = "The reply has been submitted; the Secretariat can reopen it."
    else:
        world.consultation.closes_on = timezone.localdate() - datetime.timedelta(days=1)
        world.consultation.save()
        reason = f"The deadline ({world.consultation.closes_on.isoformat()}) has passed"
    before = table_counts()
    response = member.post(action, body)
    assert response.status_code == 423
    assert table_counts() == before
    html = response.content.decode()
    assert f"Nothing was saved: {reason}" in html
    assert ">Too late</textarea>" in html  # still there to copy


def test_items_of_another_consultation_or_of_none_get_400_and_nothing_is_written(member, world, reply):
    other = f.ConsultationFactory(slug="other-consultation")
    foreign = f.position_item(other, code="FOREIGN-01")
    url = reverse("consultation:section_save", args=[world.consultation.slug])
    genai = world.items[0]
    before = table_counts()
    for stranger in (foreign.pk, 999_999):
        body = {
            p(genai, "base_version"): "0",
            p(genai, "f-explanation"): "Mine",
            f"i{stranger}-base_version": "0",
            f"i{stranger}-f-explanation": "Elsewhere",
        }
        response = member.post(url, body)
        assert response.status_code == 400
        assert "the form holds answers to questions that are not part of this consultation" in (
            response.content.decode()
        )
    assert member.post(url, {p(genai, "f-explanation"): "No version"}).status_code == 400
    assert table_counts() == before


def test_the_secretariat_cannot_save_a_section_and_the_denial_is_logged(client, world, reply):
    login_with_mfa(client, world.secretariat)
    genai = world.items[0]
    url = reverse("consultation:section_save", args=[world.consultation.slug])
    response = client.post(url, {p(genai, "base_version"): "0", p(genai, "f-explanation"): "Secretariat"})
    assert response.status_code == 404
    denial = AuditEvent.objects.get(event_type="access.denied")
    assert (denial.actor, denial.path, denial.extra["reason"]) == (world.secretariat, url, "reply.open")
    assert not Answer.objects.exists()


def test_another_partys_delegate_saves_only_into_their_own_reply(client, world, reply):
    """No URL names a Party: a delegate of Germany posting France's page writes Germany's reply, never France's."""
    genai = world.items[0]
    answer_save(response=reply, item=genai, data={"explanation": "France"}, base_version=0, user=world.member_a)
    client.force_login(world.member_b)
    url = reverse("consultation:section_save", args=[world.consultation.slug])
    response = client.post(url, {p(genai, "base_version"): "0", p(genai, "f-explanation"): "Germany"})
    assert response.status_code == 302
    assert Answer.objects.get(response=reply).data == {"explanation": "France"}
    assert Answer.objects.get(response__party=world.party_b).data == {"explanation": "Germany"}


def test_a_get_is_refused(member, world):
    assert member.get(reverse("consultation:section_save", args=[world.consultation.slug])).status_code == 405


# --- Pages cut to the section form's budget ---------------------------------------------------------------------


def legal_item(consultation, theme, code):
    item = f.ItemFactory(consultation=consultation, code=code, theme=theme)
    f.FieldFactory(item=item, key="explanation", type="text", order=1, label_en="Explanation")
    f.FieldFactory(item=item, key="laws", type="legal_references", order=2, label_en="Laws")
    return item


def test_the_cost_of_an_item_counts_every_value_its_inputs_can_post(world):
    tech = all_types_item(world.consultation)
    # base version + language; position 1; measures 3 options; priorities 3 ranks; explanation 1; cases 1;
    # references 3 x 50 rows; the document field posts nothing.
    costs = {pk: cost for pk, _theme, cost in selectors.item_post_costs(consultation_id=world.consultation.pk)}
    assert costs[tech.pk] == 2 + 1 + 3 + 3 + 1 + 1 + 3 * LEGAL_REFERENCE_MAX_ROWS
    assert costs == {tech.pk: 161, world.items[0].pk: 4, world.items[1].pk: 4}


def test_a_theme_whose_items_post_many_values_gets_more_pages_each_within_the_budget(member, world, reply):
    theme = f.ThemeFactory(code="laws")
    items = [legal_item(world.consultation, theme, f"LAW-{n:02d}") for n in range(12)]
    # 153 values each: 5 items (765) fit in the budget of 900, 6 (918) do not.
    assert selectors.section_pages([(item.pk, 153) for item in items]) == [
        [item.pk for item in items[0:5]],
        [item.pk for item in items[5:10]],
        [item.pk for item in items[10:12]],
    ]
    html = member.get(reply_url(world.consultation, theme="laws")).content.decode()
    assert "Page 1 of 3" in html
    for page in (1, 2, 3):
        context = selectors.reply_page(consultation=world.consultation, response=reply, theme_code="laws", page=page)
        assert context.post_cost <= selectors.SECTION_FIELD_BUDGET
        rendered = section_form(member.get(reply_url(world.consultation, theme="laws", page=page)).content.decode())
        assert rendered.inputs <= context.post_cost
    # The first page filled to the brim: every legal reference row the server accepts, on every item.
    page = member.get(reply_url(world.consultation, theme="laws")).content.decode()
    rows = LEGAL_REFERENCE_MAX_ROWS
    changes = {}
    for item in items[:5]:
        changes[p(item, "f-explanation")] = "See the laws listed."
        changes[p(item, "f-laws__instrument")] = [f"Law {n}" for n in range(rows)]
        changes[p(item, "f-laws__provision")] = [f"Art. {n}" for n in range(rows)]
        changes[p(item, "f-laws__url")] = [f"https://example.org/{n}" for n in range(rows)]
    action, body = section_form_post(page, changes)
    assert sum(len(values) for values in body.values()) == 5 * 153 + 1  # and the CSRF token
    response = member.post(action, body)
    assert response.status_code == 302
    assert LegalReference.objects.filter(answer__response=reply).count() == 5 * rows


def test_no_page_holds_more_than_100_items(member, world):
    theme_of(world.consultation, "wide", 250)
    pages = [
        selectors.reply_page(consultation=world.consultation, response=Response(), theme_code="wide", page=n)
        for n in (1, 2, 3)
    ]
    assert [page.item_count for page in pages] == [100, 100, 50]
    assert {page.page_count for page in pages} == {3}


def test_an_item_above_the_budget_on_its_own_gets_a_page_to_itself(world):
    assert selectors.section_pages([(1, 100), (2, 1200), (3, 100)]) == [[1], [2], [3]]


def test_more_values_than_django_accepts_get_a_clear_400_page(member, world, settings):
    url = reverse("consultation:section_save", args=[world.consultation.slug])
    body = {f"i{world.items[0].pk}-f-x{n}": "1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    before = table_counts()
    response = member.post(url, body)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was saved: the page sent more at once than the server accepts" in html
    assert "<html" in html  # the platform's page, not Django's bare "Bad Request (400)"
    fragment = member.post(url, body, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 400
    assert fragment.content.decode().startswith('<span class="save-status--error" role="alert">Nothing was saved')
    assert table_counts() == before


# --- The item autosave with the section form's names ------------------------------------------------------------


def save_url(world, item):
    return reverse("consultation:answer_save", args=[world.consultation.slug, item.code])


def test_the_item_autosave_reads_the_prefixed_names_of_its_own_item(member, world):
    genai = world.items[0]
    body = {
        p(genai, "base_version"): "0",
        p(genai, "_language"): "fr",
        p(genai, "f-position"): "yes",
        p(genai, "f-explanation"): "Code pénal",
    }
    response = member.post(save_url(world, genai), body, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'name="{p(genai, "base_version")}" id="base-{genai.pk}" value="1" form="section-form" hx-swap-oob' in html
    answer = Answer.objects.get(item=genai)
    assert (answer.data, answer.language) == ({"position": "yes", "explanation": "Code pénal"}, "fr")


def test_the_item_autosave_ignores_another_items_names(member, world):
    genai, robot = world.items
    body = {p(robot, "base_version"): "0", p(robot, "f-explanation"): "Robot"}
    response = member.post(save_url(world, genai), body, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert not Answer.objects.exists()


def test_an_autosave_conflict_offers_forms_that_post_the_bare_names(member, world, reply):
    genai = world.items[0]
    answer_save(response=reply, item=genai, data={"explanation": "Theirs"}, base_version=0, user=world.head_a)
    body = {p(genai, "base_version"): "0", p(genai, "f-position"): "yes", p(genai, "f-explanation"): "Mine"}
    response = member.post(save_url(world, genai), body, HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    html = response.content.decode()
    assert '<input type="hidden" name="f-explanation" value="Mine">' in html
    assert '<input type="hidden" name="f-position" value="yes">' in html
    assert f'name="i{genai.pk}-' not in html
    keep = {"f-position": "yes", "f-explanation": "Mine", "base_version": "1", "_resolve": "mine"}
    assert member.post(save_url(world, genai), keep, HTTP_HX_REQUEST="true").status_code == 200
    assert Answer.objects.get(item=genai).data == {"position": "yes", "explanation": "Mine"}


def test_the_item_page_without_javascript_is_its_own_form(member, world):
    html = member.get(reverse("consultation:item", args=[world.consultation.slug, world.items[0].code])).content
    action, body = section_form_post(html.decode(), {p(world.items[0], "f-explanation"): "Alone"})
    assert action == save_url(world, world.items[0])
    assert member.post(action, body).status_code == 302
    assert Answer.objects.get(item=world.items[0]).data == {"explanation": "Alone"}


def test_every_answer_input_of_the_page_belongs_to_the_section_form(member, world):
    tech = all_types_item(world.consultation)
    html = member.get(reply_url(world.consultation, theme="iot")).content.decode()
    parsed = section_form(html)
    # base version, language, position (4 radios), measures (3), priorities (3 selects), explanation, cases,
    # references (3 blank rows of 3); and the CSRF token inside the form itself
    assert parsed.inputs == 2 + 4 + 3 + 3 + 1 + 1 + 9 + 1
    assert html.count('form="section-form"') == parsed.inputs - 1 + 2  # and the item's and the bottom Save buttons
    assert html.count("<form") == 3 + 1  # the language switch, sign-out, the section form and the upload form
    assert f'hx-post="{save_url(world, tech)}" hx-include="this"' in html
    assert "{#" not in html  # no template comment leaks into the page
    assert Item.objects.count() == 3


def test_the_item_urls_built_on_the_page_are_those_of_the_url_configuration(member, world, reply):
    item = f.position_item(world.consultation, code="Q 1.2 (b)", theme=f.ThemeFactory(code="odd"))
    answer_save(response=reply, item=item, data={"position": "yes"}, base_version=0, user=world.member_a)
    save = reverse("consultation:answer_save", args=[world.consultation.slug, item.code])
    history = reverse("consultation:answer_history", args=[world.consultation.slug, item.code])
    assert save.endswith("/items/Q%201.2%20(b)/")
    html = member.get(reply_url(world.consultation, theme="odd")).content.decode()
    assert f'hx-post="{save}"' in html
    assert f'href="{history}"' in html
    body = {p(item, "base_version"): "1", p(item, "f-position"): "no"}
    assert member.post(save, body, HTTP_HX_REQUEST="true").status_code == 200
    assert f'hx-post="{save}"' in member.get(save, HTTP_HX_REQUEST="true").content.decode()
