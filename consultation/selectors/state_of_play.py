"""The Secretariat's state of play: who has replied, how far each Party has got, who is late.

Everything is counted in the database. The page costs a fixed number of queries whatever the
number of Parties and items. Read fresh on every request (cheap: a few dozen rows):

1. the themes of the consultation with their item totals, plus a checksum of the items' structure
   (which items, in which theme, in which order);
2. the Parties, LEFT JOINed to their reply in this consultation (no reply row = "not started"):
   state, deadline, extension, last activity.

The expensive part, counted over every answer of the consultation (48,000 rows at 48 Parties ×
1,000 items), is cached:

3. answered / complete counts per Party and theme (one GROUP BY over ``Answer``);
4. the items with the smallest share of answers from the Parties asked (one query over ``Item``);
5. only when some items are put to some Parties only (``ItemAddressee``): the number of such items each Party is
   asked, per theme (one GROUP BY over ``ItemAddressee``).

Addressees: a Party is counted only against the items put to it (``consultation.selectors.addressees``). Its
denominator per theme is the theme's items without addressees plus those addressed to it; an answer to an item not
put to it (left from before the addressees were set) counts nowhere; a cell with nothing put to the Party reads "Not
asked", and a Party asked nothing at all is left out of the summary (not started, overdue, response rate).

A drill-down into one theme adds the page of items of the theme (read fresh) and the answers per
Party and item of that page (cached the same way; with addressees, also the addressee rows of that page's items).

Cache and freshness
-------------------
The cached counts are kept with a **fingerprint** of the data they were counted from, and used only
while the fingerprint read on this request is the same; otherwise they are counted again. The
fingerprint costs no query of its own: it is made of (1) and (2) above, namely

- every reply of the consultation, with its ``last_activity_at``: every service that writes an answer
  (``answer_save``, hence attachments, restores and the demo; ``answers_save_section``, hence the
  offline import; the carry-over of a new round) sets the reply's ``last_activity_at`` to the time of
  the save in the same transaction, and a new or deleted reply changes the list;
- per theme: the number of items and sums over the items' ids and ``id × order`` (an item added,
  removed, moved to another theme or reordered changes them), and the number and a checksum of the addressee rows
  of its items (an item put to one more or one fewer Party changes them);
- the Parties listed (a Party made active or inactive changes the number of Parties asked an item).

Fields are not read: whether an answer is complete is stored on the answer when it is saved, so a field's
``required`` flag changes no figure of the page.

The fingerprint is read before the counts are made, so counts are never older than the fingerprint
they are stored with: the first request after a save sees a new fingerprint and counts again. A
reply's state, deadline and last activity are never cached.

Entries also expire after ``CACHE_SECONDS`` (a minute). This is a safety net for writes that go round
the services and leave ``last_activity_at`` alone (a shell or a raw SQL fix; the Django admin shows
answers read-only) and for item codes renamed in the admin while a round is still a draft: such a change
shows within a minute. The cost is one recount per minute and process at most.

One cache entry per consultation and view (all themes, or one page of a theme's items) holds the
latest counts with their fingerprint, so a busy consultation overwrites its entry rather than
piling up one entry per save. Works with any Django cache: per process with the default local-memory
cache (each gunicorn worker counts once per change), shared with Redis (``CACHE_URL``).

The view caches the rendered summary and matrix the same way, keyed by a digest of exactly what they
show (``consultation.views.secretariat._fragment``): that is why ``PartyRow`` holds plain values only.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import (
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    FloatField,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ..models import Answer, Consultation, Item, ItemAddressee, Party, Response, ResponseStatus, Theme
from .addressees import addressed_q, items_for_party

REPLY_STATES = ("not-started", "draft", "ready", "submitted", "reopened")
STATE_FILTERS = ("not-started", "draft", "ready", "submitted", "reopened", "overdue", "extended", "not-submitted")
SORT_KEYS = (
    "name",
    "-name",
    "state",
    "-state",
    "progress",
    "-progress",
    "activity",
    "-activity",
    "deadline",
    "-deadline",
)
FEWEST_ANSWERED_LIMIT = 5
DRILL_PAGE_SIZE = 50  # item columns per page when drilling into a theme
CACHE_SECONDS = 60  # safety net only: see "Cache and freshness" above
CACHE_PREFIX = "sop2"  # bump when the shape of a cached value changes


def reply_state_label(state: str) -> str:
    return {
        "not-started": _("Not started"),
        "draft": pgettext("reply state", "Draft"),
        "ready": _("Ready for sign-off"),
        "submitted": _("Submitted"),
        "reopened": _("Reopened"),
    }[state]


def state_filter_label(key: str) -> str:
    labels = {
        "overdue": _("Overdue"),
        "extended": _("With an extension"),
        "not-submitted": _("Not submitted"),
    }
    return labels.get(key) or reply_state_label(key)


class Cell:
    """One Party's progress on one theme (or one item in a drill-down), with its text label.

    State and label are computed once here (labels cached per state and percent), so rendering a large
    matrix does no per-cell translation work. ``total`` is what is put to the Party: 0 reads "Not asked".
    """

    __slots__ = ("answered", "complete", "label", "percent", "state", "total")

    def __init__(self, answered: int, complete: int, total: int, labels: dict | None = None) -> None:
        self.answered, self.complete, self.total = answered, complete, total
        self.percent = (100 * complete) // total if total else 0
        if not total:
            self.state = "not-asked"
        elif complete >= total:
            self.state = "complete"
        elif answered == 0:
            self.state = "not-started"
        else:
            self.state = "in-progress"
        key = (self.state, self.percent)
        if labels is not None and key in labels:
            self.label = labels[key]
            return
        if self.state == "not-asked":
            self.label = _("Not asked")
        elif self.state == "complete":
            self.label = _("Complete")
        elif self.state == "not-started":
            self.label = _("Not started")
        else:
            self.label = _("In progress %(percent)d %%") % {"percent": self.percent}
        if labels is not None:
            labels[key] = self.label

    def __repr__(self) -> str:  # everything the page shows of a cell (the matrix's cache key is built from reprs)
        return f"Cell({self.answered}, {self.complete}, {self.total}, {self.state!r}, {self.label!r})"


@dataclass
class ThemeColumn:
    id: int
    code: str
    name: str
    items: int
    checksum: tuple[int, ...] = field(default=(0, 0, 0, 0, 0), repr=False)  # of the theme's items, see fingerprint
    open_items: int | None = None  # items put to every Party (no addressees); None: all of them

    @property
    def addressed(self) -> int:
        """Items of the theme put to some Parties only."""
        return self.items - (self.items if self.open_items is None else self.open_items)


@dataclass
class PartyRow:
    """One Party's line, plain values only: the rendered matrix is cached under a digest of the rows' ``repr``,
    so everything the template shows must be a field here (or derived from the fields)."""

    party_id: int
    iso2: str
    is_member_state: bool
    response_id: int | None
    status: str
    deadline: datetime.date | None
    extended_until: datetime.date | None
    is_overdue: bool
    last_activity_at: datetime.datetime | None
    last_activity_by: str
    submitted_at: datetime.datetime | None
    answered: int = 0
    complete: int = 0
    total: int = 0
    cells: list[Cell] = field(default_factory=list)
    name: str = ""
    state_label: str = ""
    asked: bool = True  # False: none of the consultation's items is put to this Party

    @property
    def percent(self) -> int:
        return (100 * self.complete) // self.total if self.total else 0

    @property
    def display_state(self) -> str:
        """The badge shown: overdue wins over the underlying state, which stays readable next to it."""
        return "overdue" if self.is_overdue else self.status


@dataclass
class Summary:
    parties: int
    started: int
    submitted: int
    ready: int
    overdue: int
    extended: int
    not_started: int
    not_asked: int = 0  # Parties put none of the items, left out of every other figure

    @property
    def response_rate(self) -> int:
        return (100 * self.submitted) // self.parties if self.parties else 0


@dataclass
class StateOfPlay:
    consultation: Consultation
    today: datetime.date
    themes: list[ThemeColumn]
    rows: list[PartyRow]
    summary: Summary
    fewest_answered: list[dict[str, Any]]
    filters: dict[str, str]
    items: int
    addressed_items: int = 0  # items put to some Parties only
    drill_theme: ThemeColumn | None = None
    drill_items: list[dict[str, Any]] = field(default_factory=list)
    drill_page: int = 1
    drill_pages: int = 1
    fingerprint: str = ""

    @property
    def columns(self) -> list[Any]:
        return self.drill_items if self.drill_theme else self.themes


def _display_name(first: str | None, last: str | None, email: str | None) -> str:
    name = f"{first or ''} {last or ''}".strip()
    return name or (email or "")


def party_rows(*, consultation: Consultation, today: datetime.date) -> list[PartyRow]:
    """Every active Party (and any inactive one that has a reply) with its reply, in one LEFT JOIN."""
    parties = (
        Party.objects.annotate(
            reply=FilteredRelation("responses", condition=Q(responses__consultation=consultation)),
        )
        .filter(Q(is_active=True) | Q(reply__id__isnull=False))
        .annotate(
            reply_id=F("reply__id"),
            reply_status=F("reply__status"),
            reply_extended_until=F("reply__extended_until"),
            reply_last_activity_at=F("reply__last_activity_at"),
            reply_submitted_at=F("reply__submitted_at"),
            reply_by_first=F("reply__last_activity_by__first_name"),
            reply_by_last=F("reply__last_activity_by__last_name"),
            reply_by_email=F("reply__last_activity_by__email"),
        )
        .order_by("name_en")
        # Plain values (the name in the active language, with modeltranslation's fallback): no model instances.
        .values(
            "id",
            "iso2",
            "name",
            "is_member_state",
            "reply_id",
            "reply_status",
            "reply_extended_until",
            "reply_last_activity_at",
            "reply_submitted_at",
            "reply_by_first",
            "reply_by_last",
            "reply_by_email",
        )
    )
    rows = []
    state_labels = {state: reply_state_label(state) for state in REPLY_STATES}
    for party in parties:
        status = party["reply_status"] or "not-started"
        deadline = party["reply_extended_until"] or consultation.closes_on
        overdue = status != ResponseStatus.SUBMITTED and deadline is not None and today > deadline
        rows.append(
            PartyRow(
                party_id=party["id"],
                iso2=party["iso2"],
                is_member_state=party["is_member_state"],
                response_id=party["reply_id"],
                status=status,
                deadline=deadline,
                extended_until=party["reply_extended_until"],
                is_overdue=overdue,
                last_activity_at=party["reply_last_activity_at"],
                last_activity_by=_display_name(
                    party["reply_by_first"], party["reply_by_last"], party["reply_by_email"]
                ),
                submitted_at=party["reply_submitted_at"],
                name=party["name"],
                state_label=state_labels[status],
            )
        )
    return rows


def theme_columns(*, consultation: Consultation) -> list[ThemeColumn]:
    """The themes used by the consultation, with their item totals (one GROUP BY over the items, no other join).

    Each column also carries a checksum of its items (sums of ids and of ``id × order``, the largest id) and of their
    addressee rows (number and a sum over item and Party ids, two subqueries of the same statement): part of the cache
    fingerprint, so that an item added, removed, moved to another theme, reordered or put to other Parties is seen
    without reading the items one by one. ``open_items`` counts the items put to every Party."""
    addressees = (
        ItemAddressee.objects.filter(item__consultation=consultation, item__theme_id=OuterRef("pk"))
        .order_by()
        .values("item__theme_id")
    )
    themes = (
        Theme.objects.filter(items__consultation=consultation)
        .annotate(
            item_count=Count("items"),
            open_count=Count("items", filter=~Exists(ItemAddressee.objects.filter(item_id=OuterRef("items__id")))),
            id_sum=Sum("items__id"),
            order_sum=Sum(F("items__id") * F("items__order")),
            max_id=Max("items__id"),
            addressee_count=Subquery(addressees.annotate(n=Count("id")).values("n"), output_field=IntegerField()),
            addressee_sum=Subquery(
                addressees.annotate(n=Sum(F("item_id") * F("party_id") + F("party_id"))).values("n"),
                output_field=IntegerField(),
            ),
        )
        .order_by("order", "code")
    )
    return [
        ThemeColumn(
            t.pk,
            t.code,
            t.name,
            t.item_count,
            (t.id_sum, t.order_sum, t.max_id, t.addressee_count or 0, t.addressee_sum or 0),
            t.open_count,
        )
        for t in themes
    ]


def fingerprint(*, themes: list[ThemeColumn], rows: list[PartyRow]) -> str:
    """A digest of what the cached counts depend on, from data read anyway (see "Cache and freshness")."""
    structure = [(t.id, t.items, t.checksum) for t in themes]
    replies = sorted((r.response_id, r.last_activity_at) for r in rows if r.response_id is not None)
    parties = sorted(r.party_id for r in rows)
    return hashlib.sha1(repr((structure, replies, parties)).encode(), usedforsecurity=False).hexdigest()


def cached_for_version(*, key: str, version: Any, compute: Callable[[], Any]) -> Any:
    """The value stored under ``key`` if it was computed for ``version``; else compute, store and return it (one
    entry per key, overwritten when the version changes; the counts here and the page's fragments use it)."""
    stored = cache.get(key)
    if stored is not None and stored[0] == version:
        return stored[1]
    value = compute()
    cache.set(key, (version, value), CACHE_SECONDS)
    return value


def _progress_counts(
    *, consultation: Consultation, by: str, item_filter: Q | None = None, addressed: bool = False
) -> dict[tuple, tuple]:
    """(party id, theme or item id) -> (answered, complete), counted in the database.

    With ``addressed`` (the consultation has items put to some Parties only), an answer counts only if its item is
    put to the answering Party (an ``EXISTS`` per row, same single GROUP BY)."""
    answers = Answer.objects.filter(response__consultation=consultation)
    if item_filter is not None:
        answers = answers.filter(item_filter)
    if addressed:
        answers = answers.filter(addressed_q("item", "response__party_id"))
    rows = (
        answers.values("response__party_id", by)
        .annotate(
            answered=Count("id", filter=Q(is_answered=True)),
            complete=Count("id", filter=Q(is_answered=True, is_complete=True)),
        )
        .order_by()
    )
    return {(r["response__party_id"], r[by]): (r["answered"], r["complete"]) for r in rows}


def _addressed_counts(*, consultation: Consultation) -> dict[tuple[int, int], int]:
    """(party id, theme id) -> the theme's items put to that Party by name (one GROUP BY over the addressee rows)."""
    rows = (
        ItemAddressee.objects.filter(item__consultation=consultation)
        .values("party_id", "item__theme_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(r["party_id"], r["item__theme_id"]): r["n"] for r in rows}


def fewest_answered_items(
    *, consultation: Consultation, parties: int, limit: int = FEWEST_ANSWERED_LIMIT
) -> list[dict[str, Any]]:
    """The items the smallest share of the Parties asked have answered so far (ties in questionnaire order).

    Each row: ``answered`` (by Parties the item is put to), ``asked`` (its addressees, or ``parties`` when it is put
    to every Party) and ``addressee_count`` (None when put to every Party). One query: the counts are subqueries per
    item, ordered by answered / asked in the database."""
    addressees = (
        ItemAddressee.objects.filter(item_id=OuterRef("pk")).order_by().values("item_id").annotate(n=Count("id"))
    )
    answered = (
        Answer.objects.filter(item_id=OuterRef("pk"), is_answered=True)
        .filter(addressed_q("item", "response__party_id"))
        .order_by()
        .values("item_id")
        .annotate(n=Count("id"))
    )
    share = ExpressionWrapper(F("answered") * Value(1.0) / NullIf(F("asked"), 0), output_field=FloatField())
    return list(
        Item.objects.filter(consultation=consultation)
        .annotate(
            answered=Coalesce(Subquery(answered.values("n"), output_field=IntegerField()), 0),
            addressee_count=Subquery(addressees.values("n"), output_field=IntegerField()),
            asked=Coalesce(F("addressee_count"), Value(parties)),
        )
        .order_by(share.asc(nulls_last=True), "order", "code")
        .values("id", "code", "answered", "asked", "addressee_count")[:limit]
    )


def _summary(all_rows: list[PartyRow]) -> Summary:
    """The figures over the Parties asked at least one item (the others are only counted as not asked)."""
    rows = [r for r in all_rows if r.asked]
    return Summary(
        parties=len(rows),
        started=sum(1 for r in rows if r.status != "not-started"),
        submitted=sum(1 for r in rows if r.status == ResponseStatus.SUBMITTED),
        ready=sum(1 for r in rows if r.status == ResponseStatus.READY),
        overdue=sum(1 for r in rows if r.is_overdue),
        extended=sum(1 for r in rows if r.extended_until),
        not_started=sum(1 for r in rows if r.status == "not-started"),
        not_asked=len(all_rows) - len(rows),
    )


def _matches(row: PartyRow, *, state: str, member: str) -> bool:
    if member == "member" and not row.is_member_state:
        return False
    if member == "non-member" and row.is_member_state:
        return False
    if not state:
        return True
    if state == "overdue":
        return row.is_overdue
    if state == "extended":
        return row.extended_until is not None
    if state == "not-submitted":
        return row.status != ResponseStatus.SUBMITTED
    return row.status == state


_STATE_ORDER = {"not-started": 0, "draft": 1, "reopened": 2, "ready": 3, "submitted": 4}
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def _sort_key(key: str):
    if key == "state":
        return lambda r: (not r.is_overdue, _STATE_ORDER[r.status], r.name)
    if key == "progress":
        return lambda r: (r.percent, r.answered, r.name)
    if key == "activity":
        return lambda r: (r.last_activity_at or _EPOCH, r.name)
    if key == "deadline":
        return lambda r: (r.deadline or datetime.date.max, r.name)
    return lambda r: r.name.casefold()


def clean_filters(params: Any) -> dict[str, str]:
    """Keep only known filter values, so a tampered URL shows everything rather than failing."""
    state = params.get("state", "")
    member = params.get("member", "")
    sort = params.get("sort", "name")
    return {
        "state": state if state in STATE_FILTERS else "",
        "member": member if member in ("member", "non-member") else "",
        "theme": (params.get("theme", "") or "")[:40],
        "sort": sort if sort in SORT_KEYS else "name",
        "page": page if (page := str(params.get("page", "") or "")).isdigit() and 0 < int(page) < 10_000 else "",
    }


def state_of_play(
    *, consultation: Consultation, filters: dict[str, str] | None = None, today: datetime.date | None = None
) -> StateOfPlay:
    """The matrix of Parties by themes (or by the items of one theme), the summary, and the laggard items."""
    today = today or timezone.localdate()
    filters = filters or clean_filters({})
    # Fresh reads first: the fingerprint must not be newer than the counts stored with it.
    themes = theme_columns(consultation=consultation)
    rows = party_rows(consultation=consultation, today=today)
    version = fingerprint(themes=themes, rows=rows)
    base_key = f"{CACHE_PREFIX}:{consultation.pk}"
    # Items put to some Parties only: their denominators are per Party (one more GROUP BY, only then).
    addressed = any(t.addressed for t in themes)
    counts, fewest, asked = cached_for_version(
        key=f"{base_key}:themes",
        version=version,
        compute=lambda: (
            _progress_counts(consultation=consultation, by="item__theme_id", addressed=addressed),
            fewest_answered_items(consultation=consultation, parties=len(rows)),
            _addressed_counts(consultation=consultation) if addressed else {},
        ),
    )
    drill = next((t for t in themes if t.code == filters.get("theme")), None)
    total_items = sum(t.items for t in themes)
    labels: dict = {}
    for row in rows:
        for theme in themes:
            answered, complete = counts.get((row.party_id, theme.id), (0, 0))
            put = theme.items if not addressed else (theme.open_items or 0) + asked.get((row.party_id, theme.id), 0)
            row.answered += answered
            row.complete += complete
            row.total += put
            if drill is None:
                row.cells.append(Cell(answered, complete, put, labels))
        # A Party put none of the items is not waited for (a consultation without items waits for everyone).
        row.asked = row.total > 0 or total_items == 0
        row.is_overdue = row.is_overdue and row.asked
    drill_items: list[dict[str, Any]] = []
    drill_page = int(filters.get("page") or 1)
    drill_pages = 1
    if drill is not None:
        drill_pages = max(1, -(-drill.items // DRILL_PAGE_SIZE))
        drill_page = min(drill_page, drill_pages)
        start = (drill_page - 1) * DRILL_PAGE_SIZE
        drill_items = list(
            Item.objects.filter(consultation=consultation, theme_id=drill.id)
            .order_by("order", "code")
            .values("id", "code")[start : start + DRILL_PAGE_SIZE]
        )
        item_ids = [i["id"] for i in drill_items]
        item_counts, item_addressees = cached_for_version(
            key=f"{base_key}:theme-{drill.id}:page-{drill_page}",
            version=(version, item_ids),
            compute=lambda: (
                _progress_counts(
                    consultation=consultation, by="item_id", item_filter=Q(item_id__in=item_ids), addressed=addressed
                ),
                set(ItemAddressee.objects.filter(item_id__in=item_ids).values_list("item_id", "party_id"))
                if addressed
                else set(),
            ),
        )
        restricted = {item_id for item_id, _party_id in item_addressees}
        for row in rows:
            for item in drill_items:
                answered, complete = item_counts.get((row.party_id, item["id"]), (0, 0))
                put = item["id"] not in restricted or (item["id"], row.party_id) in item_addressees
                row.cells.append(Cell(answered, complete, int(put), labels))
    summary = _summary(rows)
    visible = [r for r in rows if _matches(r, state=filters.get("state", ""), member=filters.get("member", ""))]
    sort = filters.get("sort", "name")
    visible.sort(key=_sort_key(sort.lstrip("-")), reverse=sort.startswith("-"))
    return StateOfPlay(
        consultation=consultation,
        today=today,
        themes=themes,
        rows=visible,
        summary=summary,
        fewest_answered=fewest,
        filters=filters,
        items=total_items,
        addressed_items=sum(t.addressed for t in themes),
        drill_theme=drill,
        drill_items=drill_items,
        drill_page=drill_page,
        drill_pages=drill_pages,
        fingerprint=version,
    )


def consultations_overview() -> list[dict[str, Any]]:
    """The dashboard: every consultation with its reply counts (three GROUP BY queries, no cross join; a fourth only
    when a consultation puts every one of its items to some Parties only).

    The Parties counted are those asked at least one item: every active Party while one item is put to all, else
    the active Parties named as addressees. ``addressed`` is the number of items put to some Parties only."""
    active = Party.objects.filter(is_active=True).count()
    restricted = ItemAddressee.objects.filter(item_id=OuterRef("pk"))
    # order_by(): the item model's default ordering would join the GROUP BY and count one item per row.
    items = {
        row["consultation_id"]: row
        for row in Item.objects.order_by()
        .values("consultation_id")
        .annotate(n=Count("id"), addressed=Count("id", filter=Exists(restricted)))
    }
    only_addressed = [pk for pk, row in items.items() if row["n"] and row["n"] == row["addressed"]]
    asked = {}
    if only_addressed:
        asked = dict(
            ItemAddressee.objects.filter(item__consultation_id__in=only_addressed, party__is_active=True)
            .order_by()
            .values("item__consultation_id")
            .annotate(n=Count("party_id", distinct=True))
            .values_list("item__consultation_id", "n")
        )
    # A reply counts if its Party is asked an item of its consultation (or the consultation has none yet).
    consultation_items = Item.objects.filter(consultation_id=OuterRef("consultation_id"))
    asked_reply = Q(Exists(items_for_party(consultation_items, party_id=OuterRef("party_id")))) | ~Exists(
        consultation_items
    )
    replies = {
        row["consultation_id"]: row
        for row in Response.objects.values("consultation_id")
        .annotate(
            started=Count("id", filter=asked_reply),
            submitted=Count("id", filter=asked_reply & Q(status=ResponseStatus.SUBMITTED)),
        )
        .order_by()
    }
    overview = []
    for consultation in Consultation.objects.order_by("-created_at", "slug"):
        counts = replies.get(consultation.pk, {"started": 0, "submitted": 0})
        item_counts = items.get(consultation.pk, {"n": 0, "addressed": 0})
        parties = asked.get(consultation.pk, 0) if consultation.pk in only_addressed else active
        overview.append(
            {
                "consultation": consultation,
                "items": item_counts["n"],
                "addressed": item_counts["addressed"],
                "parties": parties,
                "started": counts["started"],
                "submitted": counts["submitted"],
                "response_rate": (100 * counts["submitted"]) // parties if parties else 0,
            }
        )
    return overview
