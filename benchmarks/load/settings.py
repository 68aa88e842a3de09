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

# BENCH_LIGHT_SESSIONS=1 measures what the per-request session writes cost: no renewal of the session row on each
# request and no allauth activity tracking (both are on in the platform, for the idle timeout and the session list).
if env.bool("BENCH_LIGHT_SESSIONS", default=False):  # noqa: F405
    SESSION_SAVE_EVERY_REQUEST = False
    USERSESSIONS_TRACK_ACTIVITY = False
