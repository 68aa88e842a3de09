"""The typesetter's confinement: templates read no file and import no package; data is never markup."""

from __future__ import annotations

import io

import pypdf
import pytest

from consultation import typesetting
from consultation.typesetting import TypesettingError, typeset_pdf


@pytest.fixture
def templates(tmp_path, monkeypatch):
    """A templates folder of the test's own, with a file beside the templates that they must not read."""
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "secret.txt").write_text("beside the template")
    (tmp_path / "outside.txt").write_text("outside the templates")
    monkeypatch.setattr(typesetting, "TEMPLATES_DIR", folder)
    return folder


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


@pytest.mark.parametrize(
    "source",
    [
        '#read("/etc/passwd")',
        '#image("/etc/passwd")',
        '#read("secret.txt")',
        '#read("../outside.txt")',
        '#json("/proc/self/environ")',
        '#include "/etc/hostname"',
    ],
)
def test_a_template_cannot_read_any_file(templates, source):
    (templates / "probe.typ").write_text(source)
    with pytest.raises(TypesettingError, match=r"file not found|would escape the project root"):
        typeset_pdf(template="probe.typ", data={})


@pytest.mark.parametrize("source", ['#import "@preview/cetz:0.3.0": *', '#include("@preview/x:1.0.0/a.typ")'])
def test_a_template_importing_a_package_is_refused_before_any_download(templates, source):
    (templates / "probe.typ").write_text(source)
    with pytest.raises(TypesettingError, match="imports a Typst package"):
        typeset_pdf(template="probe.typ", data={})


def test_only_typ_files_inside_the_templates_folder_are_templates(templates):
    with pytest.raises(TypesettingError, match="Not a Typst template"):
        typeset_pdf(template="../outside.txt", data={})
    with pytest.raises(TypesettingError, match="Not a Typst template"):
        typeset_pdf(template="secret.txt", data={})


def test_data_is_printed_as_text_whatever_it_contains(templates):
    (templates / "probe.typ").write_text(
        "#let d = json(bytes(sys.inputs.data))\n#set document(title: d.title)\n#d.text\n\n#d.number"
    )
    hostile = '#read("/etc/passwd") *a* _b_ $c$ <d> \\e `f` ] } ) " // g'
    content = typeset_pdf(template="probe.typ", data={"title": "T #x", "text": hostile + "\x00\x1b\x7f", "number": 2})
    reader = pypdf.PdfReader(io.BytesIO(content))
    assert reader.metadata.title == "T #x"
    assert pdf_text(content).splitlines() == [hostile, "2"]
