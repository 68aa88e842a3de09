"""The refusals of the stakeholder services: a message a person can act on, shown as it is (never a 500)."""

from __future__ import annotations


class StakeholderError(Exception):
    """A refused write; ``str(error)`` is the translated reason."""
