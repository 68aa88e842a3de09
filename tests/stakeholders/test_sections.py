"""The report sections of other voices: apart from the State replies, published-only for the public, recounted."""

import pytest
from django.db.models import Sum
from django.utils import timezone

from reports.sections import SectionContext, Table, section_providers, sections_for
from stakeholders.models import ChildrenContribution
from stakeholders.services.children import children_contribution_save
from stakeholders.services.comments import (
    stakeholder_comment_publication_set,
    stakeholder_comment_save,
    stakeholder_comment_submit,
)
from stakeholders.services.replies import stakeholder_answers_save, stakeholder_reply_submit

pytestmark = pytest.mark.django_db


def _context(w, *, audience="committee", language="en", scope_kind="overview"):
    return SectionContext(
        consultation_id=w.consultation.pk,
        scope_kind=scope_kind,
        scope_key="",
        item_ids=tuple(i.pk for i in w.items),
        language=language,
        audience=audience,
    )


def _submitted_comment(w, text, *, item):
    comment = stakeholder_comment_save(
        consultation=w.consultation, party=w.party_b, item=item, text=text, language="en", user=w.ngo
    )
    return stakeholder_comment_submit(comment=comment, user=w.ngo)


def test_the_app_registers_its_providers():
    assert {"stakeholders", "children"} <= set(section_providers())


def test_comments_and_replies_sections_for_the_committee(ngo_world):
    w = ngo_world
    _submitted_comment(w, "Comment on GENAI-01 from the network.", item=w.items[0])
    _submitted_comment(w, "Overall, the reply omits statistics.", item=None)
    stakeholder_comment_save(  # a draft never appears
        consultation=w.consultation, party=w.party_b, item=w.items[1], text="DRAFT-ONLY", language="en", user=w.ngo
    )
    stakeholder_answers_save(
        consultation=w.consultation, texts={w.items[1].pk: "Our survey of 2,000 teachers."}, language="fr", user=w.ngo
    )
    stakeholder_reply_submit(consultation=w.consultation, user=w.ngo)

    sections = {s.key: s for s in sections_for(_context(w))}
    comments = sections["stakeholder-comments"]
    assert comments.title == "Comments from other stakeholders"
    assert comments.blocks[0].text.startswith("2 comments from 1 organisations on the replies of 1 Parties")
    assert [s.key for s in comments.subsections] == [
        "stakeholder-comments-overall",
        f"stakeholder-comments-{w.items[0].pk}",
    ]
    texts = [b.text for s in comments.subsections for b in s.blocks]
    assert "Child Rights Network on the reply of Germany:" in texts
    assert "DRAFT-ONLY" not in " ".join(texts)
    replies = sections["stakeholder-replies"]
    assert [b.text for b in replies.subsections[0].blocks] == [
        "Child Rights Network (in French):",
        "Our survey of 2,000 teachers.",
    ]


def test_public_editions_hold_only_what_the_secretariat_published(ngo_world):
    w = ngo_world
    kept = _submitted_comment(w, "PUBLISHED-COMMENT", item=w.items[0])
    _submitted_comment(w, "UNPUBLISHED-COMMENT", item=w.items[0])
    stakeholder_comment_publication_set(comment=kept, publish=True, user=w.secretariat)
    children_contribution_save(
        consultation=w.consultation,
        theme=w.items[0].theme,
        party=None,
        age_band="10_13",
        setting="online",
        children_count=8,
        views="CHILDREN-VIEWS",
        language="en",
        gathered_on=timezone.localdate(),
        user=w.facilitator,
    )
    public = " ".join(
        b.text
        for s in sections_for(_context(w, audience="public"))
        for sub in (s, *s.subsections)
        for b in sub.blocks
        if hasattr(b, "text")
    )
    assert "PUBLISHED-COMMENT" in public
    assert "UNPUBLISHED-COMMENT" not in public
    assert "CHILDREN-VIEWS" not in public


def test_children_section_figures_equal_a_recount_in_sql(ngo_world):
    w = ngo_world
    theme = w.items[0].theme
    for count, band in ((12, "14_17"), (7, "14_17"), (20, "10_13")):
        children_contribution_save(
            consultation=w.consultation,
            theme=theme,
            party=w.party_a,
            age_band=band,
            setting="school",
            children_count=count,
            views=f"Group of {count}: clearer reporting buttons.",
            language="fr",
            gathered_on=timezone.localdate(),
            user=w.facilitator,
        )
    section = next(s for s in sections_for(_context(w, language="fr")) if s.key == "children")
    assert section.title == "Avis des enfants"
    table = next(b for b in section.blocks if isinstance(b, Table))
    total = ChildrenContribution.objects.filter(theme=theme).aggregate(n=Sum("children_count"))["n"]
    groups = ChildrenContribution.objects.filter(theme=theme).count()
    assert table.rows == ((theme.name_fr or theme.name, str(groups), str(total), "10 à 13 ans: 1, 14 à 17 ans: 2"),)
    assert total == 39
