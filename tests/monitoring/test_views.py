"""The Analysis pages through HTTP: what a rapporteur, another Committee member, the Secretariat and a
delegation each get."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from monitoring.models import Coding
from tests.access.helpers import login_with_mfa
from tests.access.world import PARTY_A_DRAFT_SENTINEL
from tests.monitoring.conftest import FRANCE_TEXT, GERMANY_TEXT

pytestmark = pytest.mark.django_db

# The analysis page of an item reads a fixed number of times whatever the number of replies (session and roles,
# the replies, their figures, codings and texts, the filters, the codebook and the progress).
QUERIES_ITEM_PAGE = 23


def item_url(w, index=0):
    return reverse("monitoring:item", kwargs={"slug": w.consultation.slug, "item_id": w.items[index].pk})


def code_url(w, index=0):
    return reverse("monitoring:code", kwargs={"slug": w.consultation.slug, "item_id": w.items[index].pk})


def test_the_rapporteur_codes_a_selected_passage_and_the_matrix_counts_it(client, replies, codes):
    w = replies
    client.force_login(w.committee)
    page = client.get(item_url(w)).content.decode()
    assert f'data-response="{w.france.pk}" data-field="explanation"' in page
    assert FRANCE_TEXT in page
    assert GERMANY_TEXT in page
    response = client.post(
        code_url(w),
        {"response": w.france.pk, "field": "explanation", "start": 27, "end": 45, "codes": [w.code_ai.pk],
         "scope": "passage"},
    )  # fmt: skip
    assert response.status_code == 302
    assert response["Location"].endswith("#reply-FR")
    coding = Coding.objects.get()
    assert (coding.quote, coding.start, coding.end, coding.created_by) == ("generated material", 27, 45, w.committee)
    page = client.get(item_url(w)).content.decode()
    assert '<span class="seg seg--coded" title="AI-generated CSAM criminalised">generated material</span>' in page
    matrix = client.get(
        reverse("monitoring:matrix", kwargs={"slug": w.consultation.slug}), {"scope": f"item:{w.items[0].pk}"}
    )
    body = matrix.content.decode()
    assert "1 quotes of France coded AI-generated CSAM criminalised" in body
    assert f'data-code="{w.code_ai.pk}"><a href=' in body
    quotes = client.get(
        reverse("monitoring:quotes", kwargs={"slug": w.consultation.slug}),
        {"scope": "article:20", "code": w.code_ai.pk, "party": w.party_a.pk},
    )
    assert "<q>generated material</q>" in quotes.content.decode()


def test_typed_words_and_the_whole_answer_without_javascript(client, replies, codes):
    w = replies
    client.force_login(w.committee)
    client.post(
        code_url(w),
        {"response": w.germany.pk, "field": "explanation", "passage": "Section 184b", "codes": [w.code_ai.pk],
         "scope": "passage"},
    )  # fmt: skip
    client.post(code_url(w), {"response": w.france.pk, "codes": [w.code_reform.pk], "scope": "whole"})
    rows = sorted(Coding.objects.values_list("party__iso2", "start", "end", "quote"))
    assert rows == [("DE", 0, 12, "Section 184b"), ("FR", None, None, "")]
    response = client.post(
        code_url(w),
        {"response": w.germany.pk, "field": "explanation", "passage": "Section", "codes": [w.code_ai.pk]},
        follow=True,
    )
    assert "“AI-generated CSAM criminalised” is already applied to an overlapping passage: “Section 184b”." in (
        response.content.decode()
    )


def test_another_committee_member_reads_but_cannot_code_and_delegations_see_nothing(client, replies, codes):
    from tests import factories as f

    w = replies
    other = f.committee_user(email="other.member@coe.example")
    client.force_login(other)
    assert client.get(item_url(w)).status_code == 200
    assert client.post(code_url(w), {"response": w.france.pk, "codes": [w.code_ai.pk]}).status_code == 403
    client.force_login(w.committee)
    assert client.post(code_url(w, 1), {"response": w.france.pk, "codes": [w.code_ai.pk]}).status_code == 403
    assert Coding.objects.count() == 0
    for delegate in (w.member_a, w.head_b):
        login_with_mfa(client, delegate)
        assert client.get(item_url(w)).status_code == 403
        assert client.get(reverse("monitoring:home")).status_code == 403


def test_drafts_never_show_on_the_analysis_page(client, replies):
    from consultation.models import Answer
    from consultation.services.answers import answer_save
    from consultation.services.responses import response_reopen

    w = replies
    response_reopen(response=w.france, user=w.secretariat, reason="Correction")
    answer = Answer.objects.get(response=w.france, item=w.items[0])
    answer_save(
        response=w.france, item=w.items[0], data={"position": "no", "explanation": PARTY_A_DRAFT_SENTINEL},
        base_version=answer.version, user=w.member_a, language="en",
    )  # fmt: skip
    client.force_login(w.committee)
    page = client.get(item_url(w)).content.decode()
    assert PARTY_A_DRAFT_SENTINEL not in page
    assert FRANCE_TEXT in page


def test_filters_and_search_with_highlights(client, replies):
    w = replies
    client.force_login(w.committee)
    found = client.get(item_url(w), {"q": "sentencing"}).content.decode()
    assert "1 reply shown." in found
    assert '<span class="seg"><mark>sentencing</mark></span>' in found
    assert GERMANY_TEXT not in found
    partially = w.items[0].fields.get(key="position").options.get(key="partially")
    by_choice = client.get(item_url(w), {"option": partially.pk}).content.decode()
    assert "1 reply shown." in by_choice
    assert GERMANY_TEXT in by_choice
    assert "1 reply shown." in client.get(item_url(w), {"party": w.party_a.pk}).content.decode()
    assert "No submitted reply matches." in client.get(item_url(w), {"language": "fr"}).content.decode()


def test_the_home_lists_the_rapporteurs_items_with_progress(client, replies, codes):
    w = replies
    client.force_login(w.committee)
    client.post(code_url(w), {"response": w.france.pk, "codes": [w.code_reform.pk], "scope": "whole"})
    page = client.get(reverse("monitoring:home")).content.decode()
    assert "GENAI-01" in page
    assert "ROBOT-01" not in page
    assert '<span class="progress-figure">1 / 2</span>' in page


def test_codings_export_as_xlsx(client, replies, codes):
    w = replies
    client.force_login(w.committee)
    client.post(
        code_url(w),
        {"response": w.france.pk, "field": "explanation", "start": 27, "end": 45, "codes": [w.code_ai.pk]},
    )
    response = client.get(reverse("monitoring:codings_export", kwargs={"slug": w.consultation.slug}))
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0][:6] == ("Party", "ISO", "Item", "Field", "Code", "Quote")
    assert rows[1][:8] == ("France", "FR", "GENAI-01", "explanation", "AI-generated CSAM criminalised",
                           "generated material", 27, 45)  # fmt: skip


def test_the_secretariat_appoints_a_rapporteur_by_article(client, replies):
    w = replies
    login_with_mfa(client, w.secretariat)
    url = reverse("monitoring:rapporteurs", kwargs={"slug": w.consultation.slug})
    client.post(url, {"user": w.committee.pk, "target": "article:20"})
    from monitoring.selectors.assignments import rapporteur_item_ids

    assert rapporteur_item_ids(user=w.committee, consultation=w.consultation) == {w.items[0].pk, w.items[1].pk}
    response = client.post(url, {"user": w.member_a.pk, "target": f"item:{w.items[1].pk}"}, follow=True)
    assert "Choose a Committee member." in response.content.decode()
    from monitoring.errors import AssignmentRefused
    from monitoring.services.assignments import rapporteur_assign

    with pytest.raises(AssignmentRefused, match=re.escape("Only Committee members can be rapporteurs.")):
        rapporteur_assign(consultation=w.consultation, user=w.member_a, item=w.items[1], acting_user=w.secretariat)
    page = client.get(url).content.decode()
    assert "0 / 2" in page


def test_the_analysis_speaks_french(client, replies, codes):
    w = replies
    w.committee.preferred_language = "fr"
    w.committee.save()
    client.force_login(w.committee)
    page = client.get(item_url(w)).content.decode()
    assert "2 réponses affichées." in page
    assert "Coder le passage" in page
    assert 'data-selected="Sélection : « %(quote)s » (caractères %(start)s–%(end)s)."' in page
    assert "CSAM généré par IA incriminé" in page  # the code's French name
    response = client.post(code_url(w), {"response": w.france.pk, "codes": [], "scope": "whole"}, follow=True)
    assert "Choisissez au moins un code." in response.content.decode()


def test_the_analysis_page_costs_the_same_number_of_queries_for_more_replies(client, replies, codes):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests import factories as f
    from tests.monitoring.conftest import submit_reply

    w = replies
    client.force_login(w.committee)
    client.post(code_url(w), {"response": w.france.pk, "codes": [w.code_reform.pk], "scope": "whole"})
    client.get(item_url(w))
    with CaptureQueriesContext(connection) as two:
        assert "2 replies shown." in client.get(item_url(w)).content.decode()
    italy = f.party("IT")
    submit_reply(w, italy, f.delegate(italy, role="head"), f.delegate(italy, role="member"), {0: "Italian text."})
    client.post(code_url(w), {"response": w.germany.pk, "codes": [w.code_reform.pk], "scope": "whole"})
    with CaptureQueriesContext(connection) as three:
        assert "3 replies shown." in client.get(item_url(w)).content.decode()
    assert len(three) == len(two) == QUERIES_ITEM_PAGE, [q["sql"][:90] for q in three.captured_queries]


def test_reading_a_resubmitted_reply_shows_its_codings_to_review_without_writing(client, replies, codes):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.monitoring.conftest import resubmit

    w = replies
    client.force_login(w.committee)
    client.post(code_url(w), {"response": w.germany.pk, "codes": [w.code_ai.pk], "scope": "whole"})
    resubmit(w, w.germany, w.head_b, w.member_b, w.items[0], "Entirely rewritten.", "partially")
    with CaptureQueriesContext(connection) as queries:
        page = client.get(item_url(w)).content.decode()
    assert "1 coding to review" in page
    assert "The Party resubmitted a different answer" in page
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []
