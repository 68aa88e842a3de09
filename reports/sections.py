"""Sections that later apps add to the documents, and the generic document they can render.

``reports`` must not import the apps built on it (monitoring, follow-up, publication), yet their findings
belong in the comparative reports: coded comparisons, what changed since the previous round, stakeholder
comments, children's contributions. Such an app registers a *section provider* in its ``AppConfig.ready``;
a report build calls every provider once per edition and prints what they return after the item sections,
in every format. The same plain structure (``Document`` of ``Section`` of blocks) is what the other documents
of the cycle (implementation report, compliance report) are made of, so they are typeset by the same writers.

Everything here is plain text in the edition's language: writers escape it, never parse it as markup.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of text; ``style`` "quote" for a Party's words, "note" for a small explanatory line."""

    text: str
    style: Literal["body", "quote", "note"] = "body"


@dataclass(frozen=True)
class BulletList:
    items: tuple[str, ...]
    numbered: bool = False


@dataclass(frozen=True)
class Table:
    """A table of plain-text cells; ``links`` (same shape as ``rows``, "" for none) are followed in HTML only."""

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    links: tuple[tuple[str, ...], ...] = ()


Block = Paragraph | BulletList | Table


@dataclass(frozen=True)
class Section:
    """A numbered heading with its blocks and subsections; ``key`` is stable across builds (anchors, tests)."""

    key: str
    title: str
    blocks: tuple[Block, ...] = ()
    subsections: tuple[Section, ...] = ()


@dataclass(frozen=True)
class DocumentMeta:
    """What the cover, the running header and the file's metadata say."""

    title: str
    language: str  # "en" or "fr": the edition
    subtitle: str = ""
    symbol: str = ""  # e.g. T-ES(2025)07
    date: datetime.date | None = None
    meeting: str = ""
    classification: Literal["public", "restricted"] = "restricted"


@dataclass(frozen=True)
class Document:
    meta: DocumentMeta
    sections: tuple[Section, ...] = ()
    annexes: tuple[Section, ...] = ()


@dataclass(frozen=True)
class SectionContext:
    """What a provider is asked for: one edition of one report scope of a consultation."""

    consultation_id: int
    scope_kind: str  # overview, article, theme, item, article_theme
    scope_key: str
    item_ids: tuple[int, ...]  # the items the report covers, in questionnaire order
    language: str  # "en" or "fr"
    audience: Literal["committee", "public"] = "committee"


SectionProvider = Callable[[SectionContext], Sequence[Section]]

_providers: dict[str, SectionProvider] = {}


def register_section_provider(key: str, provider: SectionProvider) -> None:
    """Called from a later app's ``AppConfig.ready``; registering the same key again replaces it (reloads)."""
    _providers[key] = provider


def section_providers() -> dict[str, SectionProvider]:
    return dict(_providers)


def sections_for(context: SectionContext) -> list[Section]:
    """Every registered provider's sections for this edition, in registration order."""
    sections: list[Section] = []
    for provider in _providers.values():
        sections.extend(provider(context))
    return sections


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _block_data(block: Block) -> dict[str, Any]:
    return {"kind": type(block).__name__.lower(), **_plain(asdict(block))}


def section_data(section: Section) -> dict[str, Any]:
    """JSON-ready form (stored in a version's data, so the content hash sees a changed section)."""
    return {
        "key": section.key,
        "title": section.title,
        "blocks": [_block_data(b) for b in section.blocks],
        "subsections": [section_data(s) for s in section.subsections],
    }


def section_from_data(data: dict[str, Any]) -> Section:
    """The inverse of ``section_data``."""
    blocks: list[Block] = []
    for raw in data.get("blocks", []):
        kind = raw["kind"]
        if kind == "paragraph":
            blocks.append(Paragraph(text=raw["text"], style=raw.get("style", "body")))
        elif kind == "bulletlist":
            blocks.append(BulletList(items=tuple(raw["items"]), numbered=raw.get("numbered", False)))
        elif kind == "table":
            blocks.append(
                Table(
                    caption=raw["caption"],
                    header=tuple(raw["header"]),
                    rows=tuple(tuple(r) for r in raw["rows"]),
                    links=tuple(tuple(r) for r in raw.get("links", [])),
                )
            )
        else:
            raise ValueError(f"unknown block kind {kind!r}")
    return Section(
        key=data["key"],
        title=data["title"],
        blocks=tuple(blocks),
        subsections=tuple(section_from_data(s) for s in data.get("subsections", [])),
    )


__all__ = [
    "Block",
    "BulletList",
    "Document",
    "DocumentMeta",
    "Paragraph",
    "Section",
    "SectionContext",
    "SectionProvider",
    "Table",
    "register_section_provider",
    "section_data",
    "section_from_data",
    "section_providers",
    "sections_for",
]
