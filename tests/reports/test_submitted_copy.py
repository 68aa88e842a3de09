"""The submitted copy that reports read: written at each submission, kept while a reply is under revision, and
filled for replies submitted before it existed (the data migration)."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from consultation.models import SubmittedAnswer, SubmittedChoice, SubmittedReference, SubmittedValue
from consultation.services.responses import response_reopen, response_submit
from reports.selectors.figures import report_figures
from reports.selectors.scopes import scope_items
from tests.reports.conftest import save

pytestmark = pytest.mark.django_db


def rows(model):
    columns = [f.attname for f in model._meta.concrete_fields if f.attname not in ("id", "answer_id")]
    return sorted(model.objects.values_list(*columns))


def overview(dataset):
    consultation = dataset.consultation
    data = report_figures(
        consultation=consultation, items=scope_items(consultation=consultation, kind="overview", key="")
    )
    return {key: data[key] for key in ("participation", "items", "matrix", "last_submission")}


def test_submission_copies_the_reply_and_a_later_draft_edit_does_not_touch_the_copy(dataset):
    france = dataset.responses["FR"]
    assert SubmittedAnswer.objects.filter(response=france).count() == 5
    assert SubmittedAnswer.objects.filter(response=dataset.draft).count() == 0
    reference = SubmittedReference.objects.get(party=france.party)
    assert (reference.instrument, reference.provision) == ("Code pénal", "art. 227-23")
    assert SubmittedValue.objects.get(party=france.party, field__key="recorded_cases").number == 12.5

    response_reopen(response=france, user=None, reason="Update the figures.")
    save(
        france, dataset.genai01, {"impact_ranking": ["solicitation", "offline", "ai_generated"], "recorded_cases": "99"}
    )
    assert SubmittedValue.objects.get(party=france.party, field__key="recorded_cases").number == 12.5

    response_submit(response=france, user=None)
    assert SubmittedValue.objects.get(party=france.party, field__key="recorded_cases").number == 99
    assert not SubmittedReference.objects.filter(party=france.party).exists()  # the new answer has none
    assert SubmittedAnswer.objects.filter(response=france).values("submission__sequence").distinct().count() == 1


def test_the_migration_fills_the_copy_from_live_answers_and_from_the_snapshot_of_a_reopened_reply(dataset):
    netherlands = dataset.responses["NL"]
    response_reopen(response=netherlands, user=None, reason="Correct the explanation.")
    save(netherlands, dataset.genai02, {"position": "yes", "explanation": "A draft correction."})
    expected = {model: rows(model) for model in (SubmittedAnswer, SubmittedChoice, SubmittedValue, SubmittedReference)}
    figures = overview(dataset)

    SubmittedAnswer.objects.all().delete()
    assert overview(dataset)["participation"]["replied_count"] == 0
    migration = importlib.import_module("consultation.migrations.0004_submitted_answers_backfill")
    migration.backfill(apps, None)

    for model, before in expected.items():
        assert rows(model) == before, model.__name__
    assert overview(dataset) == figures
