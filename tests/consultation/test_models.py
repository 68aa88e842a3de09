import pytest
from django.db import IntegrityError, transaction

from consultation.models import Answer, Response
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_second_response_for_same_party_and_consultation_is_refused():
    consultation = f.ConsultationFactory()
    Response.objects.create(consultation=consultation, party=f.party("FR"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(consultation=consultation, party=f.party("FR"))
    assert Response.objects.filter(consultation=consultation).count() == 1


def test_second_answer_for_same_response_and_item_is_refused():
    item = f.position_item(f.ConsultationFactory(), code="GENAI-01")
    response = Response.objects.create(consultation=item.consultation, party=f.party("FR"))
    Answer.objects.create(response=response, item=item)
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(response=response, item=item)
    assert Answer.objects.filter(response=response).count() == 1


def test_submitted_response_needs_a_submission_time():
    consultation = f.ConsultationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(consultation=consultation, party=f.party("FR"), status="submitted")


def test_closing_date_cannot_precede_opening_date():
    import datetime

    with pytest.raises(IntegrityError), transaction.atomic():
        f.ConsultationFactory(opens_on=datetime.date(2025, 3, 1), closes_on=datetime.date(2025, 2, 1))
