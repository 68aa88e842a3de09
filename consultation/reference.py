"""The Convention's chapters and articles and the Parties, loaded from the project's data files.

Called by a data migration (so every database has them) and by ``load_reference_data`` (so a
corrected data file updates rows in place). Rows are matched on their natural keys and never
deleted: answers and memberships refer to them.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _yes(value: str) -> bool:
    return value.strip().lower() in {"yes", "true", "1"}


def reference_data_load(*, apps: Any = None) -> dict[str, int]:
    """Upsert chapters, articles and Parties; return how many rows were created or changed."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    Chapter = apps.get_model("consultation", "Chapter")
    Article = apps.get_model("consultation", "Article")
    Party = apps.get_model("consultation", "Party")
    changed = {"chapters": 0, "articles": 0, "parties": 0}

    chapters = {}
    for row in _rows("chapters.csv"):
        values = {
            "roman": row["roman"],
            "title": row["title_en"],
            "title_en": row["title_en"],
            "title_fr": row["title_fr"],
        }
        chapter, created = Chapter.objects.get_or_create(number=int(row["number"]), defaults=values)
        if created or _update(chapter, values):
            changed["chapters"] += 1
        chapters[chapter.number] = chapter

    for row in _rows("articles.csv"):
        values = {
            "title": row["title_en"],
            "title_en": row["title_en"],
            "title_fr": row["title_fr"],
            "chapter": chapters[int(row["chapter"])],
        }
        article, created = Article.objects.get_or_create(number=int(row["number"]), defaults=values)
        if created or _update(article, values):
            changed["articles"] += 1

    for row in _rows("parties.csv"):
        values = {
            "name": row["name_en"],
            "name_en": row["name_en"],
            "name_fr": row["name_fr"],
            "is_member_state": _yes(row["is_member_state"]),
            "is_active": _yes(row["is_active"]),
            "preferred_language": row["preferred_language"],
        }
        party, created = Party.objects.get_or_create(iso2=row["iso2"], defaults=values)
        if created or _update(party, {k: v for k, v in values.items() if k != "is_active"}):
            changed["parties"] += 1
    return changed


def _update(obj: Any, values: dict[str, Any]) -> bool:
    dirty = [name for name, value in values.items() if getattr(obj, name) != value]
    if dirty:
        for name in dirty:
            setattr(obj, name, values[name])
        obj.save(update_fields=dirty)
    return bool(dirty)
