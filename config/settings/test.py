"""Tests: fast hashing, in-memory mail; Celery eager unless a test starts a real worker."""

from .base import *  # noqa: F403
from .base import BASE_DIR, env

DEBUG = False
DEMO_MODE = False
SECRET_KEY = "test-secret-key-not-for-production-0123456789abcdefghijklmnopqrstuvwxyz"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "test-media")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The only settings that run tasks in the calling process. The reliability suite and the make-run browser test start
# real workers with CELERY_TASK_ALWAYS_EAGER=false in their environment.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
# Without a broker in the environment, a test that turns eagerness off publishes to kombu's in-process memory
# transport (nothing consumes it unless the test does), never to the files of a developer's var/celery/.
if not env("CELERY_BROKER_URL", default=""):
    CELERY_BROKER_URL = "memory://"
# The reliability suite runs beat with a short sweep period, to watch stale reports recover after a broker outage.
CELERY_BEAT_SCHEDULE = {
    **CELERY_BEAT_SCHEDULE,  # noqa: F405
    "sweep-stale-reports": {
        **CELERY_BEAT_SCHEDULE["sweep-stale-reports"],  # noqa: F405
        "schedule": env.float("REPORTS_SWEEP_SECONDS", default=60.0),
    },
}
# The import's time budget (2.5 s in production) measures wall time: on a loaded two-core test machine a legitimate
# 10,000-row sheet can take longer to read. Tests get a wider budget; the budget's own test sets it explicitly.
IMPORT_TIME_BUDGET_SECONDS = env.float("IMPORT_TIME_BUDGET_SECONDS", default=10.0)
