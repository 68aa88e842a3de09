"""The state of play with items put to some Parties only: each Party is counted against the items put to it (its
"answered N of M", percentages, "complete"), a cell with nothing put to the Party reads "Not asked", the laggard items
say how many of the Parties asked have answered, the dashboard names the restricted questions, and the page still
costs a constant number of queries (one more GROUP BY to count, only when some item has addressees)."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from consultation.models import ItemAddressee, Party
from consultation.selectors.state_of_play import consultations_overview, state_of_play
from consultation.services.answers import response_get_or_create
from consultation.services.responses import response_submit
from tests import factories as f
from tests.secretariat.conftest import save
from tests.secretariat.conftest import sop_cells as _cells
from tests.secretariat.conftest import sop_get as _get
from tests.secretariat.conftest import sop_row as _row
from tests.secretariat.conftest import sop_url as _url

pytestmark = pytest.mark.django_db

ACTIVE_PARTIES = 47
# As in test_state_of_play_cache: 8 on every request, 2 more to count; the addressee rows per Party and theme add 1.
CACHED, COUNTED = 8, 11


@pytest.fixture
def addressed(world):
    """The world consultation with a third item, in a theme of its own: GENAI-01 is put to every Party, ROBOT-01 to
    France only, FOLLOW-01 to Germany only.

    - France: asked GENAI-01 and ROBOT-01 (2 of 3 items), answered GENAI-01 completely.
    - Germany: asked GENAI-01 and FOLLOW-01; answered FOLLOW-01 completely, and ROBOT-01 before it was put to France
      only (an answer that no longer counts anywhere).
    - Every other Party: asked GENAI-01 only, nothing answered.
    """
    genai, robot = world.items
    follow = f.position_item(world.consultation, code="FOLLOW-01", theme=f.ThemeFactory(code="follow-up"))
    fr = response_get_or_create(consultation=world.consultation, party=world.party_a)
    save(fr, genai, {"position": "yes"}, world.member_a)
    de = response_get_or_create(consultation=world.consultation, party=world.party_b)
    save(de, robot, {"position": "no"}, world.member_b)
    save(de, follow, {"position": "partially", "explanation": "A bill is before Parliament."}, world.member_b)
    ItemAddressee.objects.create(item=robot, party=world.party_a)
    ItemAddressee.objects.create(item=follow, party=world.party_b)
    world.follow = follow
    return world


def _progress(page: str, iso2: str) -> tuple[str, str]:
    return re.search(r'<td class="num">([^<]*)<span class="small muted"> \(([^)]*)\)', _row(page, iso2)).groups()


def _fewest(page: str) -> list[str]:
    return re.findall(r'<span class="sop-laggard">([^<]*)</span>', page)


def test_each_party_is_counted_against_the_items_put_to_it(secretariat_client, addressed):
    page, _ = _get(secretariat_client, addressed.consultation)

    # Themes in order: generative-ai (GENAI-01), robotics (ROBOT-01), follow-up (FOLLOW-01).
    assert _progress(page, "FR") == ("50 %", "1/2")
    assert _cells(page, "FR") == ["Complete", "Not started", "Not asked"]
    assert _progress(page, "DE") == ("50 %", "1/2")  # its answer to ROBOT-01, not put to it, counts nowhere
    assert _cells(page, "DE") == ["Not started", "Not asked", "Complete"]
    assert _progress(page, "AL") == ("0 %", "0/1")
    assert _cells(page, "AL") == ["Not started", "Not asked", "Not asked"]
    assert _fewest(page) == [
        "ROBOT-01 (answered by 0 of 1 Party asked)",
        "GENAI-01 (1 answer)",
        "FOLLOW-01 (answered by 1 of 1 Party asked)",
    ]
    assert "2 questions put to some Parties only" in page


def test_the_selector_gives_the_same_figures(addressed):
    play = state_of_play(consultation=addressed.consultation)
    rows = {row.iso2: row for row in play.rows}
    fr = rows["FR"]
    assert (fr.answered, fr.complete, fr.total, fr.percent, fr.asked) == (1, 1, 2, 50, True)
    assert [(c.answered, c.complete, c.total, c.state) for c in fr.cells] == [
        (1, 1, 1, "complete"),
        (0, 0, 1, "not-started"),
        (0, 0, 0, "not-asked"),
    ]
    assert play.addressed_items == 2
    assert [(i["code"], i["answered"], i["asked"]) for i in play.fewest_answered] == [
        ("ROBOT-01", 0, 1),
        ("GENAI-01", 1, ACTIVE_PARTIES),
        ("FOLLOW-01", 1, 1),
    ]


def test_a_drill_down_shows_not_asked_per_item(secretariat_client, addressed):
    page, _ = _get(secretariat_client, addressed.consultation, "?theme=robotics")
    assert _cells(page, "FR") == ["Not started"]
    assert _cells(page, "DE") == ["Not asked"]  # answered before the item was put to France only
    assert _cells(page, "AL") == ["Not asked"]


def test_a_party_that_answers_every_item_put_to_it_is_complete(secretariat_client, addressed):
    fr = addressed.consultation.responses.get(party=addressed.party_a)
    save(fr, addressed.items[1], {"position": "partially"}, addressed.member_a)
    page, _ = _get(secretariat_client, addressed.consultation)
    assert _progress(page, "FR") == ("100 %", "2/2")
    assert _cells(page, "FR") == ["Complete", "Complete", "Not asked"]


def test_a_new_addressee_shows_on_the_very_next_request(secretariat_client, addressed):
    _get(secretariat_client, addressed.consultation)
    page, queries = _get(secretariat_client, addressed.consultation)
    assert queries == CACHED
    assert _progress(page, "AL") == ("0 %", "0/1")

    ItemAddressee.objects.create(item=addressed.follow, party=Party.objects.get(iso2="AL"))
    page, queries = _get(secretariat_client, addressed.consultation)

    assert queries == COUNTED
    assert _progress(page, "AL") == ("0 %", "0/2")
    assert _cells(page, "AL") == ["Not started", "Not asked", "Not started"]
    assert "FOLLOW-01 (answered by 1 of 2 Parties asked)" in _fewest(page)


def test_the_page_costs_the_same_queries_with_more_parties_and_items_addressed(secretariat_client, addressed):
    secretariat_client.get(_url(addressed.consultation))  # the session warm
    cache.clear()
    small = [_get(secretariat_client, addressed.consultation)[1] for _ in range(2)]
    cache.clear()
    small_drill = [_get(secretariat_client, addressed.consultation, "?theme=follow-up")[1] for _ in range(2)]

    parties = list(Party.objects.filter(is_active=True).order_by("iso2")[:30])
    theme = f.ThemeFactory(code="more-follow-up")
    for n in range(12):
        item = f.position_item(addressed.consultation, code=f"FOLLOW-{n + 2:02d}", theme=theme)
        ItemAddressee.objects.bulk_create([ItemAddressee(item=item, party=p) for p in parties[n : n + 15]])
        for party in parties[n : n + 3]:
            reply = response_get_or_create(consultation=addressed.consultation, party=party)
            member = f.delegate(party, email=f"member{n}@{party.iso2.lower()}.example")
            save(reply, item, {"position": "yes"}, member)
    cache.clear()
    large = [_get(secretariat_client, addressed.consultation)[1] for _ in range(2)]
    cache.clear()
    large_drill = [_get(secretariat_client, addressed.consultation, "?theme=more-follow-up")[1] for _ in range(2)]

    assert small == large == [COUNTED, CACHED]
    # A drill-down reads the page of items every time; to count, the answers per Party and item of that page and the
    # addressee rows of its items.
    assert small_drill == large_drill == [COUNTED + 3, CACHED + 1]


@pytest.fixture
def follow_up_only(world):
    """A consultation whose every item is put to some Parties only (a follow-up round): France and Germany are asked,
    France has submitted, nobody else is asked anything."""
    consultation = f.ConsultationFactory(slug="follow-up-round")
    theme = f.ThemeFactory(code="recommendations")
    first = f.position_item(consultation, code="REC-01", theme=theme)
    second = f.position_item(consultation, code="REC-02", theme=theme)
    ItemAddressee.objects.create(item=first, party=world.party_a)
    ItemAddressee.objects.create(item=second, party=world.party_a)
    ItemAddressee.objects.create(item=second, party=world.party_b)
    fr = response_get_or_create(consultation=consultation, party=world.party_a)
    save(fr, first, {"position": "yes"}, world.member_a)
    save(fr, second, {"position": "no"}, world.member_a)
    response_submit(response=fr, user=world.head_a)
    # A reply row of a Party asked nothing (left by a carry-over, say) counts in no figure.
    response_get_or_create(consultation=consultation, party=Party.objects.get(iso2="AL"))
    return consultation


def test_parties_asked_nothing_are_left_out_of_the_summary(secretariat_client, world, follow_up_only):
    play = state_of_play(consultation=follow_up_only)
    summary = play.summary
    assert (summary.parties, summary.submitted, summary.not_started, summary.not_asked) == (2, 1, 1, ACTIVE_PARTIES - 2)
    assert summary.response_rate == 50

    page, _ = _get(secretariat_client, follow_up_only)
    assert 'data-testid="response-rate">50 %<' in page
    assert 'data-testid="submitted-count">1 / 2<' in page
    assert "45 Parties are asked none of the questions and are not counted in these figures" in page
    assert _progress(page, "FR") == ("100 %", "2/2")
    assert _progress(page, "DE") == ("0 %", "0/1")
    assert '<td class="sop-cell sop-cell--not-asked">Not asked</td>' in _row(page, "AL")
    assert 'name="parties" value="AL"' not in page  # nobody reminds a Party of nothing
    assert 'name="parties" value="DE"' in page


def test_the_dashboard_counts_the_parties_asked(secretariat_client, world, follow_up_only):
    rows = {row["consultation"].slug: row for row in consultations_overview()}
    follow = rows["follow-up-round"]
    assert (follow["items"], follow["addressed"], follow["parties"]) == (2, 2, 2)
    assert (follow["started"], follow["submitted"], follow["response_rate"]) == (1, 1, 50)
    plain = rows[world.consultation.slug]
    assert (plain["addressed"], plain["parties"], plain["response_rate"]) == (0, ACTIVE_PARTIES, 0)

    page = secretariat_client.get(reverse("secretariat:dashboard")).content.decode()
    assert page.count('data-testid="addressed-items"') == 1
    assert "2 questions put to some Parties only" in page
    assert '<td class="num">1 / 2</td>' in page
    assert '<td class="num">50 %</td>' in page
