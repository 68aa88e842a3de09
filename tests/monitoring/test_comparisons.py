"""The final state of an item's coding, and the code-based comparisons it puts into the comparative reports
through ``reports.sections`` (figures recomputed by SQL)."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from accounts.models import AuditEvent
from consultation.models import Consultation
from monitoring.errors import CodingRefused, MonitoringError
from monitoring.models import Coding, ItemAnalysis
from monitoring.selectors.comparisons import SECTION_KEY
from monitoring.services.codings import coding_apply, coding_delete
from monitoring.services.observations import item_coding_final_set
from reports.sections import BulletList, SectionContext, Table, sections_for
from tests.monitoring.conftest import FRANCE_TEXT, GERMANY_TEXT, resubmit

pytestmark = pytest.mark.django_db


def _code_both(w):
    """France: both codes on GENAI-01 (a passage and the whole answer); Germany: the AI code on GENAI-01;
    France: the reform code on ROBOT-01 (whole answer)."""
    coding_apply(
        response=w.france, item=w.items[0], field=w.explanation, start=FRANCE_TEXT.index("generated"),
        end=FRANCE_TEXT.index("generated") + 18, codes=[w.code_ai], user=w.committee,
    )  # fmt: skip
    coding_apply(response=w.france, item=w.items[0], codes=[w.code_reform], user=w.committee)
    coding_apply(
        response=w.germany, item=w.items[0], field=w.explanation, start=GERMANY_TEXT.index("generated"),
        end=GERMANY_TEXT.index("generated") + 18, codes=[w.code_ai], user=w.committee,
    )  # fmt: skip
    coding_apply(response=w.france, item=w.items[1], codes=[w.code_reform], user=w.committee)


def _context(w, language="en", audience="committee", items=None):
    return SectionContext(
        consultation_id=w.consultation.pk,
        scope_kind="overview",
        scope_key="",
        item_ids=tuple(i.pk for i in (items or w.items)),
        language=language,
        audience=audience,
    )


def _parties_per_code_sql(item_ids):
    """The figures the sentences print, counted by SQL: distinct Parties per code over the items."""
    sql = (
        "SELECT c.name_en, COUNT(DISTINCT k.party_id) FROM monitoring_coding k "
        "JOIN monitoring_code c ON c.id = k.code_id WHERE k.item_id IN (%s, %s) "
        "GROUP BY c.name_en ORDER BY c.name_en"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [item_ids[0], item_ids[-1]])
        return dict(cursor.fetchall())


def test_marking_final_records_who_and_when_audits_locks_and_marks_the_reports_stale(replies, codes):
    w = replies
    _code_both(w)
    before = Consultation.objects.get(pk=w.consultation.pk).data_version
    analysis = item_coding_final_set(item=w.items[0], final=True, user=w.committee)
    assert analysis.coding_final_by == w.committee
    assert analysis.coding_final_at is not None
    assert Consultation.objects.get(pk=w.consultation.pk).data_version == before + 1
    assert AuditEvent.objects.filter(event_type="monitoring.coding_final", object_repr="GENAI-01").count() == 1

    with pytest.raises(CodingRefused, match=re.escape("The coding of GENAI-01 is marked final: reopen the coding")):
        coding_apply(response=w.germany, item=w.items[0], codes=[w.code_reform], user=w.committee)
    with pytest.raises(CodingRefused, match="marked final"):
        coding_delete(coding=Coding.objects.first(), user=w.committee)
    with pytest.raises(MonitoringError, match="already final"):
        item_coding_final_set(item=w.items[0], final=True, user=w.committee)

    item_coding_final_set(item=w.items[0], final=False, user=w.secretariat)
    analysis = ItemAnalysis.objects.get(item=w.items[0])
    assert (analysis.coding_final_at, analysis.coding_final_by) == (None, None)
    assert Consultation.objects.get(pk=w.consultation.pk).data_version == before + 2
    assert AuditEvent.objects.filter(event_type="monitoring.coding_reopened", actor=w.secretariat).count() == 1
    coding_apply(response=w.germany, item=w.items[0], codes=[w.code_reform], user=w.committee)  # open again


def test_final_is_refused_with_nothing_coded_or_codings_to_review(replies, codes):
    w = replies
    with pytest.raises(MonitoringError, match="Nothing is coded yet"):
        item_coding_final_set(item=w.items[0], final=True, user=w.committee)
    _code_both(w)
    resubmit(w, w.germany, w.head_b, w.member_b, w.items[0], "Entirely rewritten text.", "partially")
    with pytest.raises(MonitoringError, match=re.escape("1 coding points at text the Party has since changed")):
        item_coding_final_set(item=w.items[0], final=True, user=w.committee)
    assert not ItemAnalysis.objects.filter(item=w.items[0], coding_final_at__isnull=False).exists()


def test_the_reports_get_no_section_until_an_item_is_final_and_the_public_never(replies, codes):
    w = replies
    _code_both(w)
    assert sections_for(_context(w)) == []
    item_coding_final_set(item=w.items[0], final=True, user=w.committee)
    # the public edition's only section is the publication app's note on what it counts
    assert [s.key for s in sections_for(_context(w, audience="public"))] == ["public-edition"]
    assert [s.key for s in sections_for(_context(w, items=[w.items[1]]))] == []  # ROBOT-01 is not final
    (section,) = sections_for(_context(w))
    assert section.key == SECTION_KEY
    assert [s.key for s in section.subsections] == ["monitoring-item-GENAI-01"]


def test_the_item_table_and_sentences_match_sql(replies, codes):
    w = replies
    _code_both(w)
    item_coding_final_set(item=w.items[0], final=True, user=w.committee)
    (section,) = sections_for(_context(w))
    (item,) = section.subsections
    sentences, table = item.blocks
    assert isinstance(sentences, BulletList)
    assert isinstance(table, Table)
    by_sql = _parties_per_code_sql([w.items[0].pk])
    assert by_sql == {"AI-generated CSAM criminalised": 2, "Reform planned": 1}
    assert sentences.items == ("2 Parties: AI-generated CSAM criminalised", "1 Party: Reform planned")
    assert table.header == ("Party", "AI-generated CSAM criminalised", "Reform planned")
    assert table.rows == (("France", "1", "1"), ("Germany", "1", ""))
    assert table.links[1][2] == ""
    assert table.links[0][1].endswith(f"?scope=item:{w.items[0].pk}&code={w.code_ai.pk}&party={w.party_a.pk}")


def test_an_article_with_two_final_items_is_rolled_up_and_french_names_the_codes_in_french(replies, codes):
    w = replies
    _code_both(w)
    item_coding_final_set(item=w.items[0], final=True, user=w.committee)
    item_coding_final_set(item=w.items[1], final=True, user=w.committee)
    (section,) = sections_for(_context(w))
    keys = [s.key for s in section.subsections]
    # Both items carry Art. 20 (GENAI-01 also Art. 21); they are in different themes: no theme roll-up.
    assert keys == ["monitoring-item-GENAI-01", "monitoring-item-ROBOT-01", "monitoring-article-20"]
    rollup = section.subsections[2]
    by_sql = _parties_per_code_sql([i.pk for i in w.items])
    assert by_sql == {"AI-generated CSAM criminalised": 2, "Reform planned": 1}  # France counted once for Reform
    assert rollup.blocks[1].items == ("2 Parties: AI-generated CSAM criminalised", "1 Party: Reform planned")
    assert rollup.blocks[2].rows == (
        ("AI-generated CSAM criminalised", "2", "France, Germany"),
        ("Reform planned", "1", "France"),
    )

    (french,) = sections_for(_context(w, language="fr"))
    assert french.subsections[0].blocks[0].items == (
        "2 Parties : CSAM généré par IA incriminé",
        "1 Partie : Reform planned",  # no French name: the English one
    )
    assert [row[0] for row in french.subsections[0].blocks[1].rows] == ["Allemagne", "France"]  # French order


def test_a_resubmitted_passage_leaves_the_counts_until_reviewed(replies, codes):
    w = replies
    _code_both(w)
    item_coding_final_set(item=w.items[0], final=True, user=w.committee)
    resubmit(w, w.germany, w.head_b, w.member_b, w.items[0], "Entirely rewritten text.", "partially")
    (section,) = sections_for(_context(w))
    assert section.subsections[0].blocks[0].items == (
        "1 Party: AI-generated CSAM criminalised",
        "1 Party: Reform planned",
    )
