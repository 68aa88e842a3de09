"""Who is rapporteur of what: the facts ``accounts.access`` rules receive from their callers."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from consultation.models import Consultation, Item

from ..models import RapporteurAssignment


def rapporteur_item_ids(*, user: Any, consultation: Consultation) -> set[int]:
    """The items the person is rapporteur of: assigned directly, or through an article the item is tagged with."""
    if not getattr(user, "is_authenticated", False):
        return set()
    rows = RapporteurAssignment.objects.filter(user_id=user.pk, consultation=consultation).values_list(
        "item_id", "article_id"
    )
    item_ids = {item_id for item_id, _ in rows if item_id}
    article_ids = {article_id for _, article_id in rows if article_id}
    if article_ids:
        item_ids |= set(
            Item.objects.filter(consultation=consultation, articles__in=article_ids).values_list("pk", flat=True)
        )
    return item_ids


def is_rapporteur_of_item(*, user: Any, item: Item) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return RapporteurAssignment.objects.filter(
        Q(item=item) | Q(consultation_id=item.consultation_id, article__in=item.articles.all()), user_id=user.pk
    ).exists()


def is_rapporteur_in_consultation(*, user: Any, consultation: Consultation) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return RapporteurAssignment.objects.filter(user_id=user.pk, consultation=consultation).exists()


def assignments_of_consultation(*, consultation: Consultation) -> list[RapporteurAssignment]:
    return list(
        RapporteurAssignment.objects.filter(consultation=consultation).select_related("user", "item", "article")
    )


def rapporteurs_by_item(*, consultation: Consultation) -> dict[int, list[Any]]:
    """Per item id, its rapporteurs (direct and through the item's articles)."""
    assignments = assignments_of_consultation(consultation=consultation)
    items = Item.objects.filter(consultation=consultation).prefetch_related("articles")
    result: dict[int, list[Any]] = {item.pk: [] for item in items}
    by_article: dict[int, list[Any]] = {}
    for assignment in assignments:
        if assignment.item_id:
            result.setdefault(assignment.item_id, []).append(assignment.user)
        elif assignment.article_id:
            by_article.setdefault(assignment.article_id, []).append(assignment.user)
    for item in items:
        for article in item.articles.all():
            for user in by_article.get(article.pk, []):
                if user not in result[item.pk]:
                    result[item.pk].append(user)
    return result
