"""The confirmation: every change of the preview saved in one transaction, or nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from ...answer_values import AnswerInvalid
from ...models import Item, Response
from ..answers import ReplyLocked, SectionChange, SectionConflict, answers_save_section, response_get_or_create
from ..responses import reply_audit
from .common import ImportNotApplied
from .preview import ImportPreview


@dataclass
class ImportResult:
    saved: list[str]
    kept_online: list[str]


@transaction.atomic
def offline_import_apply(
    *, response: Response, preview: ImportPreview, take_file: set[str], user: Any, request: Any = None
) -> ImportResult:
    """Save every change of the preview (and each conflict the person chose to take from the file)
    in one transaction through ``answers_save_section``, which validates again; all or nothing.

    Raises ``ImportNotApplied`` when the preview has errors, an answer changed since the preview,
    a value is no longer valid, or the reply is locked.
    """
    if preview.has_errors:
        raise ImportNotApplied(_("The file has errors; correct them and upload it again. Nothing was saved."))
    if response.pk is None:  # the Party's first answers: its reply row is created now, with them
        response = response_get_or_create(consultation=response.consultation, party=response.party)
    items = {item.pk: item for item in Item.objects.filter(pk__in=[c.item_id for c in preview.changes])}
    saved, kept, section = [], [], []
    for change in preview.changes:
        if change.conflict and change.item_code not in take_file:
            kept.append(change.item_code)
            continue
        item = items.get(change.item_id)
        if item is None or item.consultation_id != response.consultation_id:
            raise ImportNotApplied(_("Item %(code)s no longer exists.") % {"code": change.item_code})
        section.append(SectionChange(item=item, data=change.data, base_version=change.online_version))
        saved.append(change.item_code)
    try:
        answers_save_section(
            response=response,
            changes=section,
            user=user,
            language=getattr(user, "preferred_language", "en") or "en",
            source="import",
            note=(_("Imported from %(file)s") % {"file": preview.filename})[:255],
        )
    except SectionConflict as exc:
        current = exc.conflicts[0]
        raise ImportNotApplied(
            _(
                "%(code)s was changed online after the preview (now version %(version)d). Nothing was saved; upload the file again."
            )
            % {"code": current.item.code, "version": current.version}
        ) from exc
    except AnswerInvalid as exc:
        raise ImportNotApplied(
            _("A value is no longer valid (%(errors)s). Nothing was saved.") % {"errors": exc}
        ) from exc
    except ReplyLocked as exc:
        raise ImportNotApplied(str(exc)) from exc
    reply_audit(
        "reply.imported",
        response=response,
        user=user,
        request=request,
        file=preview.filename,
        saved=saved,
        kept_online=kept,
    )
    return ImportResult(saved=saved, kept_online=kept)
