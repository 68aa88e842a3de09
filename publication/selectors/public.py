"""What the public site reads: only current, not withdrawn publications, never the live or submitted replies.

Every function here reads the ``publication`` snapshot tables, which hold nothing a Party marked "not for
publication", so a page cannot show what was not published even by mistake of a template. Each costs a fixed number
of queries whatever the number of Parties and items.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.utils.translation import get_language

from consultation.models import Article, Consultation, Field, Item, Option, Party
from consultation.selectors.workspace import value_display
from stakeholders.models import ContributionStatus, StakeholderAnswer, StakeholderComment, StakeholderReply

from ..models import Publication, PublishedAnswer, PublishedDocument
from .editions import public_editions_fingerprint, public_editions_published

SEARCH_CONFIGS = (("en", "english"), ("fr", "french"))
SEARCH_RESULTS_MAX = 100


def public_fingerprint() -> str:
    """What every cached public page depends on: one aggregate over the publications (a publication or a
    withdrawal changes ``changed_at``), the stakeholders' published contributions and the published report
    editions, so a cached page is never served after any of them changes."""
    parts = []
    for row in (
        Publication.objects.aggregate(n=Count("id"), last=Max("changed_at")),
        _published(StakeholderComment).aggregate(n=Count("id"), last=Max("published_at")),
        _published(StakeholderReply).aggregate(n=Count("id"), last=Max("published_at")),
    ):
        last = row["last"].timestamp() if row["last"] else 0
        parts.append(f"{row['n']}-{last:.6f}")
    parts.append(public_editions_fingerprint())
    return "|".join(parts)


def _published(model: Any) -> Any:
    """Other stakeholders' comments or replies the Secretariat published (submitted ones only)."""
    return model.objects.filter(status=ContributionStatus.SUBMITTED, published_at__isnull=False)


def public_report_submissions(consultation_id: int) -> QuerySet[Any]:
    """The submissions a public edition of a report may count (registered with ``reports.audience``): the ones the
    Parties' current publications copy, the same rule as the public pages (a withdrawn or replaced publication
    counts no more; a reply submitted again since is not counted until that submission is published). The answers
    marked not for publication are left out by the reports themselves (``SubmittedAnswer.confidential``, repeated on
    every typed row), as ``publication_publish`` leaves them out of the snapshot. A lazy queryset: no query."""
    return (
        Publication.objects.current()
        .filter(consultation_id=consultation_id, submission__isnull=False)
        .values("submission_id")
    )


def public_consultations() -> list[dict[str, Any]]:
    """Consultations with at least one published reply, newest first, with the number of Parties published."""
    counts = dict(
        Publication.objects.current()
        .values("consultation_id")
        .annotate(n=Count("id"))
        .values_list("consultation_id", "n")
    )
    return [
        {"consultation": consultation, "parties": counts[consultation.pk]}
        for consultation in Consultation.objects.filter(pk__in=list(counts)).order_by("-opens_on", "slug")
    ]


def public_consultation_get(*, slug: str) -> Consultation | None:
    """The consultation if anything of it is published (its page does not exist otherwise)."""
    return Consultation.objects.filter(
        slug=slug, pk__in=Publication.objects.current().values("consultation_id")
    ).first()


def _items(consultation_id: int) -> QuerySet[Item]:
    return (
        Item.objects.filter(consultation_id=consultation_id)
        .select_related("theme")
        .prefetch_related(
            Prefetch("articles", queryset=Article.objects.order_by("number")),
            Prefetch("fields", queryset=Field.objects.order_by("order", "id")),
            Prefetch("fields__options", queryset=Option.objects.order_by("order", "id")),
        )
        .order_by("theme__order", "theme__code", "order", "code")
    )


def public_consultation_page(*, consultation: Consultation) -> dict[str, Any]:
    """The three lists of a consultation's public page: State replies, replies per question, other stakeholders."""
    publications = list(
        Publication.objects.current()
        .filter(consultation=consultation)
        .select_related("party")
        .order_by("party__name_en")
    )
    publications.sort(key=lambda p: p.party.name)
    per_item = dict(
        PublishedAnswer.objects.filter(publication__in=[p.pk for p in publications])
        .values("item_id")
        .annotate(n=Count("id"))
        .values_list("item_id", "n")
    )
    themes: list[dict[str, Any]] = []
    for item in (
        Item.objects.filter(consultation=consultation)
        .select_related("theme")
        .order_by("theme__order", "theme__code", "order", "code")
    ):
        if not themes or themes[-1]["theme"].pk != item.theme_id:
            themes.append({"theme": item.theme, "items": []})
        themes[-1]["items"].append({"item": item, "replies": per_item.get(item.pk, 0)})
    return {
        "consultation": consultation,
        "publications": publications,
        "themes": themes,
        "stakeholders": public_stakeholders(consultation=consultation),
        "reports": public_editions_published(consultation=consultation),
    }


def public_stakeholders(*, consultation: Consultation) -> list[dict[str, Any]]:
    """Organisations with published comments or a published reply to the consultation, by name."""
    comments = dict(
        _published(StakeholderComment)
        .filter(consultation=consultation)
        .values("organisation_id")
        .annotate(n=Count("id"))
        .values_list("organisation_id", "n")
    )
    replies = {
        reply.organisation_id: reply
        for reply in _published(StakeholderReply).filter(consultation=consultation).select_related("organisation")
    }
    organisations = {reply.organisation_id: reply.organisation for reply in replies.values()}
    if set(comments) - set(organisations):
        from accounts.models import Organisation

        organisations.update(Organisation.objects.in_bulk(list(set(comments) - set(organisations))))
    rows = [
        {"organisation": organisation, "comments": comments.get(pk, 0), "reply": replies.get(pk)}
        for pk, organisation in organisations.items()
    ]
    rows.sort(key=lambda row: row["organisation"].name)
    return rows


def public_stakeholder(*, consultation: Consultation, organisation_id: int) -> dict[str, Any] | None:
    """One organisation's published contributions: its own reply (answers by item) and its comments on the
    Parties' replies (by Party, overall first then per item), or None if nothing of it is published."""
    from accounts.models import Organisation

    reply = (
        _published(StakeholderReply)
        .filter(consultation=consultation, organisation_id=organisation_id)
        .prefetch_related("answers__item")
        .first()
    )
    comments = list(
        _published(StakeholderComment)
        .filter(consultation=consultation, organisation_id=organisation_id)
        .select_related("party", "item")
    )
    if reply is None and not comments:
        return None
    comments.sort(key=lambda c: (c.party.name, c.item is not None, c.item.order if c.item else 0, c.submitted_at))
    by_party: list[dict[str, Any]] = []
    for comment in comments:
        if not by_party or by_party[-1]["party"].pk != comment.party_id:
            by_party.append({"party": comment.party, "comments": []})
        by_party[-1]["comments"].append(comment)
    answers = [a for a in reply.answers.all() if a.text.strip()] if reply is not None else []
    answers.sort(key=lambda a: (a.item.order, a.item.code))
    return {
        "organisation": Organisation.objects.select_related("country").get(pk=organisation_id),
        "reply": reply,
        "answers": answers,
        "by_party": by_party,
        "published_parties": set(
            Publication.objects.current().filter(consultation=consultation).values_list("party_id", flat=True)
        ),
    }


@dataclass
class PublicAnswer:
    item: Item
    answer: PublishedAnswer | None
    party: Party | None = None
    fields: list[dict[str, Any]] = field(default_factory=list)


def _answer_fields(item: Item, answer: PublishedAnswer, documents: dict[int, Any]) -> list[dict[str, Any]]:
    return [
        {"field": fld, "display": value_display(fld, answer.data.get(fld.key), attachments=documents)}
        for fld in item.fields.all()
    ]


def public_reply(*, consultation: Consultation, iso2: str, number: int | None = None) -> dict[str, Any] | None:
    """A Party's published reply (its current version, or an earlier version still cited), or None.

    Returns ``publication``, ``versions`` (every version the public may read, newest first), ``themes`` (each
    with ``items`` of ``PublicAnswer``; items the Party did not publish an answer to are listed without one).
    """
    versions = list(
        Publication.objects.visible()
        .filter(consultation=consultation, party__iso2=(iso2 or "").upper())
        .select_related("party")
        .order_by("-number")
    )
    if not versions:
        return None
    if number is None:
        publication = next((v for v in versions if v.superseded_at is None), None)
    else:
        publication = next((v for v in versions if v.number == number), None)
    if publication is None:
        return None
    answers = {a.item_id: a for a in PublishedAnswer.objects.filter(publication=publication)}
    documents = {d.pk: d for d in PublishedDocument.objects.filter(publication=publication)}
    themes: list[dict[str, Any]] = []
    for item in _items(consultation.pk):
        answer = answers.get(item.pk)
        entry = PublicAnswer(item=item, answer=answer)
        if answer is not None:
            entry.fields = _answer_fields(item, answer, documents)
        if not themes or themes[-1]["theme"].pk != item.theme_id:
            themes.append({"theme": item.theme, "items": []})
        themes[-1]["items"].append(entry)
    return {"publication": publication, "party": publication.party, "versions": versions, "themes": themes}


def public_item_replies(*, consultation: Consultation, code: str) -> dict[str, Any] | None:
    """Every Party's published answer to one item (current versions only), or None if none is published."""
    item = _items(consultation.pk).filter(code=code).first()
    if item is None:
        return None
    answers = list(
        PublishedAnswer.objects.filter(
            item=item, publication__in=Publication.objects.current().filter(consultation=consultation)
        ).select_related("party", "publication")
    )
    if not answers:
        return None
    documents = {d.pk: d for d in PublishedDocument.objects.filter(answer__in=[a.pk for a in answers])}
    rows = [
        PublicAnswer(item=item, answer=a, party=a.party, fields=_answer_fields(item, a, documents)) for a in answers
    ]
    rows.sort(key=lambda row: row.party.name if row.party else "")
    return {"item": item, "rows": rows}


def _terms(query: str) -> list[str]:
    return [term for term in query.split() if len(term) > 1][:10]


def _matching(queryset: QuerySet[Any], query: str) -> QuerySet[Any] | None:
    """``queryset`` narrowed to rows whose ``text`` matches the query. PostgreSQL: full-text search in English and
    French (stemmed); elsewhere every word must appear (icontains). None when the query has no word to look for."""
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        condition = Q()
        for _language, config in SEARCH_CONFIGS:
            condition |= Q(**{f"vector_{config}": SearchQuery(query, config=config, search_type="websearch")})
        matched: QuerySet[Any] = queryset.annotate(
            **{f"vector_{config}": SearchVector("text", config=config) for _l, config in SEARCH_CONFIGS}
        ).filter(condition)
        return matched
    terms = _terms(query)
    if not terms:
        return None
    for term in terms:
        queryset = queryset.filter(text__icontains=term)
    return queryset


def public_search(*, consultation: Consultation, query: str) -> list[dict[str, Any]]:
    """Published words that match, in three kinds, State replies first: ``state`` (current published answers),
    ``comment`` (other stakeholders' comments the Secretariat published) and ``stakeholder_reply`` (answers of a
    published stakeholder reply). At most ``SEARCH_RESULTS_MAX`` in all, in three queries."""
    query = (query or "").strip()[:200]
    if not query:
        return []
    answers = _matching(
        PublishedAnswer.objects.filter(publication__in=Publication.objects.current().filter(consultation=consultation)),
        query,
    )
    if answers is None:
        return []
    rows = list(answers.select_related("party", "item").order_by("item__order", "item__code")[:SEARCH_RESULTS_MAX])
    rows.sort(key=lambda a: (a.item.order, a.item.code, a.party.name))
    results = [
        {"kind": "state", "answer": a, "item": a.item, "party": a.party, "excerpt": _excerpt(a.text, query)}
        for a in rows
    ]
    room = SEARCH_RESULTS_MAX - len(results)
    comments = _matching(_published(StakeholderComment).filter(consultation=consultation), query)
    if room > 0 and comments is not None:
        found = list(comments.select_related("organisation", "party", "item").order_by("id")[:room])
        found.sort(key=lambda c: (c.organisation.name, c.party.name, c.item is not None, c.item.order if c.item else 0))
        results += [
            {
                "kind": "comment",
                "organisation": c.organisation,
                "party": c.party,
                "item": c.item,
                "excerpt": _excerpt(c.text, query),
            }
            for c in found
        ]
    room = SEARCH_RESULTS_MAX - len(results)
    replies = _matching(
        StakeholderAnswer.objects.filter(reply__in=_published(StakeholderReply).filter(consultation=consultation)),
        query,
    )
    if room > 0 and replies is not None:
        found_answers = list(
            replies.select_related("reply__organisation", "item").order_by("item__order", "item__code")[:room]
        )
        found_answers.sort(key=lambda a: (a.reply.organisation.name, a.item.order, a.item.code))
        results += [
            {
                "kind": "stakeholder_reply",
                "organisation": a.reply.organisation,
                "item": a.item,
                "excerpt": _excerpt(a.text, query),
            }
            for a in found_answers
        ]
    return results


def _excerpt(text: str, query: str, width: int = 220) -> str:
    """Up to ``width`` characters around the first word of the query found (plain text; the template escapes)."""
    lowered = text.lower()
    position = -1
    for term in _terms(query) or [query]:
        position = lowered.find(term.lower())
        if position >= 0:
            break
    start = max(0, position - width // 3) if position >= 0 else 0
    cut = text[start : start + width]
    return ("…" if start else "") + cut + ("…" if start + width < len(text) else "")


def public_document_get(*, pk: int) -> PublishedDocument | None:
    """A published document, if its version is still readable by the public (not withdrawn)."""
    return (
        PublishedDocument.objects.filter(pk=pk, publication__in=Publication.objects.visible())
        .only("id", "file", "original_name", "content_type", "size")
        .first()
    )


def ui_language() -> str:
    return (get_language() or "en")[:2]
