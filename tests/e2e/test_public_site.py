"""In a real browser, with no log-in: a visitor switches the public site to French, reads a Party's published reply
and every Party's answer to one question, and searches the published replies; the pages are axe-clean and never
show the answer the Party marked not for publication."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import serious_violations
from tests.publication.conftest import MARKER, docs_item, published_world  # noqa: F401 (fixtures)

pytestmark = pytest.mark.e2e


@pytest.mark.django_db(transaction=True)
def test_visitor_reads_a_reply_and_a_question_in_french_and_searches(page, live_server, published_world):  # noqa: F811
    page.goto(f"{live_server.url}/public/")
    page.get_by_label("Language").select_option("fr")
    # The switch submits its form from script: wait for the French page itself, not for a load already done.
    page.locator("h1", has_text="Réponses publiées").wait_for()
    assert page.locator("h1").inner_text() == "Réponses publiées"
    assert serious_violations(page) == []

    page.get_by_role("link", name=published_world.consultation.title).click()
    page.get_by_role("heading", name="Réponses des Etats").wait_for()
    page.get_by_role("link", name="Allemagne").or_(page.get_by_role("link", name="Germany")).first.click()
    page.locator("h1").wait_for()
    assert "Version 1 : la réponse telle que soumise le" in page.locator(".public-version").inner_text()
    body = page.locator("main").inner_text()
    assert "Section 184b covers generated material." in body
    assert "Aucune réponse publiée à cette question." in body  # ROBOT-01, marked not for publication
    assert MARKER not in page.content()
    assert serious_violations(page) == []

    page.go_back()
    page.get_by_role("link", name="GENAI-01").click()
    assert page.locator("h1").inner_text() == "Réponses à la question GENAI-01"
    assert page.locator("article.public-item").count() == 1
    assert serious_violations(page) == []

    page.goto(f"{live_server.url}/public/{published_world.consultation.slug}/")
    page.get_by_label("Rechercher dans les réponses publiées").fill("184b")
    page.get_by_role("button", name="Rechercher").click()
    assert "2 résultats trouvés pour « 184b »." in page.get_by_role("status").inner_text()
    assert serious_violations(page) == []
    page.get_by_label("Mots à rechercher").fill("Secret plan")
    page.get_by_role("button", name="Rechercher").click()
    assert "0 résultat trouvé" in page.get_by_role("status").inner_text()
