"""Full-text search across the submitted replies: stemmed in English and French on PostgreSQL (with the hits
mapped back onto the exact text), word matches on SQLite."""

from __future__ import annotations

import pytest
from django.db import connection

from monitoring.selectors.analysis import headline_hits, item_replies, plain_hits, text_segments

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text search")


def hit_words(reply):
    return [segment.text for text in reply.texts for segment in text.segments if segment.hit]


def test_segments_give_the_text_back_and_mark_hits_and_codes():
    segments = text_segments("abcdefgh", [], [(2, 4), (6, 8)])
    assert "".join(s.text for s in segments) == "abcdefgh"
    assert [(s.text, s.hit) for s in segments] == [("ab", False), ("cd", True), ("ef", False), ("gh", True)]
    assert plain_hits("The Code and the code", "CODE") == [(4, 8), (17, 21)]
    assert headline_hits("a code", "a \x02code\x03") == [(2, 6)]
    assert headline_hits("a code", "a \x02cod\x03") is None


def test_the_fallback_finds_words_whatever_their_case(replies):
    w = replies
    (reply,) = item_replies(item=w.items[0], query="SECTION")
    assert reply.party == w.party_b
    assert hit_words(reply) == ["Section"]


@on_postgresql
def test_postgresql_finds_word_forms_in_english_and_french(replies):
    from consultation.models import Answer
    from consultation.services.answers import answer_save
    from consultation.services.responses import response_reopen, response_submit

    w = replies
    (reply,) = item_replies(item=w.items[0], query="punishing")
    assert reply.party == w.party_a
    assert hit_words(reply) == ["punishes"]
    response_reopen(response=w.germany, user=w.secretariat, reason="French")
    answer = Answer.objects.get(response=w.germany, item=w.items[0])
    answer_save(
        response=w.germany, item=w.items[0],
        data={"position": "yes", "explanation": "Les contenus générés sont incriminés."},
        base_version=answer.version, user=w.member_b, language="fr",
    )  # fmt: skip
    w.germany.refresh_from_db()
    response_submit(response=w.germany, user=w.head_b)
    (reply,) = item_replies(item=w.items[0], query="incriminé")
    assert reply.party == w.party_b
    assert hit_words(reply) == ["incriminés"]
