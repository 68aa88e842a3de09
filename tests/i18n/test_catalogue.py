"""The French catalogue is complete, and the committed compiled file (.mo) matches its source (.po).

The .mo file is committed so that the platform runs on a machine without gettext; this test fails when someone
edits django.po without running `make messages`.
"""

import ast
import gettext
from pathlib import Path

import pytest
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "fr" / "LC_MESSAGES"


def _po_entries() -> list[dict[str, str]]:
    """Plain (singular, context-free) entries of django.po as {msgid, msgstr}; enough for the comparison."""
    entries, current, key = [], {}, None
    for raw in [*(LOCALE / "django.po").read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line or line.startswith("#"):
            if current:
                entries.append(current)
            current, key = {}, None
            continue
        if line.startswith('"') and key:
            current[key] += ast.literal_eval(line)
            continue
        key, _, value = line.partition(" ")
        current[key] = ast.literal_eval(value)
    return [e for e in entries if e.get("msgid") and "msgid_plural" not in e and "msgctxt" not in e]


def test_every_french_entry_is_translated_and_compiled():
    entries = _po_entries()
    assert len(entries) > 500
    untranslated = [e["msgid"] for e in entries if not e.get("msgstr")]
    assert untranslated == []
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [e["msgid"] for e in entries if compiled.gettext(e["msgid"]) != e["msgstr"]]
    assert stale == [], f"{len(stale)} entries differ in django.mo: run `make messages` ({stale[:3]})"


@pytest.mark.parametrize(
    ("english", "french"),
    [("Sign in", "Se connecter"), ("My consultations", "Mes consultations"), ("State of play", "État des lieux")],
)
def test_the_interface_speaks_french(english, french):
    with translation.override("fr"):
        assert translation.gettext(english) == french
