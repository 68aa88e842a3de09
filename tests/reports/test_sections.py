"""The section contract later apps use to add to the documents: registry order and the stored form."""

import datetime

import pytest

from reports import sections as s


def test_section_data_round_trips_every_block_kind():
    section = s.Section(
        key="coding",
        title="Comparisons from codes",
        blocks=(
            s.Paragraph(text="14 Parties describe it.", style="note"),
            s.BulletList(items=("one", "two"), numbered=True),
            s.Table(
                caption="Parties x codes", header=("Party", "Code"), rows=(("Austria", "1"),), links=(("", "/q/1"),)
            ),
        ),
        subsections=(s.Section(key="coding-a", title="Article 20"),),
    )
    data = s.section_data(section)
    assert data["blocks"][0] == {"kind": "paragraph", "text": "14 Parties describe it.", "style": "note"}
    assert data["blocks"][2]["rows"] == [["Austria", "1"]]
    assert s.section_from_data(data) == section


def test_unknown_block_kind_is_refused():
    with pytest.raises(ValueError, match="unknown block kind 'chart'"):
        s.section_from_data({"key": "x", "title": "X", "blocks": [{"kind": "chart"}]})


def test_providers_are_called_in_registration_order(monkeypatch):
    monkeypatch.setattr(s, "_providers", {})
    s.register_section_provider("b", lambda ctx: [s.Section(key="b", title=ctx.language)])
    s.register_section_provider("a", lambda ctx: [s.Section(key="a", title="A"), s.Section(key="a2", title="A2")])
    context = s.SectionContext(consultation_id=1, scope_kind="overview", scope_key="", item_ids=(1, 2), language="fr")
    assert [x.key for x in s.sections_for(context)] == ["b", "a", "a2"]
    assert s.sections_for(context)[0].title == "fr"


def test_document_meta_defaults_to_restricted():
    meta = s.DocumentMeta(title="T", language="en", date=datetime.date(2026, 12, 3))
    assert meta.classification == "restricted"
