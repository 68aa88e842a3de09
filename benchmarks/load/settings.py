"""Settings of the load benchmark: the production-like base settings, plus two reference views (``urls.py``).

DEBUG off, database sessions, persistent PostgreSQL connections (``CONN_MAX_AGE``), no broker (nothing measured
here queues a task). Never used by the platform itself.
"""

from config.settings.base import *  # noqa: F403

DEBUG = False
DEMO_MODE = False
ROOT_URLCONF = "benchmarks.load.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}
