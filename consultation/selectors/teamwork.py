"""Reads of the delegation's teamwork: assignments, internal comments, presence, and what changed since "ready".

Each function costs a fixed number of queries whatever the number of items (one per table it reads). Callers
check ``accounts.access.can_view_teamwork`` first: nothing here is ever shown outside the delegation.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from ..models import (
    Answer,
    EditingPresence,
    Item,
    ItemAssignment,
    ItemComment,
    ItemWorkStatus,
    Party,
    Response,
)

# A heartbeat every PRESENCE_BEAT_SECONDS while an item is open; after PRESENCE_TTL_SECONDS without one, the
# person is no longer shown as editing (a closed tab, a lost connection).
PRESENCE_BEAT_SECONDS = 10
PRESENCE_TTL_SECONDS = 30


@dataclass
class ItemTeam:
    """What the reply page and the review page show of an item's teamwork."""

    assignment: ItemAssignment | None = None
    comments_open: int = 0
    comments_total: int = 0
    editing: list[str] = field(default_factory=list)
    changed_since_ready: bool = False

    @property
    def status(self) -> str:
        return self.assignment.status if self.assignment else ItemWorkStatus.TODO

    @property
    def status_label(self) -> str:
        return str(ItemWorkStatus(self.status).label)

    @property
    def overdue(self) -> bool:
        if self.assignment is None or self.assignment.due_on is None:
            return False
        return self.assignment.status != ItemWorkStatus.DONE and self.assignment.due_on < timezone.localdate()


def delegation_colleagues(*, party_id: int) -> list[Any]:
    """The active members and heads of the delegation, by name (one query): whom items can be assigned to."""
    from accounts.models import User

    return list(
        User.objects.filter(membership__party_id=party_id, is_active=True)
        .select_related("membership")
        .order_by("first_name", "last_name", "email")
    )


def editing_now(*, response: Response, user: Any, now: datetime.datetime | None = None) -> dict[int, list[str]]:
    """Item pk to the names of the colleagues (not ``user``) who have it open in the editor now (one query)."""
    if response.pk is None:
        return {}
    now = now or timezone.now()
    rows = (
        EditingPresence.objects.filter(
            response_id=response.pk,
            item__isnull=False,
            seen_at__gte=now - datetime.timedelta(seconds=PRESENCE_TTL_SECONDS),
        )
        .select_related("user")
        .order_by("user__first_name", "user__email")
    )
    user_pk = getattr(user, "pk", None)
    if user_pk is not None:
        rows = rows.exclude(user_id=user_pk)
    editing: dict[int, list[str]] = {}
    for row in rows:
        if row.item_id is not None:
            editing.setdefault(row.item_id, []).append(row.user.display_name)
    return editing


def items_team(
    *, response: Response, user: Any, item_ids: list[int] | None = None, with_presence: bool = True
) -> dict[int, ItemTeam]:
    """Item pk to its ``ItemTeam`` for the given items (all items when None): assignments, comment counts and,
    if asked, presence; three queries (two without presence), none for a reply not saved yet."""
    if response.pk is None:
        return {}
    assignments = ItemAssignment.objects.filter(response_id=response.pk).select_related("assignee")
    comments = ItemComment.objects.filter(response_id=response.pk)
    if item_ids is not None:
        assignments = assignments.filter(item_id__in=item_ids)
        comments = comments.filter(item_id__in=item_ids)
    teams: dict[int, ItemTeam] = {}
    for assignment in assignments:
        teams[assignment.item_id] = ItemTeam(assignment=assignment)
    counts = (
        comments.order_by()
        .values("item_id")
        .annotate(total=Count("id"), unresolved=Count("id", filter=Q(resolved_at__isnull=True)))
    )
    for row in counts:
        team = teams.setdefault(row["item_id"], ItemTeam())
        team.comments_total, team.comments_open = row["total"], row["unresolved"]
    if with_presence:
        for item_id, names in editing_now(response=response, user=user).items():
            if item_ids is None or item_id in item_ids:
                teams.setdefault(item_id, ItemTeam()).editing = names
    return teams


def item_comments(*, response: Response, item: Item) -> list[ItemComment]:
    """The item's internal comments, oldest first, with author, resolver and mentions (two queries)."""
    if response.pk is None:
        return []
    from accounts.models import User

    return list(
        ItemComment.objects.filter(response_id=response.pk, item=item)
        .select_related("author", "resolved_by")
        .prefetch_related(Prefetch("mentions", queryset=User.objects.order_by("first_name")))
        .order_by("created_at", "id")
    )


def item_assignment(*, response: Response, item: Item) -> ItemAssignment | None:
    if response.pk is None:
        return None
    return ItemAssignment.objects.filter(response_id=response.pk, item=item).select_related("assignee").first()


def changed_since_ready(*, response: Response) -> list[Answer]:
    """The answers saved after the reply was last marked ready for sign-off, when an edit has since returned it
    to draft (one query); empty while it is ready or was never marked ready."""
    if response.pk is None or response.ready_at is None or response.ready_reset_at is None:
        return []
    if response.status != "draft":
        return []
    return list(
        Answer.objects.filter(response_id=response.pk, updated_at__gt=response.ready_at)
        .select_related("item", "updated_by")
        .order_by("item__order", "item__code")
    )


def my_items_home(*, party: Party, user: Any, consultation_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Per consultation, the person's assigned items not done yet (by due date: ``item``, ``status``,
    ``status_label``, ``due_on``, ``overdue``) and the delegation's items per internal status; two queries whatever
    the number of consultations and items."""
    mine = (
        ItemAssignment.objects.filter(
            response__party=party, response__consultation_id__in=consultation_ids, assignee_id=user.pk
        )
        .exclude(status=ItemWorkStatus.DONE)
        .select_related("item", "response")
        .order_by("due_on", "item__order")
    )
    result: dict[int, dict[str, Any]] = {pk: {"mine": [], "by_status": [], "assigned": 0} for pk in consultation_ids}
    today = timezone.localdate()
    for assignment in mine:
        result[assignment.response.consultation_id]["mine"].append(
            {
                "item": assignment.item,
                "status": assignment.status,
                "status_label": assignment.get_status_display(),
                "due_on": assignment.due_on,
                "overdue": assignment.due_on is not None and assignment.due_on < today,
            }
        )
    counts = (
        ItemAssignment.objects.filter(response__party=party, response__consultation_id__in=consultation_ids)
        .order_by()
        .values("response__consultation_id", "status")
        .annotate(n=Count("id"))
    )
    by_status: dict[int, dict[str, int]] = {}
    for row in counts:
        by_status.setdefault(row["response__consultation_id"], {})[row["status"]] = row["n"]
    for pk, statuses in by_status.items():
        result[pk]["by_status"] = [
            {"status": value, "label": label, "count": statuses.get(value, 0)}
            for value, label in ItemWorkStatus.choices
        ]
        result[pk]["assigned"] = sum(statuses.values())
    return result


def reply_page_teams(*, page: Any, response: Response, user: Any) -> list[int]:
    """Give every item of a reply page (``paging.ReplyPage``) its ``team``; returns the page's item pks. Three
    queries whatever the number of items."""
    views = [view for group in page.groups for view in group["items"]]
    item_ids = [view.item.pk for view in views]
    teams = items_team(response=response, user=user, item_ids=item_ids)
    for view in views:
        view.team = teams.get(view.item.pk) or ItemTeam()
    return item_ids


def review_teamwork(*, reply_themes: list[dict[str, Any]], response: Response, user: Any, mine: bool) -> dict[str, Any]:
    """The review page's teamwork: each item entry of ``reply_themes`` (``review.reply_readonly_context``) gets
    its ``team`` and whether it ``changed`` since the reply was marked ready; with ``mine``, only the items
    assigned to ``user`` are kept. Three queries whatever the number of items."""
    teams = items_team(response=response, user=user, with_presence=False)
    changed = changed_since_ready(response=response)
    changed_ids = {answer.item_id for answer in changed}
    mine_count = 0
    themes = []
    for group in reply_themes:
        entries = []
        for entry in group["items"]:
            team = teams.get(entry["item"].pk) or ItemTeam()
            team.changed_since_ready = entry["item"].pk in changed_ids
            entry["team"] = team
            is_mine = bool(team.assignment and team.assignment.assignee_id == getattr(user, "pk", None))
            mine_count += is_mine
            if is_mine or not mine:
                entries.append(entry)
        if entries:
            themes.append({**group, "items": entries})
    return {
        "teamwork": True,
        "reply_themes": themes,
        "changed_since_ready": changed,
        "mine_count": mine_count,
        "mine": mine,
    }
