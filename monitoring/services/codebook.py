"""The consultation's codebook: codes (EN/FR name and definition) in groups, and its REFI-QDA exchange.

A REFI-QDA codebook (``.qdc``, namespace ``urn:QDA-XML:codebook:1.0``) holds one language: the export writes
the English or the French names and definitions, with each code's and group's GUID; importing matches codes and
groups by GUID (then by name), so exporting both languages and importing both files rebuilds the codebook
exactly, and importing a file again changes nothing. Groups are REFI-QDA ``Set`` elements.
"""

from __future__ import annotations

import re
import uuid
from typing import Any
from xml.etree import ElementTree as ET

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.services import audit_record
from consultation.models import Consultation

from ..errors import CodebookInvalid
from ..models import Code, CodeGroup

NS = "urn:QDA-XML:codebook:1.0"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = "urn:QDA-XML:codebook:1.0 Codebook.xsd"
GUID = re.compile(r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$")
COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")
MAX_QDC_BYTES = 2_000_000


def _name(value: str, *, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise CodebookInvalid(_("The %(what)s needs an English name.") % {"what": what})
    if len(value) > 120:
        raise CodebookInvalid(_("Names are limited to 120 characters."))
    return value


@transaction.atomic
def code_group_create(
    *, consultation: Consultation, name_en: str, name_fr: str = "", user: Any, request: Any = None
) -> CodeGroup:
    name_en = _name(name_en, what=_("group"))
    existing = CodeGroup.objects.filter(consultation=consultation, name_en__iexact=name_en).first()
    if existing is not None:
        raise CodebookInvalid(_("A group named “%(name)s” already exists.") % {"name": existing.name_en})
    order = CodeGroup.objects.filter(consultation=consultation).count()
    group = CodeGroup.objects.create(
        consultation=consultation, name_en=name_en, name_fr=(name_fr or "").strip(), order=order
    )
    audit_record(
        event_type="monitoring.code_group_created",
        actor=user,
        consultation=consultation,
        object_repr=name_en,
        request=request,
    )
    return group


@transaction.atomic
def code_create(
    *,
    consultation: Consultation,
    name_en: str,
    user: Any,
    name_fr: str = "",
    definition_en: str = "",
    definition_fr: str = "",
    group: CodeGroup | None = None,
    color: str = "",
    request: Any = None,
) -> Code:
    name_en = _name(name_en, what=_("code"))
    if group is not None and group.consultation_id != consultation.pk:
        raise CodebookInvalid(_("This group belongs to another consultation."))
    if color and not COLOR.match(color):
        raise CodebookInvalid(_("A colour is written #RRGGBB."))
    existing = Code.objects.filter(consultation=consultation, name_en__iexact=name_en).first()
    if existing is not None:
        raise CodebookInvalid(_("A code named “%(name)s” already exists.") % {"name": existing.name_en})
    order = Code.objects.filter(consultation=consultation).count()
    code = Code.objects.create(
        consultation=consultation,
        name_en=name_en,
        name_fr=(name_fr or "").strip(),
        definition_en=(definition_en or "").strip(),
        definition_fr=(definition_fr or "").strip(),
        group=group,
        color=color.upper(),
        order=order,
    )
    audit_record(
        event_type="monitoring.code_created",
        actor=user,
        consultation=consultation,
        object_repr=name_en,
        request=request,
    )
    return code


def codebook_qdc_export(*, consultation: Consultation, language: str = "en") -> bytes:
    """The codebook as a REFI-QDA ``.qdc`` file in one language (``en`` or ``fr``; empty French falls back to
    English so every code has a name)."""
    suffix = "fr" if language == "fr" else "en"

    def text_of(obj: Any, field: str) -> str:
        return str(getattr(obj, f"{field}_{suffix}") or getattr(obj, f"{field}_en"))

    ET.register_namespace("", NS)
    ET.register_namespace("xsi", XSI)
    root = ET.Element(
        f"{{{NS}}}CodeBook", {"origin": "Lanzarote Consultations", f"{{{XSI}}}schemaLocation": SCHEMA_LOCATION}
    )
    codes = list(Code.objects.filter(consultation=consultation).order_by("order", "name_en"))
    groups = list(CodeGroup.objects.filter(consultation=consultation).order_by("order", "name_en"))
    codes_el = ET.SubElement(root, f"{{{NS}}}Codes")
    for code in codes:
        attrs = {"guid": str(code.guid).upper(), "name": text_of(code, "name"), "isCodable": "true"}
        if code.color:
            attrs["color"] = code.color
        code_el = ET.SubElement(codes_el, f"{{{NS}}}Code", attrs)
        definition = text_of(code, "definition")
        if definition:
            ET.SubElement(code_el, f"{{{NS}}}Description").text = definition
    if groups:
        sets_el = ET.SubElement(root, f"{{{NS}}}Sets")
        for group in groups:
            set_el = ET.SubElement(
                sets_el, f"{{{NS}}}Set", {"guid": str(group.guid).upper(), "name": text_of(group, "name")}
            )
            for code in codes:
                if code.group_id == group.pk:
                    ET.SubElement(set_el, f"{{{NS}}}MemberCode", {"guid": str(code.guid).upper()})
    ET.indent(root)
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def qdc_problems(data: bytes) -> list[str]:
    """What makes the bytes an invalid REFI-QDA codebook, checked against the structure of the published
    Codebook.xsd (root, namespace, element order, required attributes, GUID and colour patterns, set members
    naming existing codes). Empty when valid."""
    try:
        root = SafeET.fromstring(data)
    except (ET.ParseError, DefusedXmlException) as error:
        return [f"not well-formed XML: {error}"]
    problems: list[str] = []
    if root.tag != _q("CodeBook"):
        return [f"root element is {root.tag}, expected {{{NS}}}CodeBook"]
    children = list(root)
    tags = [child.tag for child in children]
    if not tags or tags[0] != _q("Codes"):
        problems.append("CodeBook must start with a Codes element")
    if (
        any(tag not in (_q("Codes"), _q("Sets")) for tag in tags)
        or tags.count(_q("Codes")) != 1
        or tags.count(_q("Sets")) > 1
    ):
        problems.append("CodeBook holds one Codes element and at most one Sets element")
    guids: set[str] = set()

    def check_code(el: Any, path: str) -> None:
        for attr in ("guid", "name", "isCodable"):
            if not el.get(attr):
                problems.append(f"{path}: missing {attr}")
        if el.get("guid") and not GUID.match(el.get("guid")):
            problems.append(f"{path}: guid {el.get('guid')!r} is not a GUID")
        if el.get("guid", "").upper() in guids:
            problems.append(f"{path}: duplicate guid {el.get('guid')}")
        guids.add(el.get("guid", "").upper())
        if el.get("isCodable") not in (None, "true", "false"):
            problems.append(f"{path}: isCodable must be true or false")
        if el.get("color") and not COLOR.match(el.get("color")):
            problems.append(f"{path}: color must be #RRGGBB")
        seen_code_child = False
        for index, child in enumerate(el):
            if child.tag == _q("Description"):
                if index != 0 or seen_code_child:
                    problems.append(f"{path}: Description must come first")
            elif child.tag == _q("Code"):
                seen_code_child = True
                check_code(child, f"{path}/Code[{child.get('name')}]")
            elif child.tag != _q("NoteRef"):
                problems.append(f"{path}: unexpected element {child.tag}")

    codes_el = root.find(_q("Codes"))
    if codes_el is not None:
        if not len(codes_el):
            problems.append("Codes must hold at least one Code")
        for child in codes_el:
            if child.tag != _q("Code"):
                problems.append(f"Codes: unexpected element {child.tag}")
            else:
                check_code(child, f"Code[{child.get('name')}]")
    sets_el = root.find(_q("Sets"))
    if sets_el is not None:
        for set_el in sets_el:
            if set_el.tag != _q("Set"):
                problems.append(f"Sets: unexpected element {set_el.tag}")
                continue
            for attr in ("guid", "name"):
                if not set_el.get(attr):
                    problems.append(f"Set[{set_el.get('name')}]: missing {attr}")
            if set_el.get("guid") and not GUID.match(set_el.get("guid")):
                problems.append(f"Set[{set_el.get('name')}]: guid is not a GUID")
            for member in set_el:
                if member.tag == _q("MemberCode"):
                    if member.get("guid", "").upper() not in guids:
                        problems.append(f"Set[{set_el.get('name')}]: MemberCode {member.get('guid')} names no code")
                elif member.tag not in (_q("Description"), _q("MemberSource"), _q("MemberNote")):
                    problems.append(f"Set[{set_el.get('name')}]: unexpected element {member.tag}")
    return problems


@transaction.atomic
def codebook_qdc_import(
    *, consultation: Consultation, data: bytes, language: str = "en", user: Any, request: Any = None
) -> dict[str, int]:
    """Create or update codes and groups from a ``.qdc`` file written in ``language``. Nested codes become flat
    codes (the platform's codebook has groups, not a code tree). Returns the counts created and updated."""
    if len(data) > MAX_QDC_BYTES:
        raise CodebookInvalid(_("The codebook file is larger than 2 MB."))
    problems = qdc_problems(data)
    if problems:
        raise CodebookInvalid(_("This is not a valid REFI-QDA codebook: %(problem)s.") % {"problem": problems[0]})
    suffix = "fr" if language == "fr" else "en"
    root = SafeET.fromstring(data)
    counts = {"codes_created": 0, "codes_updated": 0, "groups_created": 0, "groups_updated": 0}
    by_guid: dict[str, Code] = {}

    def upsert_code(el: Any) -> None:
        guid = uuid.UUID(el.get("guid"))
        name = el.get("name").strip()[:120]
        description = el.find(_q("Description"))
        definition = (description.text or "").strip() if description is not None else ""
        code = Code.objects.filter(consultation=consultation, guid=guid).first()
        if code is None and suffix == "en":
            code = Code.objects.filter(consultation=consultation, name_en__iexact=name).first()
        if code is None:
            if suffix == "fr":
                raise CodebookInvalid(
                    _(
                        "The French codebook names code “%(name)s”, which is not in the codebook: import the English "
                        "file first."
                    )
                    % {"name": name}
                )
            code = Code(
                consultation=consultation, guid=guid, order=Code.objects.filter(consultation=consultation).count()
            )
            counts["codes_created"] += 1
        else:
            counts["codes_updated"] += 1
        setattr(code, f"name_{suffix}", name)
        setattr(code, f"definition_{suffix}", definition)
        if el.get("color"):
            code.color = el.get("color").upper()
        code.save()
        by_guid[str(guid).upper()] = code
        for child in el.findall(_q("Code")):
            upsert_code(child)

    for el in root.find(_q("Codes")).findall(_q("Code")):
        upsert_code(el)
    sets_el = root.find(_q("Sets"))
    for set_el in sets_el.findall(_q("Set")) if sets_el is not None else []:
        guid = uuid.UUID(set_el.get("guid"))
        name = set_el.get("name").strip()[:120]
        group = CodeGroup.objects.filter(consultation=consultation, guid=guid).first()
        if group is None and suffix == "en":
            group = CodeGroup.objects.filter(consultation=consultation, name_en__iexact=name).first()
        if group is None:
            if suffix == "fr":
                raise CodebookInvalid(_("The French codebook names a group that is not in the codebook."))
            group = CodeGroup(
                consultation=consultation, guid=guid, order=CodeGroup.objects.filter(consultation=consultation).count()
            )
            counts["groups_created"] += 1
        else:
            counts["groups_updated"] += 1
        setattr(group, f"name_{suffix}", name)
        group.save()
        for member in set_el.findall(_q("MemberCode")):
            code = by_guid[member.get("guid").upper()]
            if code.group_id != group.pk:
                code.group = group
                code.save(update_fields=["group"])
    audit_record(
        event_type="monitoring.codebook_imported",
        actor=user,
        consultation=consultation,
        object_repr=consultation.slug,
        request=request,
        extra={"language": suffix, **counts},
    )
    return counts
