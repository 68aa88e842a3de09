"""Reading the reply page's section form the way a browser without JavaScript submits it.

Every answer input of the page names its form with ``form="section-form"``; ``section_form_post`` collects them
(checked boxes and radios only, the selected option of each select, the text of each textarea), so tests post
exactly what the page would, and can change some values first.
"""

from __future__ import annotations

from html.parser import HTMLParser

SECTION_FORM = "section-form"


class _SectionFormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.action: str | None = None
        self.pairs: list[tuple[str, str]] = []
        self.inputs = 0
        self._in_form = False
        self._textarea: tuple[str, list[str]] | None = None
        self._select: dict | None = None
        self._option: dict | None = None

    def _owned(self, attrs: dict) -> bool:
        return attrs.get("form") == SECTION_FORM or (self._in_form and "form" not in attrs)

    def handle_starttag(self, tag, attrs_list):
        attrs = dict(attrs_list)
        if tag == "form" and attrs.get("id") == SECTION_FORM:
            self.action = attrs.get("action")
            self._in_form = True
            return
        if tag in ("input", "textarea", "select") and attrs.get("name") and self._owned(attrs):
            self.inputs += 1
        if tag == "input" and attrs.get("name") and self._owned(attrs) and "disabled" not in attrs:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind in ("submit", "button", "file", "reset", "image"):
                return
            self.pairs.append((attrs["name"], attrs.get("value") or ""))
        elif tag == "textarea" and attrs.get("name") and self._owned(attrs) and "disabled" not in attrs:
            self._textarea = (attrs["name"], [])
        elif tag == "select" and attrs.get("name") and self._owned(attrs) and "disabled" not in attrs:
            self._select = {"name": attrs["name"], "first": None, "selected": None}
        elif tag == "option" and self._select is not None:
            self._option = {"value": attrs.get("value"), "selected": "selected" in attrs, "text": []}

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1].append(data)
        if self._option is not None:
            self._option["text"].append(data)

    def handle_endtag(self, tag):
        if tag == "form" and self._in_form:
            self._in_form = False
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._textarea[1])
            self.pairs.append((self._textarea[0], text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "option" and self._option is not None:
            self._close_option()
        elif tag == "select" and self._select is not None:
            if self._option is not None:
                self._close_option()
            chosen = self._select["selected"] if self._select["selected"] is not None else self._select["first"]
            if chosen is not None:
                self.pairs.append((self._select["name"], chosen))
            self._select = None

    def _close_option(self):
        option, self._option = self._option, None
        value = option["value"] if option["value"] is not None else "".join(option["text"]).strip()
        if self._select["first"] is None:
            self._select["first"] = value
        if option["selected"]:
            self._select["selected"] = value


def section_form(html: str) -> _SectionFormParser:
    parser = _SectionFormParser()
    parser.feed(html)
    parser.close()
    return parser


def section_form_post(html: str, changes: dict[str, str | list[str]] | None = None) -> tuple[str, dict[str, list[str]]]:
    """The section form's action and the body a browser would post, with ``changes`` (name: value) applied."""
    parsed = section_form(html)
    assert parsed.action, "the page has no section form"
    body: dict[str, list[str]] = {}
    for name, value in parsed.pairs:
        body.setdefault(name, []).append(value)
    for name, value in (changes or {}).items():
        body[name] = value if isinstance(value, list) else [value]
    return parsed.action, body
