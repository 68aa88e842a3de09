"""Observations: versions with history and diff, conflicts, sanitised Markdown, citations; comments."""

from __future__ import annotations

import re

import pytest

from monitoring.errors import ObservationConflict
from monitoring.models import ObservationRevision
from monitoring.selectors.observations import observation_diff, observations_render
from monitoring.services.codings import coding_apply
from monitoring.services.observations import observation_comment_add, observations_save

pytestmark = pytest.mark.django_db


def test_each_save_is_a_version_and_a_stale_save_is_refused(world):
    item = world.items[0]
    a = observations_save(item=item, text="First line\nSecond", base_version=0, user=world.committee)
    a = observations_save(item=item, text="First line\nSecond, amended\nThird", base_version=1, user=world.committee)
    assert a.version == 2
    assert list(ObservationRevision.objects.values_list("version", flat=True)) == [2, 1]
    with pytest.raises(ObservationConflict, match=re.escape("Another rapporteur saved version 2 meanwhile")):
        observations_save(item=item, text="Lost", base_version=1, user=world.committee)
    assert observation_diff(analysis=a, old=1, new=2) == [
        ("same", "First line"),
        ("removed", "Second"),
        ("added", "Second, amended"),
        ("added", "Third"),
    ]
    same = observations_save(item=item, text="First line\nSecond, amended\nThird", base_version=2, user=None)
    assert same.version == 2  # nothing changed, no new version


def test_markdown_is_sanitised_and_citations_show_the_quote(replies, codes):
    w = replies
    (coding,) = coding_apply(
        response=w.france, item=w.items[0], field=w.explanation, start=4, end=17, codes=[w.code_ai], user=w.committee
    )
    text = (
        f"**Most** Parties <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>\n\n"
        f"France: [C{coding.pk}] and [C999999]"
    )
    html = str(observations_render(text=text, item=w.items[0]))
    assert "<strong>Most</strong>" in html
    for forbidden in ("<script", "onerror", "javascript:", "<img"):
        assert forbidden not in html
    assert '<q class="cited-quote">Criminal Code</q>' in html
    assert f"France, GENAI-01, C{coding.pk}</a>" in html
    assert "[C999999]" in html


def test_comments_record_the_version_they_were_made_on(world):
    item = world.items[0]
    observations_save(item=item, text="Draft", base_version=0, user=world.committee)
    comment = observation_comment_add(item=item, text="  Please cite Germany.  ", user=world.committee)
    assert (comment.text, comment.version) == ("Please cite Germany.", 1)
