import datetime

import pytest
from django.utils import timezone

from stakeholders.models import StakeholderInvitation
from tests import factories as f
from tests.access.world import party_b_submitted


@pytest.fixture
def ngo_world(world):
    """The suite's world, Germany's reply submitted, and an NGO invited until ten days from now."""
    party_b_submitted(world)
    world.organisation = f.organisation("Child Rights Network")
    world.ngo = world.stakeholder  # speaks for the Child Rights Network (tests/conftest.py)
    world.other_ngo = f.stakeholder_user(f.organisation("Digital Youth Forum"), email="policy@dyf.example")
    world.consultation.status = "open"
    world.consultation.save(update_fields=["status"])
    world.invitation = StakeholderInvitation.objects.create(
        consultation=world.consultation,
        organisation=world.organisation,
        deadline=timezone.localdate() + datetime.timedelta(days=10),
        invited_by=world.secretariat,
    )
    return world
