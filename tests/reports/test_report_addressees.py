"""A question put to some Parties only (``ItemAddressee``) is counted against the Parties asked, in the figures and in
every format: participation, percentages, "Answered by x of N Parties asked", Annex II's "—" and country profiles.

Belgium, France and Germany submit; LAW-01 is put to every Party, FU-01 to Belgium and France only. Belgium answers
FU-01 ("Yes"), France leaves it unanswered, Germany is not asked it.
"""

from __future__ import annotations

import io
from types import SimpleNamespace

import docx
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from consultation.models import Field, ItemAddressee, Party
from reports import documents
from reports.labels import labels
from reports.selectors.figures import report_figures
from reports.selectors.scopes import scope_items, scope_parse
from reports.services.builds import report_build_now
from tests import factories as f
from tests.reports.conftest import opened, reply

pytestmark = pytest.mark.django_db


def restrict(item, *iso2s):
    ItemAddressee.objects.bulk_create([ItemAddressee(item=item, party=f.party(iso2)) for iso2 in iso2s])


@pytest.fixture
def follow_up(db):
    consultation = f.ConsultationFactory(slug="follow-up-round", title_en="Follow-up round", title_fr="Cycle de suivi")
    theme = f.ThemeFactory(code="follow-up", name_en="Follow-up", name_fr="Suivi", order=1)
    law = f.position_item(consultation, code="LAW-01", theme=theme, articles=[20])
    follow = f.position_item(consultation, code="FU-01", theme=theme, articles=[20])
    law.order, follow.order = 1, 2
    law.save(update_fields=["order"])
    follow.save(update_fields=["order"])
    Field.objects.filter(item=follow, key="position").update(required=False)  # France may leave it unanswered
    restrict(follow, "BE", "FR")
    reply(consultation, "BE", {law: {"position": "yes"}, follow: {"position": "yes", "explanation": "Act amended."}})
    reply(consultation, "FR", {law: {"position": "partially"}})
    reply(consultation, "DE", {law: {"position": "no"}})
    return SimpleNamespace(consultation=consultation, law=law, follow=follow)


def figures(follow_up, kind, key=""):
    consultation = follow_up.consultation
    return report_figures(consultation=consultation, items=scope_items(consultation=consultation, kind=kind, key=key))


def item_of(data, code):
    return next(item for item in data["items"] if item["code"] == code)


def build(follow_up, text, formats=("docx", "xlsx")):
    scope = scope_parse(consultation=follow_up.consultation, text=text)
    run = report_build_now(consultation=follow_up.consultation, scope=scope, formats=list(formats))
    assert run.status == "done", run.error
    return run.version


def test_a_restricted_item_counts_the_parties_asked_only(follow_up):
    data = figures(follow_up, "item", "FU-01")
    item = item_of(data, "FU-01")
    assert item["asked"] == 2
    assert item["asked_parties"] == ["Belgium", "France"]
    assert item["replying"] == 1
    assert data["participation"]["replied_count"] == 1
    assert [p["name_en"] for p in data["participation"]["not_replied"]] == ["France"]
    assert data["participation"]["asked_count"] == 2
    position = next(fl for fl in item["fields"] if fl["key"] == "position")
    assert position["replying"] == 1
    assert [(o["key"], o["count"], o["percent"]) for o in position["options"]] == [
        ("yes", 1, 50.0),  # 1 of the 2 Parties asked, not 1 of 1 replying
        ("partially", 0, 0.0),
        ("no", 0, 0.0),
    ]


def test_an_item_put_to_every_party_keeps_its_base_and_lists_every_active_party(follow_up):
    data = figures(follow_up, "item", "LAW-01")
    item = item_of(data, "LAW-01")
    active = Party.objects.filter(is_active=True).count()
    assert item["asked"] == active
    assert "asked_parties" not in item
    assert data["participation"]["asked_count"] == active
    position = next(fl for fl in item["fields"] if fl["key"] == "position")
    assert [o["percent"] for o in position["options"]] == [33.3, 33.3, 33.3]  # of the 3 replying Parties
    # A report with an item put to every Party still lists every active Party that did not reply.
    overview = figures(follow_up, "overview")
    assert len(overview["participation"]["not_replied"]) == active - 3


def test_addressees_cost_one_query_whatever_their_number(follow_up, django_assert_num_queries):
    consultation = follow_up.consultation
    with django_assert_num_queries(16) as small:
        figures(follow_up, "overview")
    for n in range(4):
        extra = f.position_item(consultation, code=f"FU-1{n}", theme=follow_up.follow.theme, articles=[20])
        restrict(extra, "BE", "DE", "IT")
    with django_assert_num_queries(len(small.captured_queries)):
        data = figures(follow_up, "overview")
    assert [item_of(data, f"FU-1{n}")["asked"] for n in range(4)] == [3, 3, 3, 3]


def test_annex_two_marks_the_party_not_asked_distinctly_from_no_reply(follow_up):
    version = build(follow_up, "overview", formats=("pdf", "docx", "xlsx"))
    view = documents.document_view(version.data, language="en")
    status = view["status"]
    assert status["columns"] == ["LAW-01", "FU-01"]
    assert {row["party"]: row["cells"] for row in status["rows"]} == {
        "Belgium": ["Yes", "Yes"],
        "France": ["Partially", "–"],  # asked, no reply
        "Germany": ["No", "—"],  # not asked
    }
    assert status["legend"] == "— not asked"
    french = documents.document_view(version.data, language="fr")
    assert french["status"]["legend"] == labels("fr")["not_asked_legend"]
    assert {row["party"]: row["cells"][1] for row in french["status"]["rows"]}["Allemagne"] == "—"

    pdf = " ".join(" ".join(page.extract_text() for page in PdfReader(opened(version, "pdf")).pages).split())
    assert "— not asked" in pdf
    assert "Answered by 1 of 2 Parties asked" in pdf

    word = docx.Document(opened(version, "docx"))
    assert "— not asked" in [p.text for p in word.paragraphs]
    annex = word.tables[-1]
    germany = next(row for row in annex.rows if row.cells[0].text == "Germany")
    assert [cell.text for cell in germany.cells] == ["Germany", "No", "—"]

    workbook = load_workbook(io.BytesIO(opened(version, "xlsx").read()))
    sheet = workbook["Replies at a glance"]
    rows = [row for row in sheet.iter_rows(values_only=True) if any(v is not None for v in row)]
    assert ("— not asked",) == tuple(v for v in rows[1] if v is not None)
    assert ("Germany", "No", "—") in rows
    assert ("France", "Partially", "–") in rows
    # the matrix of closed questions marks the Party not asked alike; France, asked, left it empty
    matrix = workbook["Who answered what"]
    cells = {row[0]: row[1:] for row in matrix.iter_rows(values_only=True) if row and row[0]}
    assert cells["Germany"] == ("No", "—")
    assert cells["France"] == ("Partially", None)
    assert cells["Belgium"] == ("Yes", "Yes")


def test_a_country_profile_lists_only_the_items_put_to_the_party(follow_up):
    version = build(follow_up, "overview", formats=("docx",))
    view = documents.document_view(version.data, language="en")
    profiles = {p["party"]: [entry["code"] for entry in p["items"]] for p in view["profiles"]}
    assert profiles == {"Belgium": ["LAW-01", "FU-01"], "France": ["LAW-01"], "Germany": ["LAW-01"]}
    # Even an answer left from before the question was restricted is not shown to a Party no longer asked it.
    items = [{**item, "asked_parties": ["France"]} if item["code"] == "FU-01" else item for item in view["items"]]
    assert [e["code"] for e in documents.profiles(items, ["Belgium"], view["L"])[0]["items"]] == ["LAW-01"]


def test_documents_say_answered_by_x_of_n_parties_asked(follow_up):
    version = build(follow_up, "item:FU-01")
    word = docx.Document(opened(version, "docx"))
    paragraphs = [p.text for p in word.paragraphs]
    assert "Answered by 1 of 2 Parties asked" in paragraphs
    position = next(t for t in word.tables if t.rows[0].cells[0].text == "Option")
    assert [c.text for c in position.rows[0].cells] == ["Option", "Parties", "% of Parties asked", "Parties"]
    assert [c.text for c in position.rows[1].cells] == ["Yes", "1", "50.0 %", "Belgium"]

    workbook = load_workbook(io.BytesIO(opened(version, "xlsx").read()))
    rows = list(workbook["FU-01 Position"].iter_rows(values_only=True))
    assert ("Answered by 1 of 2 Parties asked",) == tuple(v for v in rows[4] if v is not None)
    header = next(row for row in rows if row and row[0] == "Option")
    assert header == ("Option", "Parties", "Parties asked", "% of Parties asked", "Parties")
    assert ("Yes", 1, 2, 50, "Belgium") in rows
    assert ("No", 0, 2, 0, None) in rows  # an empty list of Parties is an empty cell

    html = version.edition("en", "html").html
    assert "Answered by 1 of 2 Parties asked" in html
    assert "% of Parties asked" in html
