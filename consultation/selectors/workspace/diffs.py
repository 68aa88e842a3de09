"""An answer's history: every saved version with a word-level diff against the one before."""

from __future__ import annotations

import difflib
import re
from typing import Any

from django.utils.translation import gettext_lazy

from ...models import (
    Answer,
    AnswerRevision,
    Field,
    FieldType,
)
from .formatting import value_display

_TOKENS = re.compile(r"\s+|[^\s]+")


def text_diff(before: str, after: str) -> list[dict[str, str]]:
    """A word-level diff: segments ``{"op": "equal"|"delete"|"insert", "text": ...}`` in reading order."""
    old, new = _TOKENS.findall(before or ""), _TOKENS.findall(after or "")
    segments: list[dict[str, str]] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            segments.append({"op": "equal", "text": "".join(old[i1:i2])})
            continue
        if op in ("delete", "replace"):
            segments.append({"op": "delete", "text": "".join(old[i1:i2])})
        if op in ("insert", "replace"):
            segments.append({"op": "insert", "text": "".join(new[j1:j2])})
    return segments


# How a version was made (``AnswerRevision.source``, a plain string): said in the reader's language. A web save
# says nothing; an unknown source is shown as stored.
REVISION_SOURCE_LABELS = {
    "web": "",
    "import": gettext_lazy("imported from the Excel file"),
    "restore": gettext_lazy("restored from an earlier version"),
    "carry-over": gettext_lazy("carried over from the previous round"),
    "demo": gettext_lazy("demonstration data"),
}


def answer_history(*, answer: Answer) -> list[dict[str, Any]]:
    """Every saved version, newest first, each with a readable per-field diff against the one before."""
    revisions = list(AnswerRevision.objects.filter(answer=answer).select_related("created_by").order_by("version"))
    fields = list(Field.objects.filter(item_id=answer.item_id).prefetch_related("options").order_by("order", "id"))
    entries = []
    previous: dict[str, Any] = {}
    for revision in revisions:
        changes = []
        for fld in fields:
            before, after = previous.get(fld.key), revision.data.get(fld.key)
            if before == after:
                continue
            change: dict[str, Any] = {
                "field": fld,
                "before": value_display(fld, before),
                "after": value_display(fld, after),
            }
            if fld.type == FieldType.TEXT:
                change["segments"] = text_diff(str(before or ""), str(after or ""))
            changes.append(change)
        entries.append(
            {
                "revision": revision,
                "changes": changes,
                "is_current": revision.version == answer.version,
                "source_label": REVISION_SOURCE_LABELS.get(revision.source, revision.source),
            }
        )
        previous = revision.data
    entries.reverse()
    return entries
