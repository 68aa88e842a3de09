"""Documents the Committee can table: cover, contents with page numbers, overview facts, country profiles, the
Party × item table, attachments and legal references counted (against a recount in SQL), in both editions."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count
from django.utils import timezone
from pypdf import PdfReader

from consultation.models import Response, SubmittedReference
from consultation.services.attachments import attachment_add
from consultation.services.responses import response_reopen, response_submit
from reports import documents
from reports.labels import date_text, labels
from reports.selectors.scopes import scope_parse
from reports.services.builds import report_build_now
from tests import factories as f
from tests.reports.conftest import html_of, opened, save

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n" + b"0" * 2000


@pytest.fixture
def tabled(dataset):
    """The dataset plus a second citation of the French code (by Spain, spelt differently), another instrument,
    and a document France attached to GENAI-02."""
    spain = dataset.responses["ES"]
    response_reopen(response=spain, user=None, reason="Add references.")
    save(
        spain,
        dataset.genai01,
        dataset.answers_of("ES")[dataset.genai01]
        | {
            "legal_references": [
                {"instrument": "code  pénal", "provision": "art. 1", "url": ""},
                {"instrument": "Ley Orgánica 8/2021", "provision": "art. 2", "url": ""},
            ]
        },
    )
    response_submit(response=Response.objects.get(pk=spain.pk), user=None)
    f.FieldFactory(item=dataset.genai02, key="documents", type="attachment", order=9, label_en="Documents")
    france = dataset.responses["FR"]
    response_reopen(response=france, user=None, reason="Attach the law.")
    attachment_add(
        response=Response.objects.get(pk=france.pk),
        item=dataset.genai02,
        field_key="documents",
        upload=SimpleUploadedFile("Loi 2024-449.pdf", PDF_BYTES, content_type="application/pdf"),
        user=None,
    )
    response_submit(response=Response.objects.get(pk=france.pk), user=None)
    return dataset


def build(dataset, text, formats=("pdf",)):
    scope = scope_parse(consultation=dataset.consultation, text=text)
    run = report_build_now(consultation=dataset.consultation, scope=scope, formats=list(formats))
    assert run.status == "done", run.error
    return run.version


def pages_of(version, language):
    reader = PdfReader(opened(version, "pdf", language))
    return reader, [page.extract_text() for page in reader.pages]


def contents_entries(text, heading, symbol):
    """(title, page) of each line of the contents page ("1.2 Items covered ........ 3"), header and footer left
    out."""
    entries = []
    lines = text.splitlines()
    lines = lines[lines.index(heading) + 1 :]
    for line in lines:
        if line.startswith(symbol):
            break
        match = re.match(r"^(.*?)[\s.]*?(\d+)$", line.strip())
        if match and match.group(1).strip(" ."):
            entries.append((match.group(1).strip(" ."), int(match.group(2))))
    return entries


def test_the_overview_pdf_has_cover_contents_with_page_numbers_and_every_part(tabled):
    version = build(tabled, "overview")
    for language in ("en", "fr"):
        L = labels(language)
        reader, pages = pages_of(version, language)
        assert reader.trailer["/Root"]["/Lang"] == language
        assert "/StructTreeRoot" in reader.trailer["/Root"]
        cover = " ".join(pages[0].split())
        assert version.symbol in cover
        assert date_text(timezone.localdate(), language) in cover
        assert L["edition_language"] in cover
        assert L["restricted"] in cover
        assert L["contents"] in pages[1]
        entries = contents_entries(pages[1], L["contents"], version.symbol)
        titles = [title for title, _page in entries]
        questions = "2 Replies per question" if language == "en" else "2 Réponses par question"
        for expected in (
            f"1 {L['overview']}",
            questions,
            "2.2 GENAI-02 – " + ("Generative AI" if language == "en" else "IA générative"),
            f"{L['annex']} I – {L['profiles']}",
            f"{L['annex']} II – {L['status_table']}",
        ):
            assert expected in titles, (expected, titles)
        for title, page in entries:
            # Each entry's page number leads to a page that carries the heading.
            assert " ".join(title.split()) in " ".join(pages[page - 1].split()), (title, page)
        for number, page in enumerate(reader.pages, start=1):
            assert f"{L['page']} {number} / {len(pages)}" in pages[number - 1]
            width, height = sorted((float(page.mediabox.width), float(page.mediabox.height)))
            assert (round(width), round(height)) == (595, 842)


def test_the_french_edition_leaves_no_english_fixed_text(tabled):
    version = build(tabled, "overview")
    _reader, pages = pages_of(version, "fr")
    lines = {line.strip() for page in pages for line in page.splitlines()}
    english, french = labels("en"), labels("fr")
    for key, text in english.items():
        if text != french[key]:
            assert text not in lines, text
            assert not any(line.startswith(f"{text} (") or line.startswith(f"{text}:") for line in lines), text
    assert "Allemagne, Belgique, Espagne, France, Italie, Pays-Bas" in " ".join(" ".join(pages).split())


def test_a_party_profile_holds_exactly_its_submitted_answers(dataset):
    version = build(dataset, "overview")
    view = documents.document_view(version.data, language="en")
    france = next(p for p in view["profiles"] if p["party"] == "France")
    got = {entry["code"]: {f["label"]: f["lines"] for f in entry["fields"]} for entry in france["items"]}
    assert got == {
        "GENAI-01": {
            "Rank by severity": ["1. Offline CSEA; 2. AI generated; 3. Solicitation"],
            "Recorded cases": ["12.5"],
            "Legal references": ["Code pénal, art. 227-23, https://www.legifrance.gouv.fr/"],
        },
        "GENAI-02": {
            "Position": ["Yes"],
            "Explanation": ["Policy statement of FR on synthetic images. (reply written in French)"],
        },
        "ROBOT-01": {"Position": ["No"], "Explanation": ["No answer."]},
        "ROBOT-02": {"Position": ["Yes"], "Explanation": ["No answer."]},
        "XR-01": {"Position": ["Partially"], "Explanation": ["No answer."]},
    }
    assert [p["party"] for p in view["profiles"]] == ["Belgium", "France", "Germany", "Italy", "Netherlands", "Spain"]
    _reader, pages = pages_of(version, "en")
    profile = " ".join(
        next(page for page in pages if page.lstrip().startswith("France") or "\nFrance\n" in page).split()
    )
    assert "Policy statement of FR on synthetic images." in profile
    french = documents.document_view(version.data, language="fr")
    assert [p["party"] for p in french["profiles"]][:2] == ["Allemagne", "Belgique"]


def test_the_status_table_is_party_by_item_and_fits_landscape_pages(dataset):
    version = build(dataset, "overview")
    view = documents.document_view(version.data, language="en")
    status = view["status"]
    assert status["columns"] == ["GENAI-01", "GENAI-02", "ROBOT-01", "ROBOT-02", "XR-01"]
    netherlands = next(row for row in status["rows"] if row["party"] == "Netherlands")
    assert netherlands["cells"] == ["✓", "No", "No", "Yes", "Partially"]
    reader, pages = pages_of(version, "en")
    last = reader.pages[-1]
    assert float(last.mediabox.width) > float(last.mediabox.height)
    assert "Annex II – Replies at a glance" in pages[-1]


def test_attachments_are_listed_with_name_size_and_a_link_in_html(tabled):
    version = build(tabled, "item:GENAI-02")
    english = html_of(version, "en")
    assert "Loi 2024-449.pdf" in english
    assert "2.0 KB" in english
    assert "/attachments/" in english
    assert "2,0 Ko" in html_of(version, "fr")
    _reader, pages = pages_of(version, "en")
    text = " ".join(" ".join(pages).split())
    assert "Attachments" in text
    assert "France Loi 2024-449.pdf 2.0 KB" in text


def test_legal_reference_counts_equal_a_recount_in_sql(tabled):
    version = build(tabled, "article:20")
    counts = version.data["legal_references"]
    recount = (
        SubmittedReference.objects.filter(consultation=tabled.consultation)
        .values("instrument")
        .annotate(references=Count("id"), parties=Count("party", distinct=True))
    )
    merged = {}
    for row in recount:
        key = " ".join(row["instrument"].split()).casefold()
        entry = merged.setdefault(key, [0, set()])
        entry[0] += row["references"]
    for key in merged:
        merged[key][1] = set(
            SubmittedReference.objects.filter(consultation=tabled.consultation)
            .filter(
                instrument__in=[r["instrument"] for r in recount if " ".join(r["instrument"].split()).casefold() == key]
            )
            .values_list("party_id", flat=True)
        )
    got = {e["instrument"].casefold(): (e["references"], len(e["parties"])) for e in counts["by_instrument"]}
    assert got == {key: (n, len(parties)) for key, (n, parties) in merged.items()}
    assert got == {"code pénal": (2, 2), "ley orgánica 8/2021": (1, 1)}
    assert counts["by_instrument"][0]["instrument"] == "Code pénal"  # most cited first
    for entry in counts["by_article"]:
        cited = SubmittedReference.objects.filter(
            consultation=tabled.consultation, item__articles__number=entry["number"]
        )
        assert entry["references"] == cited.count()
        assert len(entry["parties"]) == cited.values("party").distinct().count()
    assert [e["number"] for e in counts["by_article"]] == [20, 23]
    view = documents.document_view(version.data, language="fr")
    assert view["legal"]["by_instrument"][0]["parties"] == "Espagne, France"
    _reader, pages = pages_of(version, "en")
    text = " ".join(" ".join(pages).split())
    assert "Legal references by instrument" in text
    assert "Code pénal 2 2 France, Spain" in text


def figures_alt(reader):
    """Every /Figure of the PDF's structure tree, with its /Alt text."""
    found = []

    def walk(node):
        node = node.get_object()
        if not isinstance(node, dict):
            return
        if node.get("/S") == "/Figure":
            found.append(str(node.get("/Alt", "")))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if isinstance(kid, dict):
                walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


def test_charts_have_alt_text_in_the_pdf_and_a_title_in_the_svg(dataset):
    version = build(dataset, "item:GENAI-02", formats=("pdf",))
    html = html_of(version, "fr")
    assert '<title id="chart-fr-' in html
    assert "GENAI-02 – Position : Réponses par option" in html or "GENAI-02 – Position: Réponses par option" in html
    reader = PdfReader(opened(version, "pdf", "fr"))
    assert reader.metadata.title == "Compilation des réponses à GENAI-02"
    alts = figures_alt(reader)
    assert any("Oui: 3; Partiellement: 2; Non: 1 (Nombre de Parties)." in alt for alt in alts), alts


ARTICLE_20_EN = "Each Party shall take the necessary legislative measures (text entered by the Secretariat)."
ARTICLE_20_FR = "Chaque Partie prend les mesures législatives nécessaires (texte saisi par le Secrétariat)."


def test_an_article_report_quotes_the_article_the_secretariat_entered_in_each_edition(tabled):
    from consultation.models import Article

    Article.objects.filter(number=20).update(text_en=ARTICLE_20_EN, text_fr=ARTICLE_20_FR)
    version = build(tabled, "article:20", formats=("pdf", "docx"))
    for language, quoted, other in (("en", ARTICLE_20_EN, ARTICLE_20_FR), ("fr", ARTICLE_20_FR, ARTICLE_20_EN)):
        _reader, pages = pages_of(version, language)
        text = " ".join(" ".join(pages).split())
        assert quoted in text
        assert other not in text
        import docx

        paragraphs = [p.text for p in docx.Document(opened(version, "docx", language)).paragraphs]
        assert quoted in paragraphs
        assert quoted in html_of(version, language)
    overview = build(tabled, "overview", formats=("pdf",))
    assert ARTICLE_20_EN not in " ".join(" ".join(pages_of(overview, "en")[1]).split())


def test_an_article_without_entered_text_is_labelled_only(tabled):
    version = build(tabled, "article:20", formats=("pdf",))
    assert "article_text" not in version.data
