"""The state of play's cache: every save through the services shows on the very next request, a cached render costs
fewer queries (exactly), two consultations never share an entry, and the one-minute expiry is the only delay for a
write that goes round the services."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.cache import cache
from django.db.models import F
from django.utils import timezone

from consultation.models import Answer, Item, Party, Theme
from consultation.selectors.offline import reply_document_get
from consultation.selectors.state_of_play import CACHE_SECONDS, clean_filters, state_of_play
from consultation.services.answers import SectionChange, answer_save, answers_save_section, response_get_or_create
from consultation.services.lifecycle import response_extend_deadline
from consultation.services.offline import offline_import_apply, offline_import_preview, offline_workbook_export
from consultation.services.responses import response_reopen, response_submit
from tests import factories as f
from tests.consultation.offline_world import set_value, to_bytes, workbook
from tests.secretariat.conftest import sop_cells as _cells
from tests.secretariat.conftest import sop_get as _get
from tests.secretariat.conftest import sop_row as _row
from tests.secretariat.conftest import sop_url as _url

pytestmark = pytest.mark.django_db

# Every signed-in page: session, user, delegation, roles, MFA (5); the state of play reads the consultation, the
# themes with their item totals and the Parties with their reply on every request (3). Counting the answers per
# Party and theme and the least-answered items takes 2 more, only when the cached counts are not current.
CACHED, COUNTED = 8, 10


def _progress(page: str, iso2: str) -> str:
    return re.search(r'<td class="num">([^<]*)<span class="small muted"> \(([^)]*)\)', _row(page, iso2)).groups()


def _fewest(page: str) -> list[str]:
    return re.findall(r'<span class="sop-laggard">([^<]*)</span>', page)


@pytest.fixture
def warm(secretariat_client, world, play):
    """The page rendered twice: its counts and matrix are in the cache."""
    _get(secretariat_client, world.consultation)
    page, queries = _get(secretariat_client, world.consultation)
    assert queries == CACHED
    assert _cells(page, "DE") == ["In progress 0 %", "Not started"]
    assert _fewest(page) == ["ROBOT-01 (1 answer)", "GENAI-01 (3 answers)"]
    return page


def test_an_answer_saved_shows_on_the_very_next_request(secretariat_client, world, play, warm):
    _genai, robot = world.items
    answer_save(response=play.de, item=robot, data={"position": "yes"}, base_version=0, user=world.member_b)

    page, queries = _get(secretariat_client, world.consultation)

    assert queries == COUNTED  # the reply's last activity moved: the counts are made again
    assert _cells(page, "DE") == ["In progress 0 %", "Complete"]
    assert _progress(page, "DE") == ("50 %", "1/2")
    assert _fewest(page) == ["ROBOT-01 (2 answers)", "GENAI-01 (3 answers)"]
    assert _get(secretariat_client, world.consultation)[1] == CACHED  # and cached again


def test_a_section_saved_shows_on_the_very_next_request(secretariat_client, world, play, warm):
    genai, robot = world.items
    answers_save_section(
        response=play.de,
        changes=[
            SectionChange(item=genai, data={"position": "partially", "explanation": "A bill."}, base_version=1),
            SectionChange(item=robot, data={"position": "no"}, base_version=0),
        ],
        user=world.member_b,
    )

    page, queries = _get(secretariat_client, world.consultation)

    assert queries == COUNTED
    assert _cells(page, "DE") == ["Complete", "Complete"]
    assert _progress(page, "DE") == ("100 %", "2/2")


def test_an_offline_import_shows_on_the_very_next_request(secretariat_client, world, play, warm):
    document = reply_document_get(consultation=world.consultation, party=world.party_b, response=play.de)
    book = workbook(offline_workbook_export(document=document))
    set_value(book.worksheets[0], "ROBOT-01", "position", "no")
    preview = offline_import_preview(response=play.de, content=to_bytes(book), filename="de.xlsx")
    assert preview.errors == []
    offline_import_apply(response=play.de, preview=preview, take_file=set(), user=world.member_b)

    page, queries = _get(secretariat_client, world.consultation)

    assert queries == COUNTED
    assert _cells(page, "DE") == ["In progress 0 %", "Complete"]


def test_reopening_submitting_and_extending_show_on_the_very_next_request(secretariat_client, world, play, warm):
    assert 'data-testid="submitted-count">1 / 47<' in warm
    response_reopen(response=play.fr, user=world.secretariat, reason="Please add the 2025 statistics.")

    page, queries = _get(secretariat_client, world.consultation)

    assert queries == CACHED  # no answer changed: the counts are still current, the reply's state is read afresh
    assert 'data-testid="submitted-count">0 / 47<' in page
    assert 'data-state="reopened"' in _row(page, "FR")

    response_submit(response=play.fr, user=world.head_a)
    page, _ = _get(secretariat_client, world.consultation)
    assert 'data-testid="submitted-count">1 / 47<' in page
    assert 'data-state="submitted"' in _row(page, "FR")

    until = world.consultation.closes_on + datetime.timedelta(days=20)
    response_extend_deadline(consultation=world.consultation, party=world.party_b, until=until, user=world.secretariat)
    page, _ = _get(secretariat_client, world.consultation)
    assert f"Extension until {until.day} {until:%b}" in _row(page, "DE")


def test_a_drill_down_shows_a_save_on_the_very_next_request(secretariat_client, world, play):
    genai, _robot = world.items
    _get(secretariat_client, world.consultation, "?theme=generative-ai")
    page, queries = _get(secretariat_client, world.consultation, "?theme=generative-ai")
    assert (queries, _cells(page, "DE")) == (CACHED + 1, ["In progress 0 %"])  # + the page of the theme's items

    answer_save(response=play.de, item=genai, data={"position": "no"}, base_version=1, user=world.member_b)
    page, queries = _get(secretariat_client, world.consultation, "?theme=generative-ai")

    assert queries == COUNTED + 2  # + the page of items and the counts per Party and item of that page
    assert _cells(page, "DE") == ["Complete"]


def test_items_moved_added_or_reordered_show_on_the_very_next_request(secretariat_client, world, play, warm):
    genai, robot = world.items
    Item.objects.filter(pk=robot.pk).update(theme=genai.theme)  # as the admin may while a round is a draft

    page, queries = _get(secretariat_client, world.consultation)

    assert queries == COUNTED
    assert _cells(page, "FR") == ["Complete"]  # one theme left, with both items
    assert _progress(page, "FR") == ("100 %", "2/2")

    f.position_item(world.consultation, code="GENAI-02", theme=genai.theme)
    page, queries = _get(secretariat_client, world.consultation)
    assert queries == COUNTED
    assert (_cells(page, "FR"), _progress(page, "FR")) == (["In progress 66 %"], ("66 %", "2/3"))
    assert _fewest(page)[0] == "GENAI-02 (0 answers)"

    Item.objects.filter(pk=genai.pk).update(order=robot.order + 10)  # ties among the least answered follow the order
    assert _get(secretariat_client, world.consultation)[1] == COUNTED


def test_a_party_renamed_or_its_reply_touched_re_renders_the_matrix(secretariat_client, world, play, warm):
    Party.objects.filter(iso2="DE").update(name_en="Germany (Federal Republic of)", is_member_state=False)

    page, queries = _get(secretariat_client, world.consultation)

    assert queries == CACHED
    assert '>Germany (Federal Republic of)</a> <span class="small muted">(non-member)</span>' in _row(page, "DE")


def test_the_matrix_follows_the_language_of_the_page(secretariat_client, world, play, warm):
    Theme.objects.update(name_fr=F("name_en"))  # nothing in the data differs between the languages, only the page
    empty, _ = _get(secretariat_client, world.consultation, "?state=overdue")  # nobody is overdue yet: no row
    assert "No Party matches these filters." in empty
    world.secretariat.preferred_language = "fr"
    world.secretariat.save(update_fields=["preferred_language"])

    page, _ = _get(secretariat_client, world.consultation)
    empty, _ = _get(secretariat_client, world.consultation, "?state=overdue")

    assert _cells(page, "DE") == ["En cours : 0 %", "Pas commencée"]
    assert "Réponses des Parties par thème" in page
    assert "Aucune Partie ne correspond à ces filtres." in empty


def test_a_cached_render_costs_a_constant_number_of_queries_fewer_than_a_counting_one(
    secretariat_client, world, play, django_assert_num_queries
):
    secretariat_client.get(_url(world.consultation))  # the session warm
    cache.clear()
    with django_assert_num_queries(COUNTED):
        secretariat_client.get(_url(world.consultation))
    for query in ("", "?state=overdue", "?sort=-progress", "?member=non-member"):  # one entry serves every filter
        with django_assert_num_queries(CACHED):
            secretariat_client.get(_url(world.consultation, query))


def test_the_summary_and_the_matrix_are_rendered_once_per_content(secretariat_client, world, play, monkeypatch):
    from consultation.views import secretariat as views

    rendered = []

    def render_to_string(name, context):
        rendered.append(name.removeprefix("secretariat/_state_of_play_").removesuffix(".html"))
        return real(name, context)

    real = views.render_to_string
    monkeypatch.setattr(views, "render_to_string", render_to_string)
    for _ in range(3):
        _get(secretariat_client, world.consultation)
    assert rendered == ["overview", "matrix"]

    response_reopen(response=play.fr, user=world.secretariat, reason="Please add the 2025 statistics.")
    _get(secretariat_client, world.consultation)
    assert rendered[2:] == ["overview", "matrix"]  # the summary counts one submitted reply less; FR's row changed
    _get(secretariat_client, world.consultation, "?sort=-progress")
    assert rendered[4:] == ["overview", "matrix"]  # another order (and the filter form keeps the sort)
    _get(secretariat_client, world.consultation, "?sort=-progress")
    assert len(rendered) == 6


def test_two_consultations_never_share_cached_figures(world, play):
    other = f.ConsultationFactory(slug="other-round")
    genai_theme, robot_theme = (item.theme for item in world.items)
    other_genai = f.position_item(other, code="GENAI-01", theme=genai_theme)
    f.position_item(other, code="ROBOT-01", theme=robot_theme)
    de_other = response_get_or_create(consultation=other, party=world.party_b)
    answer_save(response=de_other, item=other_genai, data={"position": "yes"}, base_version=0, user=world.member_b)

    def de_cells(consultation) -> list[str]:
        row = next(r for r in state_of_play(consultation=consultation).rows if r.iso2 == "DE")
        return [c.label for c in row.cells]

    for _ in range(2):  # the second round is served from the cache
        assert de_cells(world.consultation) == ["In progress 0 %", "Not started"]
        assert de_cells(other) == ["Complete", "Not started"]
        assert [r.iso2 for r in state_of_play(consultation=other).rows if r.answered] == ["DE"]
    drilled = state_of_play(consultation=other, filters=clean_filters({"theme": "generative-ai"}))
    assert [c.label for c in next(r for r in drilled.rows if r.iso2 == "FR").cells] == ["Not started"]


def test_a_write_round_the_services_shows_within_the_cache_lifetime(
    secretariat_client, world, play, warm, time_machine
):
    """The expiry is the safety net for what the fingerprint cannot see (here, an answer changed in place without
    touching its reply, as the Django admin or a shell would): it shows once the entry expires, at the latest."""
    time_machine.move_to(timezone.now(), tick=False)
    Answer.objects.filter(response=play.de).update(is_answered=False)

    assert _cells(_get(secretariat_client, world.consultation)[0], "DE") == ["In progress 0 %", "Not started"]
    time_machine.move_to(timezone.now() + datetime.timedelta(seconds=CACHE_SECONDS + 1), tick=False)
    page, _ = _get(secretariat_client, world.consultation)  # (a minute on, the session is renewed too)

    assert _cells(page, "DE") == ["Not started", "Not started"]
