"""Development: debug on, demo accounts may skip MFA enrolment when DEMO_MODE is set."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
DEMO_MODE = env.bool("DEMO_MODE", default=True)
