"""Supporting documents attached to answers: checked by content, stored outside the static root.

A file is accepted only if its name and its content agree on one of the accepted types (PDF,
DOCX, ODT, XLSX). The content is read, not trusted from the name or the browser's content type:
a PDF starts with ``%PDF-``; DOCX, XLSX and ODT are ZIP containers told apart by their
``[Content_Types].xml`` or ``mimetype`` entry (read with a size cap, so a ZIP bomb costs nothing).
Adding or removing a file is a new version of the answer, so history and conflicts cover it.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Sequence
from pathlib import PurePath
from typing import IO, Any

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from accounts.services import audit_record

from ..models import Answer, Attachment, Field, FieldType, Item, Response
from .answers import ReplyLocked, answer_save, reply_lock_reason, response_get_or_create

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ACCEPTED = {".pdf": PDF, ".docx": DOCX, ".xlsx": XLSX, ".odt": ODT}
TYPE_NAMES = {PDF: "PDF", DOCX: "DOCX", XLSX: "XLSX", ODT: "ODT"}
ZIP_ENTRY_READ_LIMIT = 64 * 1024
ZIP_MAX_ENTRIES = 10_000
MAX_ATTACHMENTS_PER_FIELD = 20


class AttachmentRefused(ValueError):
    """The file cannot be accepted; the message says why, for the person who uploaded it."""


class AttachmentSourceMissing(AttachmentRefused):
    """A document to copy is no longer in storage, or no longer holds what was attached: nothing is copied."""


def _zip_kind(head: IO[bytes]) -> str | None:
    try:
        with zipfile.ZipFile(head) as archive:
            infos = archive.infolist()
            if len(infos) > ZIP_MAX_ENTRIES:
                return None
            names = {info.filename: info for info in infos}
            mimetype = names.get("mimetype")
            if mimetype is not None and mimetype.file_size <= ZIP_ENTRY_READ_LIMIT:
                if archive.read(mimetype).strip() == ODT.encode():
                    return ODT
            types = names.get("[Content_Types].xml")
            if types is not None and types.file_size <= ZIP_ENTRY_READ_LIMIT:
                content = archive.read(types)
                if b"wordprocessingml.document.main+xml" in content:
                    return DOCX
                if b"spreadsheetml.sheet.main+xml" in content:
                    return XLSX
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
        return None
    return None


def attachment_content_type(*, upload: UploadedFile) -> str:
    """The accepted content type of ``upload``, checked from its bytes; raises ``AttachmentRefused``."""
    name = upload.name or ""
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise AttachmentRefused(
            _("“%(name)s” is %(size)s; the limit is %(limit)s per file.")
            % {"name": name, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
        )
    if not upload.size:
        raise AttachmentRefused(_("“%(name)s” is empty.") % {"name": name})
    expected = ACCEPTED.get(PurePath(name).suffix.lower())
    if expected is None:
        raise AttachmentRefused(
            _("“%(name)s” is not an accepted type: attach a PDF, DOCX, ODT or XLSX file.") % {"name": name}
        )
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    found: str | None
    if head.startswith(b"%PDF-"):
        found = PDF
    elif head.startswith(b"PK\x03\x04"):
        found = _zip_kind(upload)
        upload.seek(0)
    else:
        found = None
    if found != expected:
        guess = filetype.guess(upload.read(8192))
        upload.seek(0)
        actual = (TYPE_NAMES.get(found) if found else None) or (guess.mime if guess else _("an unknown format"))
        raise AttachmentRefused(
            _("“%(name)s” is named as a %(expected)s file but its content is %(actual)s; the file was refused.")
            % {"name": name, "expected": TYPE_NAMES[expected], "actual": actual}
        )
    return found


def _sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _safe_name(name: str) -> str:
    cleaned = PurePath(name.replace("\\", "/")).name.strip().replace("\x00", "")
    return cleaned[-200:] or "document"


@transaction.atomic
def attachment_add(
    *, response: Response, item: Item, field_key: str, upload: UploadedFile, user: Any, request: Any = None
) -> Attachment:
    """Check and store a document, and add it to the answer as a new version."""
    fld = item.fields.filter(key=field_key, type=FieldType.ATTACHMENT).first()
    if fld is None:
        raise AttachmentRefused(_("This item takes no attachment here."))
    content_type = attachment_content_type(upload=upload)
    if response.pk is None:
        response = response_get_or_create(consultation=response.consultation, party=response.party)
    response = Response.objects.select_for_update().select_related("consultation", "party").get(pk=response.pk)
    reason = reply_lock_reason(response=response)
    if reason:
        raise ReplyLocked(reason)
    answer, _created = Answer.objects.select_for_update().get_or_create(
        response=response, item=item, defaults={"language": getattr(user, "preferred_language", "en") or "en"}
    )
    current = list(answer.data.get(fld.key, []))
    if len(current) >= MAX_ATTACHMENTS_PER_FIELD:
        raise AttachmentRefused(
            _("At most %(count)d documents can be attached here.") % {"count": MAX_ATTACHMENTS_PER_FIELD}
        )
    name = _safe_name(upload.name or "")
    attachment = Attachment(
        answer=answer,
        field=fld,
        original_name=name,
        content_type=content_type,
        size=upload.size or 0,  # attachment_content_type refused an empty or unsized upload
        sha256=_sha256(upload),
        uploaded_by=user,
    )
    attachment.file.save(name, upload, save=False)
    try:
        attachment.save()
        data = {**answer.data, fld.key: [*current, attachment.pk]}
        answer_save(
            response=response,
            item=item,
            data=data,
            base_version=answer.version,
            user=user,
            language=answer.language,
            note=(_("Attached %(name)s") % {"name": name})[:200],
        )
        audit_record(
            event_type="attachment.added",
            actor=user,
            party=response.party,
            consultation=response.consultation,
            object_repr=f"{item.code}: {name}",
            request=request,
            extra={"attachment": attachment.pk, "sha256": attachment.sha256, "size": attachment.size},
        )
    except Exception:
        attachment.file.storage.delete(attachment.file.name)  # no orphan file when nothing is recorded
        raise
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: Attachment, user: Any, request: Any = None) -> Answer:
    """Remove a document from its answer (a new version), then delete the stored file after commit."""
    response = (
        Response.objects.select_for_update()
        .select_related("consultation", "party")
        .get(pk=attachment.answer.response_id)
    )
    reason = reply_lock_reason(response=response)
    if reason:
        raise ReplyLocked(reason)
    answer = Answer.objects.select_for_update().select_related("item").get(pk=attachment.answer_id)
    key = attachment.field.key
    remaining = [pk for pk in answer.data.get(key, []) if pk != attachment.pk]
    data = {k: v for k, v in answer.data.items() if k != key}
    if remaining:
        data[key] = remaining
    name = attachment.original_name
    stored = attachment.file.name
    saved = answer_save(
        response=response,
        item=answer.item,
        data=data,
        base_version=answer.version,
        user=user,
        language=answer.language,
        note=(_("Removed %(name)s") % {"name": name})[:200],
    )
    attachment.delete()
    storage = attachment.file.storage
    transaction.on_commit(lambda: storage.delete(stored))
    audit_record(
        event_type="attachment.removed",
        actor=user,
        party=response.party,
        consultation=response.consultation,
        object_repr=f"{answer.item.code}: {name}",
        request=request,
    )
    return saved


def _source_read(source: Attachment) -> bytes:
    """The stored bytes of ``source``, checked against the digest taken at upload; raises ``AttachmentSourceMissing``."""
    name = source.original_name
    if not source.file or not source.file.storage.exists(source.file.name):
        raise AttachmentSourceMissing(
            _("The document “%(name)s” is no longer in storage, so it cannot be copied.") % {"name": name}
        )
    try:
        with source.file.storage.open(source.file.name, "rb") as handle:
            content: bytes = handle.read()
    except OSError as exc:
        raise AttachmentSourceMissing(
            _("The document “%(name)s” is no longer in storage, so it cannot be copied.") % {"name": name}
        ) from exc
    if hashlib.sha256(content).hexdigest() != source.sha256:
        raise AttachmentSourceMissing(
            _("The document “%(name)s” in storage no longer matches the one attached, so it cannot be copied.")
            % {"name": name}
        )
    return content


def attachments_copy(*, copies: Sequence[tuple[Attachment, Field]], answer: Answer, user: Any) -> list[Attachment]:
    """Copy documents of another answer onto ``answer`` as new stored files and rows (same bytes, name, type and
    digest; uploaded now by ``user``; the confidentiality mark is left to this answer's own sign-off).

    ``copies`` pairs each source document with the attachment field of ``answer``'s item it goes to. Every source is
    read and checked before anything is written, so a missing one (``AttachmentSourceMissing``) copies nothing. The
    caller writes the answer's value naming the copies, in its own transaction; if that fails, it removes the copied
    files with ``attachment_copies_discard`` (files are not transactional). The answer's value is not changed here.
    """
    contents = [(source, fld, _source_read(source)) for source, fld in copies]
    made: list[Attachment] = []
    try:
        for source, fld, content in contents:
            name = _safe_name(source.original_name)
            copy = Attachment(
                answer=answer,
                field=fld,
                original_name=name,
                content_type=source.content_type,
                size=len(content),
                sha256=source.sha256,
                uploaded_by=user if getattr(user, "is_authenticated", False) else None,
            )
            copy.file.save(name, ContentFile(content), save=False)
            made.append(copy)
            copy.save()
    except Exception:
        attachment_copies_discard(made)
        raise
    return made


def attachment_copies_discard(copies: Sequence[Attachment]) -> None:
    """Remove the stored files of copies whose transaction is not committing (their rows roll back with it)."""
    for copy in copies:
        if copy.file.name:
            copy.file.storage.delete(copy.file.name)
